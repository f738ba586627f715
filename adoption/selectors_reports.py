"""Reads for the reports pages: which reports a person may see, the departments they may ask about,
and HR's schedules. Who may download is decided in one place (services_reports.may_download)."""

from django.core.exceptions import ValidationError
from django.db.models import Q, QuerySet
from django.http import Http404

from adoption.models import Report, ReportSchedule
from adoption.services_reports import may_download, progress_store, schedule_next_run
from organisation import roles
from organisation.models import Department
from organisation.scoping import visible_departments


def reports_for_user(user) -> QuerySet[Report]:
    """HR: every report. Others: those they asked for and those of schedules they receive (see
    with_access for which of them they may still open)."""
    qs = Report.objects.select_related("requested_by", "schedule", "department")
    if roles.is_hr(user):
        return qs
    return (qs.filter(Q(requested_by=user) | Q(schedule__recipients__user=user)).distinct()
            .prefetch_related("schedule__recipients"))


def with_access(user, reports) -> list[Report]:
    """The reports, each marked `openable` (may_download): a list shows the others without a link, saying
    why (a department no longer theirs). No query per report."""
    reports = list(reports)
    for r in reports:
        r.openable = may_download(user, r)
    return reports


def get_report_for_user(user, pk) -> Report:
    """A report this person may open (404 otherwise, the same as one that does not exist)."""
    try:
        report = Report.objects.select_related("requested_by", "schedule", "department").get(pk=pk)
    except (Report.DoesNotExist, ValueError, TypeError, ValidationError):
        raise Http404("No such report") from None
    if not may_download(user, report):
        raise Http404("No such report")
    return report


def departments_for_request(user) -> list[Department]:
    """The departments a person may ask about, in tree order (with tree_depth)."""
    ids = list(visible_departments(user).values_list("pk", flat=True))
    return list(Department.objects.with_tree_fields().filter(pk__in=ids))


def report_progress(report: Report) -> dict:
    """What the page's progress bar shows: the task's own progress (from the cache) while it works."""
    if report.status in (Report.Status.READY, Report.Status.FAILED, Report.Status.EXPIRED):
        return {"status": report.status, "stage": report.get_status_display(), "done": 1, "total": 1}
    found = progress_store.get(report.pk)
    if report.status == Report.Status.QUEUED or found is None:
        return {"status": report.status, "stage": "Waiting for a worker to start", "done": 0, "total": 0}
    return {"status": report.status, **found}


def schedules_for_hr() -> list[ReportSchedule]:
    schedules = list(ReportSchedule.objects.select_related("department", "created_by")
                     .prefetch_related("recipients__user"))
    for s in schedules:
        s.next_run = schedule_next_run(s) if s.active else None
    return schedules
