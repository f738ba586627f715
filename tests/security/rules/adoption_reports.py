"""Progress reports: asking (managers for their own departments, HR for all), a report's page, progress,
download and retry (HR, whoever asked, and a schedule's recipients: anyone else who may ask for reports
gets 404, the same as a report that does not exist), and HR's schedules: adoption.views_reports.

The report here was asked for by the Environment manager ("manager"), about Environment, and is ready."""

from tests.security.rules.common import GET_ONLY, HR, MANAGERS_AND_HR, everyone, only

ASKED = {**only(MANAGERS_AND_HR), "other_manager": 404}

RULES = {
    "adoption:reports": (None, only(MANAGERS_AND_HR)),
    "adoption:report": ("report", ASKED),
    "adoption:report_progress": ("report", ASKED),
    "adoption:report_download": ("report", ASKED),
    "adoption:report_retry": ("report", everyone(405)),  # POST only
    "adoption:report_schedules": (None, only(HR)),
    "adoption:report_schedule_new": (None, only(HR)),
    "adoption:report_schedule": ("schedule", only(HR)),
    "adoption:report_schedule_delete": ("schedule", only(HR)),  # asks first
}

POST_RULES = {
    "adoption:reports": only(MANAGERS_AND_HR),  # an empty form is shown again with its errors
    "adoption:report": GET_ONLY,
    "adoption:report_progress": GET_ONLY,
    "adoption:report_download": GET_ONLY,
    # A ready report is not compiled again: back to its page with a message.
    "adoption:report_retry": {**only(MANAGERS_AND_HR, status=302), "other_manager": 404},
    "adoption:report_schedules": GET_ONLY,
    "adoption:report_schedule_new": only(HR),  # errors shown
    "adoption:report_schedule": only(HR),  # errors shown
    "adoption:report_schedule_delete": only(HR, status=302),
}


def objects(org):
    from datetime import timedelta

    from django.core.files.base import ContentFile
    from django.core.files.storage import storages
    from django.utils import timezone

    from adoption.models import Report, ReportSchedule

    today = timezone.localdate()
    report = Report.objects.create(requested_by=org.env_manager, department=org.environment,
                                   scope_label="Environment", format="csv", period_start=today, period_end=today,
                                   status=Report.Status.READY)
    name = storages["reports"].save(f"{report.pk}.csv", ContentFile(b"Staff number\r\n"))
    Report.objects.filter(pk=report.pk).update(file_name=name, expires_at=timezone.now() + timedelta(days=30))
    schedule = ReportSchedule.objects.create(name="Monthly", created_by=org.hr)
    schedule.recipients.set([org.hr.profile])
    return {"report": {"pk": report.pk}, "schedule": {"pk": schedule.pk}}
