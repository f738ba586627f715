"""Reports: who may ask and download (scope, audit), the life of a request (retry, a worker that stops,
a storage that fails, expiry), schedules (their working days, once per period, recipients who may see the
scope) and their emails (a link, never the file; never twice)."""

from datetime import date, datetime, timedelta

import pytest
from django.core import mail
from django.core.files.storage import storages
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from adoption import nudges, services_nudges, services_reports, tasks
from adoption.models import Outbox, Report, ReportSchedule
from organisation.models import AuditEvent


@pytest.fixture
def today():
    return timezone.localdate()


def _ask(actor, department, fmt="csv", *, start=None, end=None, queue=False):
    end = end or timezone.localdate()
    return services_reports.report_request(actor=actor, department=department, format=fmt,
                                           start=start or end - timedelta(days=30), end=end, queue=queue)


def _ready(report):
    services_reports.report_compile(report_id=report.pk)
    report.refresh_from_db()
    assert report.status == Report.Status.READY, report.failure
    return report


# --- Who may ask ------------------------------------------------------------------------------------

def test_a_manager_may_ask_about_their_own_departments_only(org):
    assert _ask(org.env_manager, org.waste).scope_label == "Waste Collection"
    with pytest.raises(services_reports.ReportRefused):
        _ask(org.env_manager, org.finance)
    with pytest.raises(services_reports.ReportRefused):
        _ask(org.env_manager, None)  # the whole organisation is HR's
    with pytest.raises(services_reports.ReportRefused):
        _ask(org.staff, org.finance)


def test_hr_may_ask_about_the_whole_organisation_and_it_is_audited(org):
    report = _ask(org.hr, None)
    assert report.whole_organisation and report.scope_label == "Whole organisation"
    event = AuditEvent.objects.get(action="report.request")
    assert event.actor == org.hr and event.detail["report"] == str(report.pk)


def test_bad_periods_are_refused(org, today):
    with pytest.raises(services_reports.ReportRefused, match="start on or before"):
        _ask(org.hr, None, start=today - timedelta(days=5), end=today - timedelta(days=10))
    with pytest.raises(services_reports.ReportRefused, match="after today"):
        _ask(org.hr, None, start=today, end=today + timedelta(days=1))
    assert not Report.objects.exists()


def test_the_form_shows_field_errors_for_a_bad_period(client, org, today):
    client.force_login(org.hr)
    response = client.post(reverse("adoption:reports"), {
        "scope": "organisation", "format": "pdf", "start": today.isoformat(),
        "end": (today + timedelta(days=3)).isoformat()})
    assert response.status_code == 200
    assert "The period cannot end after today." in response.content.decode()
    response = client.post(reverse("adoption:reports"), {
        "scope": "organisation", "format": "pdf", "start": "2026-13-01", "end": today.isoformat()})
    assert "Enter the first day as a real date" in response.content.decode()
    assert not Report.objects.exists()


def test_a_manager_cannot_choose_another_managers_department_in_the_form(client, org, today):
    client.force_login(org.env_manager)
    response = client.post(reverse("adoption:reports"), {
        "scope": str(org.finance.pk), "format": "csv", "start": today.isoformat(), "end": today.isoformat()})
    assert response.status_code == 200 and "Select a valid choice" in response.content.decode()
    response = client.post(reverse("adoption:reports"), {
        "scope": "organisation", "format": "csv", "start": today.isoformat(), "end": today.isoformat()})
    assert "Select a valid choice" in response.content.decode()
    assert not Report.objects.exists()


# --- Who may download ---------------------------------------------------------------------------------

def _status(client, user, report, name="adoption:report_download"):
    client.force_login(user)
    return client.get(reverse(name, args=[report.pk])).status_code


def test_downloads_are_for_whoever_asked_and_hr_and_each_is_audited(client, org):
    report = _ready(_ask(org.env_manager, org.environment))
    assert _status(client, org.env_manager, report) == 200
    assert _status(client, org.hr, report) == 200
    assert _status(client, org.res_manager, report) == 404  # may ask for reports, not this one
    assert _status(client, org.staff, report) == 403
    events = list(AuditEvent.objects.filter(action="report.download").order_by("id"))
    assert [e.actor for e in events] == [org.env_manager, org.hr]
    assert events[0].detail["report"] == str(report.pk)


def test_the_download_is_an_attachment_not_cached(client, org):
    report = _ready(_ask(org.hr, None))
    client.force_login(org.hr)
    response = client.get(reverse("adoption:report_download", args=[report.pk]))
    assert response["Content-Disposition"].startswith("attachment;")
    assert "progress-report-whole-organisation" in response["Content-Disposition"]
    assert response["Cache-Control"] == "private, no-store"
    assert response["Content-Type"].startswith("text/csv")
    assert b"".join(response.streaming_content).startswith("\ufeffStaff number".encode())


def test_a_manager_who_no_longer_manages_the_department_loses_the_download(client, org):
    report = _ready(_ask(org.env_manager, org.waste))
    org.environment.managers.remove(org.env_manager)
    org.finance.managers.add(org.env_manager)  # still a manager, of another department
    org.waste.managers.add(org.res_manager)
    assert _status(client, org.env_manager, report) == 404
    assert _status(client, org.res_manager, report) == 404  # manages it now, but did not ask


def test_a_report_whose_department_has_gone_is_hrs_only(client, org):
    report = _ready(_ask(org.env_manager, org.parks))
    Report.objects.filter(pk=report.pk).update(department=None)
    assert _status(client, org.env_manager, report) == 404
    assert _status(client, org.hr, report) == 200


def test_an_expired_or_unfinished_report_has_nothing_to_download(client, org):
    report = _ask(org.hr, None)
    assert _status(client, org.hr, report) == 404
    assert _status(client, org.hr, report, "adoption:report") == 200


def test_the_report_list_shows_a_manager_only_their_own(client, org):
    mine = _ask(org.env_manager, org.waste)
    theirs = _ask(org.res_manager, org.finance)
    client.force_login(org.env_manager)
    html = client.get(reverse("adoption:reports")).content.decode()
    assert str(mine.pk) in html and str(theirs.pk) not in html
    assert "Finance" not in html  # not even listed without a link
    client.force_login(org.hr)
    html = client.get(reverse("adoption:reports")).content.decode()
    assert str(mine.pk) in html and str(theirs.pk) in html


def test_the_report_list_does_not_grow_queries_with_reports(client, org):
    client.force_login(org.hr)
    _ask(org.hr, None)
    client.get(reverse("adoption:reports"))
    with CaptureQueriesContext(connection) as few:
        client.get(reverse("adoption:reports"))
    for _ in range(20):
        _ask(org.env_manager, org.waste)
    with CaptureQueriesContext(connection) as many:
        client.get(reverse("adoption:reports"))
    assert len(many) == len(few)


# --- Life of a request ------------------------------------------------------------------------------

def test_progress_is_read_from_the_cache_while_it_runs(client, org):
    report = _ask(org.hr, None)
    Report.objects.filter(pk=report.pk).update(status=Report.Status.RUNNING, started_at=timezone.now())
    services_reports.progress_store.set(report.pk, stage="Writing staff rows", done=500, total=2000)
    client.force_login(org.hr)
    data = client.get(reverse("adoption:report_progress", args=[report.pk])).json()
    assert data == {"status": "running", "stage": "Writing staff rows", "done": 500, "total": 2000, "unit": "staff"}


def test_retry_queues_a_failed_report_again_under_the_same_id(org, django_capture_on_commit_callbacks):
    report = _ask(org.hr, None)
    services_reports.report_fail(report_id=report.pk, reason="disk full")
    with django_capture_on_commit_callbacks() as queued:
        services_reports.report_retry(actor=org.hr, report=report)
    assert report.status == Report.Status.QUEUED and report.failure == ""
    assert len(queued) == 1
    ready = _ready(report)
    assert ready.file_name == f"{report.pk}.csv"
    with django_capture_on_commit_callbacks() as queued:
        services_reports.report_retry(actor=org.hr, report=ready)  # a ready one is left alone
    assert not queued and Report.objects.get(pk=report.pk).status == Report.Status.READY


def test_a_storage_that_fails_ends_the_report_failed_with_the_reason(org, settings, tmp_path):
    blocked = tmp_path / "not-a-folder"
    blocked.write_text("a file where the storage wants a folder")
    settings.STORAGES = {**settings.STORAGES, "reports": {
        "BACKEND": "django.core.files.storage.FileSystemStorage", "OPTIONS": {"location": str(blocked)}}}
    report = _ask(org.hr, None)
    result = tasks.report_compile.apply(args=[str(report.pk)])  # the real task: retries, then on_failure
    assert result.failed()
    report.refresh_from_db()
    assert report.status == Report.Status.FAILED
    assert "could not be saved to file storage" in report.failure
    assert report.attempts == tasks.report_compile.max_retries + 1


def test_the_sweep_fails_a_report_whose_worker_stopped_and_requeues_lost_ones(org, django_capture_on_commit_callbacks):
    stuck = _ask(org.hr, None)
    lost = _ask(org.hr, org.waste)
    fresh = _ask(org.hr, org.parks)
    busy = _ask(org.hr, org.finance)
    now = timezone.now()
    silent = now - services_reports.STALE_HEARTBEAT - timedelta(minutes=1)
    Report.objects.filter(pk=stuck.pk).update(status=Report.Status.RUNNING, started_at=silent, heartbeat_at=silent)
    # Started long ago but still beating: a big report, not a dead worker.
    Report.objects.filter(pk=busy.pk).update(status=Report.Status.RUNNING, started_at=now - timedelta(hours=1),
                                             heartbeat_at=now - timedelta(seconds=20))
    Report.objects.filter(pk=lost.pk).update(queued_at=now - timedelta(hours=1))
    with django_capture_on_commit_callbacks() as queued:
        assert services_reports.reports_sweep() == {"failed": 1, "requeued": 1}
        assert services_reports.reports_sweep() == {"failed": 0, "requeued": 0}  # not queued twice in a row
    assert len(queued) == 1
    stuck.refresh_from_db()
    assert stuck.status == Report.Status.FAILED and "stopped before it finished" in stuck.failure
    assert Report.objects.get(pk=fresh.pk).status == Report.Status.QUEUED
    assert Report.objects.get(pk=busy.pk).status == Report.Status.RUNNING


def test_a_retried_report_is_not_taken_for_lost(org, django_capture_on_commit_callbacks):
    report = _ask(org.hr, None)
    Report.objects.filter(pk=report.pk).update(created_at=timezone.now() - timedelta(hours=2),
                                               queued_at=timezone.now() - timedelta(hours=2))
    services_reports.report_fail(report_id=report.pk, reason="disk full")
    with django_capture_on_commit_callbacks() as queued:
        services_reports.report_retry(actor=org.hr, report=report)
        services_reports.reports_sweep()
    assert len(queued) == 1  # the retry's task only


def test_only_a_queued_report_is_compiled_so_a_duplicate_task_does_nothing(org):
    report = _ask(org.hr, None)
    Report.objects.filter(pk=report.pk).update(status=Report.Status.RUNNING, started_at=timezone.now())
    assert services_reports.report_compile(report_id=report.pk) is None
    assert Report.objects.get(pk=report.pk).attempts == 0


def test_expired_files_are_deleted_and_the_request_kept(org):
    report = _ready(_ask(org.hr, None))
    keep = _ready(_ask(org.hr, org.waste))
    store = storages["reports"]
    assert store.exists(report.file_name)
    Report.objects.filter(pk=report.pk).update(expires_at=timezone.now() - timedelta(seconds=1))
    assert services_reports.reports_purge() == 1
    report.refresh_from_db()
    assert report.status == Report.Status.EXPIRED and report.file_name == ""
    assert not store.exists(f"{report.pk}.csv")
    assert store.exists(keep.file_name)


# --- Schedules ------------------------------------------------------------------------------------

@pytest.mark.parametrize(("frequency", "day", "period"), [
    ("monthly", date(2026, 12, 1), (date(2026, 11, 1), date(2026, 11, 30))),  # Tuesday 1 December
    ("monthly", date(2026, 12, 2), None),
    ("monthly", date(2027, 1, 1), None),  # New Year's Day
    ("monthly", date(2027, 1, 4), (date(2026, 12, 1), date(2026, 12, 31))),  # the first working day
    ("quarterly", date(2027, 1, 4), (date(2026, 10, 1), date(2026, 12, 31))),
    ("quarterly", date(2026, 12, 1), None),
    ("weekly", date(2026, 12, 28), None),  # the Boxing Day bank holiday (substitute day)
    ("weekly", date(2026, 12, 29), (date(2026, 12, 21), date(2026, 12, 27))),
    ("weekly", date(2026, 11, 30), (date(2026, 11, 23), date(2026, 11, 29))),
    ("weekly", date(2026, 12, 1), None),
])
def test_schedules_run_on_the_first_working_day_and_cover_the_period_before(frequency, day, period):
    assert services_reports.schedule_period(frequency, day) == period


def _schedule(org, **kw):
    schedule = ReportSchedule(name=kw.pop("name", "Monthly for leadership"), frequency=kw.pop("frequency", "monthly"),
                              format=kw.pop("format", "csv"), department=kw.pop("department", None))
    saved = services_reports.schedule_save(actor=org.hr, schedule=schedule,
                                           recipients=kw.pop("recipients", [org.hr.profile]))
    # Made long ago, so the fixed days the tests run on are all after it.
    ReportSchedule.objects.filter(pk=saved.pk).update(created_at=timezone.make_aware(datetime(2026, 1, 1)))
    saved.refresh_from_db()
    return saved


def test_a_schedule_makes_one_report_per_period(org, django_capture_on_commit_callbacks):
    schedule = _schedule(org)
    with django_capture_on_commit_callbacks() as queued:
        made = services_reports.report_schedules_run(today=date(2026, 12, 1))
        again = services_reports.report_schedules_run(today=date(2026, 12, 1))
    assert len(made) == 1 and again == [] and len(queued) == 1
    report = Report.objects.get()
    assert (report.schedule, report.period_start, report.period_end) == (schedule, date(2026, 11, 1), date(2026, 11, 30))
    assert services_reports.report_schedules_run(today=date(2026, 12, 2)) == []


def test_a_missed_schedule_day_is_caught_up_within_the_week(org):
    _schedule(org)
    assert len(services_reports.report_schedules_run(today=date(2026, 12, 4))) == 1  # beat missed the 1st
    assert Report.objects.get().period_start == date(2026, 11, 1)
    Report.objects.all().delete()
    assert services_reports.report_schedules_run(today=date(2026, 12, 9)) == []  # too late: the next month's


def test_a_new_schedule_waits_for_its_next_day(org):
    schedule = ReportSchedule(name="New", frequency="monthly", format="csv")
    services_reports.schedule_save(actor=org.hr, schedule=schedule, recipients=[org.hr.profile])
    ReportSchedule.objects.filter(pk=schedule.pk).update(created_at=timezone.make_aware(datetime(2026, 11, 3, 9)))
    assert services_reports.report_schedules_run(today=date(2026, 11, 4)) == []  # made after Monday 2 November
    assert len(services_reports.report_schedules_run(today=date(2026, 12, 1))) == 1


def test_recipients_must_be_able_to_see_the_scope(org):
    with pytest.raises(services_reports.ReportRefused):
        _schedule(org, department=org.waste, recipients=[org.res_manager.profile])
    assert _schedule(org, department=org.waste, recipients=[org.env_manager.profile, org.hr.profile])
    with pytest.raises(services_reports.ReportRefused):
        _schedule(org, department=None, recipients=[org.env_manager.profile])  # the whole organisation


def test_the_schedule_form_says_who_cannot_see_the_scope(client, org):
    client.force_login(org.hr)
    response = client.post(reverse("adoption:report_schedule_new"), {
        "name": "Waste monthly", "scope": str(org.waste.pk), "frequency": "monthly", "format": "pdf",
        "active": "on", "recipients": [org.res_manager.profile.pk]})
    assert response.status_code == 200
    assert "cannot see Waste Collection" in response.content.decode()
    assert not ReportSchedule.objects.exists()


def test_a_recipient_gets_a_link_once_and_never_the_file(org, client):
    schedule = _schedule(org, department=org.environment, recipients=[org.env_manager.profile, org.hr.profile])
    services_reports.report_schedules_run(today=date(2026, 12, 1))
    report = _ready(Report.objects.get())
    assert services_reports.report_deliveries_plan(report=report) == []  # planned once, on ready
    rows = list(Outbox.objects.filter(rule=nudges.REPORT))
    assert sorted(r.profile_id for r in rows) == sorted([org.env_manager.profile.pk, org.hr.profile.pk])
    result = services_nudges.outbox_send(ids=[r.pk for r in rows])
    assert sorted(result.sent) == sorted(r.pk for r in rows)
    assert services_nudges.outbox_send(ids=[r.pk for r in rows]).sent == []
    assert len(mail.outbox) == 2
    message = mail.outbox[0]
    assert reverse("adoption:report", args=[report.pk]) in message.body
    assert not message.attachments and "List-Unsubscribe" not in message.extra_headers
    assert schedule.name in message.subject and "Why you got this" in message.body
    # The recipient may open it; a manager who is not a recipient may not.
    assert _status(client, org.env_manager, report) == 200
    assert _status(client, org.res_manager, report) == 404
    org.council.managers.add(org.res_manager)  # now sees Environment too, but is not on the list
    assert _status(client, org.res_manager, report) == 404


def test_the_public_pages_state_the_live_retention_period(client, org, settings):
    settings.REPORT_RETENTION_DAYS = 45
    assert "Report files are deleted after 45 days" in client.get(reverse("transparency")).content.decode()
    client.force_login(org.staff)
    assert "Report files are deleted after 45 days" in client.get(reverse("privacy")).content.decode()


def test_a_recipient_who_can_no_longer_open_the_report_is_not_sent_it(org):
    _schedule(org, department=org.environment, recipients=[org.env_manager.profile, org.hr.profile])
    services_reports.report_schedules_run(today=date(2026, 12, 1))
    _ready(Report.objects.get())
    org.environment.managers.remove(org.env_manager)  # no longer manages Environment
    rows = list(Outbox.objects.filter(rule=nudges.REPORT))
    result = services_nudges.outbox_send(ids=[r.pk for r in rows])
    skipped = Outbox.objects.get(profile=org.env_manager.profile)
    assert skipped.status == Outbox.Status.SKIPPED and "can no longer open" in skipped.skip_reason
    assert [m.to for m in mail.outbox] == [[org.hr.email]] and len(result.sent) == 1


def test_the_list_keeps_a_report_no_longer_openable_but_without_a_link(client, org):
    report = _ask(org.env_manager, org.waste)
    org.environment.managers.remove(org.env_manager)
    org.finance.managers.add(org.env_manager)
    client.force_login(org.env_manager)
    html = client.get(reverse("adoption:reports")).content.decode()
    assert "No longer yours to open" in html
    assert reverse("adoption:report", args=[report.pk]) not in html


def test_a_managers_report_list_does_not_grow_queries_with_reports(client, org):
    schedule = _schedule(org, department=org.environment, recipients=[org.env_manager.profile])
    client.force_login(org.env_manager)
    _ask(org.env_manager, org.waste)
    Report.objects.create(schedule=schedule, department=org.environment, scope_label="Environment", format="pdf",
                          period_start=date(2025, 1, 1), period_end=date(2025, 1, 1))
    client.get(reverse("adoption:reports"))
    with CaptureQueriesContext(connection) as few:
        client.get(reverse("adoption:reports"))
    for i in range(10):
        _ask(org.env_manager, org.parks)
        Report.objects.create(schedule=schedule, department=org.environment, scope_label="Environment", format="pdf",
                              period_start=date(2026, 1, 1) + timedelta(days=i), period_end=date(2026, 1, 1) + timedelta(days=i))
    with CaptureQueriesContext(connection) as many:
        html = client.get(reverse("adoption:reports")).content.decode()
    assert html.count(reverse("adoption:reports")) >= 11  # the reports are listed, with their links
    assert len(many) == len(few)


def test_deleting_a_schedule_asks_first_then_deletes_and_keeps_its_reports(client, org):
    schedule = _schedule(org)
    services_reports.report_schedules_run(today=date(2026, 12, 1))
    client.force_login(org.hr)
    url = reverse("adoption:report_schedule_delete", args=[schedule.pk])
    assert "Delete 'Monthly for leadership'?" in client.get(url).content.decode()
    assert ReportSchedule.objects.exists()
    assert client.post(url).status_code == 302
    assert not ReportSchedule.objects.exists()
    assert Report.objects.get().schedule is None
    assert AuditEvent.objects.filter(action="report.schedule_delete").exists()
