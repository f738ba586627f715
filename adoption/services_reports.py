"""Writes for reports: asking for one, compiling it (from the Celery task), retrying, expiring old files,
downloads (audited), and scheduled reports with their emails.

A report's life: queued -> running (a progress bar reads the cache while the task works) -> ready, or
failed with the reason (and Retry). Exactly one file per report:
- the file is written to a local temporary file first and copied into the "reports" storage only when
  complete, under a name fixed by the report's id: a retried or duplicated task overwrites that name (it
  deletes what is there first), so there is never a second file and never a half-written one;
- a task claims the report with one conditional UPDATE (queued -> running), so only one task compiles a
  report at a time, and marks it ready with another (running -> ready); a duplicated or redelivered task
  finds nothing to claim and does nothing. An error the task will retry puts the report back to queued;
- a worker killed mid-compile leaves the report running with a heartbeat that stops: the sweep fails it,
  with that reason, once the heartbeat is STALE_HEARTBEAT old, and Retry queues it again.
"""

import contextlib
import os
import tempfile
from datetime import date, datetime, timedelta

from django.conf import settings
from django.core.files import File
from django.core.files.storage import storages
from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.template.loader import get_template
from django.urls import reverse
from django.utils import timezone

from adoption import nudges, reports
from adoption.models import Outbox, Report, ReportFormat, ReportSchedule
from organisation import roles
from organisation.models import CouncilSettings, Department, StaffProfile
from organisation.progress import TaskProgress
from organisation.scoping import can_see_department
from organisation.services import audit_record

progress_store = TaskProgress("report", timeout=6 * 3600)
WRITERS = {ReportFormat.CSV: "csv", ReportFormat.XLSX: "xlsx", ReportFormat.PDF: "pdf"}
STALE_HEARTBEAT = timedelta(minutes=10)  # progress beats every few seconds while a report compiles
HEARTBEAT_EVERY = timedelta(seconds=15)
LOST_QUEUED_AFTER = timedelta(minutes=30)


class ReportRefused(Exception):
    """A request the person may not make (a department outside their scope, a bad period)."""


class ReportFailed(Exception):
    """A failure with a reason meant for the person who asked."""


def storage():
    return storages["reports"]


def file_name_for(report: Report) -> str:
    return f"{report.pk}.{report.format}"


def may_request(user, department: Department | None) -> bool:
    """HR: the whole organisation or any department. A manager: a department they manage or one beneath."""
    if roles.is_hr(user):
        return True
    if department is None:
        return False
    return can_see_department(user, department.pk)


def may_download(user, report: Report) -> bool:
    """HR, or whoever asked (while the scope is still theirs), or a recipient of its schedule (likewise).
    A department's report whose department has gone is HR's only."""
    if roles.is_hr(user):
        return True
    if not report.whole_organisation and report.department is None:
        return False
    scope = None if report.whole_organisation else report.department
    asked = report.requested_by_id == user.pk
    # (recipients are read through .all(), so a list that prefetched them makes no query per report)
    recipient = (report.schedule_id is not None
                 and any(p.user_id == user.pk and p.active for p in report.schedule.recipients.all()))
    return (asked or recipient) and may_request(user, scope)


# --- Asking ---------------------------------------------------------------------------------------

def period_problem(start: date | None, end: date) -> tuple[str, str] | None:
    """What is wrong with a report's period, as (the field it is about, the message), or None. The one
    rule for the form's field errors and for every request. `start` None (not a date): the end alone."""
    if end > timezone.localdate():
        return "end", "The period cannot end after today."
    if start is None:
        return None
    if start > end:
        return "start", "The period must start on or before the day it ends."
    if (end - start).days > 366 * 3:
        return "start", "The period can be at most three years."
    return None


def report_request(*, actor, department: Department | None, format: str, start: date, end: date,
                   schedule: ReportSchedule | None = None, queue: bool = True) -> Report:
    """Ask for a report (audited) and queue its compiling once the request is committed."""
    if schedule is None and not may_request(actor, department):
        raise ReportRefused("You can ask for reports on your own departments only.")
    problem = period_problem(start, end)
    if problem is not None:
        raise ReportRefused(problem[1])
    with transaction.atomic():
        report = Report.objects.create(
            requested_by=actor, schedule=schedule, whole_organisation=department is None, department=department,
            scope_label=department.name if department else "Whole organisation", format=format,
            period_start=start, period_end=end)
        audit_record(actor=actor, action="report.request", target=report.scope_label,
                     detail={"report": str(report.pk), "format": format, "start": start.isoformat(),
                             "end": end.isoformat(), "schedule": schedule.pk if schedule else None})
        if queue:
            _queue_after_commit(report.pk)
    return report


def _queue_after_commit(report_id) -> None:
    from adoption import tasks

    pk = str(report_id)
    transaction.on_commit(lambda: tasks.report_compile.delay(pk))


def report_retry(*, actor, report: Report) -> Report:
    """Queue a failed (or expired) report again, for the same request: same id, same file name."""
    with transaction.atomic():
        won = Report.objects.filter(pk=report.pk, status__in=[Report.Status.FAILED, Report.Status.EXPIRED]).update(
            status=Report.Status.QUEUED, failure="", queued_at=timezone.now(), started_at=None, heartbeat_at=None,
            finished_at=None, expires_at=None)
        if won:
            audit_record(actor=actor, action="report.retry", target=report.scope_label,
                         detail={"report": str(report.pk)})
            _queue_after_commit(report.pk)
    report.refresh_from_db()
    return report


# --- Compiling (the task) -------------------------------------------------------------------------------

def _claim(report_id) -> bool:
    now = timezone.now()
    return bool(Report.objects.filter(pk=report_id, status=Report.Status.QUEUED)
                .update(status=Report.Status.RUNNING, started_at=now, heartbeat_at=now, failure=""))


def report_release(*, report_id, reason: str) -> None:
    """Put a running report back in the queue (the task will try again after an error)."""
    Report.objects.filter(pk=report_id, status=Report.Status.RUNNING).update(
        status=Report.Status.QUEUED, queued_at=timezone.now(), failure=reason[:2000])
    progress_store.set(report_id, stage=f"Trying again shortly after an error ({reason})"[:300], done=0, total=1)


def report_compile(*, report_id) -> Report | None:
    """Compile a report into its file. Returns None when there was nothing to do (ready, failed, expired or
    gone). Storage or database errors propagate (the task retries them, then records the failure)."""
    if not _claim(report_id):
        return None
    Report.objects.filter(pk=report_id).update(attempts=F("attempts") + 1)
    report = Report.objects.select_related("department").get(pk=report_id)
    progress_store.set(report.pk, stage="Starting", done=0, total=1)
    beat = [timezone.now()]

    def progress(stage, done, total):
        progress_store.set(report.pk, stage=stage, done=done, total=total)
        now = timezone.now()
        if now - beat[0] >= HEARTBEAT_EVERY:  # a sign of life for the sweep, a few times a minute at most
            beat[0] = now
            Report.objects.filter(pk=report.pk, status=Report.Status.RUNNING).update(heartbeat_at=now)

    if not report.whole_organisation and report.department is None:
        raise ReportFailed("The department this report was for no longer exists.")
    scope = reports.scope_for(None if report.whole_organisation else report.department)
    fd, tmp = tempfile.mkstemp(prefix="tandem-report-", suffix=f".{report.format}")
    try:
        if report.format == ReportFormat.CSV:
            with os.fdopen(fd, "w", encoding="utf-8", newline="") as fh:
                rows = reports.write_csv(fh, scope, start=report.period_start, end=report.period_end, progress=progress)
        else:
            os.close(fd)
            write = reports.write_xlsx if report.format == ReportFormat.XLSX else reports.write_pdf
            rows = write(tmp, scope, start=report.period_start, end=report.period_end, progress=progress)
        progress("Saving the file", 1, 1)
        name = _store(report, tmp)
        size = os.path.getsize(tmp)
    finally:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
    now = timezone.now()
    Report.objects.filter(pk=report.pk, status=Report.Status.RUNNING).update(
        status=Report.Status.READY, file_name=name, size=size, rows=rows, finished_at=now,
        expires_at=now + timedelta(days=settings.REPORT_RETENTION_DAYS))
    progress("Ready", 1, 1)
    report.refresh_from_db()
    if report.status == Report.Status.READY and report.schedule_id is not None:
        report_deliveries_plan(report=report)
    return report


def _store(report: Report, local_path: str) -> str:
    """Copy the finished file into the reports storage under the report's own name, replacing what a
    previous attempt left, so one request never has two files."""
    store = storage()
    name = file_name_for(report)
    if store.exists(name):  # (the default storage overwrites anyway: allow_overwrite)
        store.delete(name)
    with open(local_path, "rb") as fh:
        saved = store.save(name, File(fh, name=name))
    if saved != name:  # the storage chose another name: never keep a second file
        store.delete(saved)
        raise ReportFailed(f"The storage would not save the file under its name ({name}).")
    return saved


def report_fail(*, report_id, reason: str) -> None:
    """Record why a report failed (the task's last word), unless it got to ready after all."""
    Report.objects.filter(pk=report_id, status__in=[Report.Status.QUEUED, Report.Status.RUNNING]).update(
        status=Report.Status.FAILED, failure=reason[:2000], finished_at=timezone.now())


def failure_reason(exc: Exception) -> str:
    if isinstance(exc, ReportFailed):
        return str(exc)
    if isinstance(exc, OSError):
        return f"The report could not be saved to file storage ({type(exc).__name__}: {exc}). Retry it; if it fails again, tell whoever runs Tandem."
    return f"Compiling stopped with an error ({type(exc).__name__}: {exc}). Retry it; if it fails again, tell whoever runs Tandem."


def reports_sweep(*, now: datetime | None = None) -> dict:
    """Reports whose worker stopped (no heartbeat for STALE_HEARTBEAT) fail with that reason; queued ones
    whose task was lost (queued more than LOST_QUEUED_AFTER ago) are queued again, once each sweep."""
    now = now or timezone.now()
    stale = Report.objects.filter(status=Report.Status.RUNNING, heartbeat_at__lt=now - STALE_HEARTBEAT).update(
        status=Report.Status.FAILED, finished_at=now,
        failure="The worker compiling this report stopped before it finished (it was restarted, or ran out of "
                "time or memory). Retry it.")
    lost = list(Report.objects.filter(status=Report.Status.QUEUED, queued_at__lt=now - LOST_QUEUED_AFTER)
                .values_list("pk", flat=True))
    Report.objects.filter(pk__in=lost).update(queued_at=now)  # the next sweep waits another while
    for pk in lost:
        _queue_after_commit(pk)
    return {"failed": stale, "requeued": len(lost)}


def reports_purge(*, now: datetime | None = None) -> int:
    """Delete the files of reports past their retention period; the request stays, marked expired
    (downloads are audited, so the audit log keeps who had it)."""
    now = now or timezone.now()
    store = storage()
    n = 0
    for report in Report.objects.filter(status=Report.Status.READY, expires_at__lt=now):
        if report.file_name and store.exists(report.file_name):
            store.delete(report.file_name)
        Report.objects.filter(pk=report.pk).update(status=Report.Status.EXPIRED, file_name="", size=0)
        n += 1
    return n


def report_download(*, actor, report: Report):
    """Open a ready report's file for `actor` (the view checked may_download), audited."""
    audit_record(actor=actor, action="report.download", target=report.scope_label,
                 detail={"report": str(report.pk), "format": report.format,
                         "period": f"{report.period_start}..{report.period_end}"})
    return storage().open(report.file_name, "rb")


# --- Schedules ------------------------------------------------------------------------------------

def _first_working_day(start: date, division: str) -> date:
    day = start
    while not nudges.is_working_day(day, division):
        day += timedelta(days=1)
    return day


def schedule_period(frequency: str, today: date, division: str = "england-and-wales") -> tuple[date, date] | None:
    """When `today` is the schedule's day (the first working day of its week, month or quarter), the
    period its report covers (the week, month or quarter before); otherwise None."""
    if frequency == ReportSchedule.Frequency.WEEKLY:
        monday = today - timedelta(days=today.weekday())
        if _first_working_day(monday, division) != today:
            return None
        return monday - timedelta(days=7), monday - timedelta(days=1)
    first = today.replace(day=1)
    if frequency == ReportSchedule.Frequency.QUARTERLY and first.month not in (1, 4, 7, 10):
        return None
    if _first_working_day(first, division) != today:
        return None
    end = first - timedelta(days=1)
    months = 3 if frequency == ReportSchedule.Frequency.QUARTERLY else 1
    start = end.replace(day=1)
    for _ in range(months - 1):
        start = (start - timedelta(days=1)).replace(day=1)
    return start, end


def schedule_next_run(schedule: ReportSchedule, today: date | None = None) -> date:
    today = today or timezone.localdate()
    division = _division()
    day = today
    for _ in range(400):
        if schedule_period(schedule.frequency, day, division) is not None:
            return day
        day += timedelta(days=1)
    return day


def _division() -> str:
    from adoption.models import NudgeSettings

    return NudgeSettings.load().division


CATCH_UP_DAYS = 6  # a schedule day missed (beat or the server down) is caught up within this many days


def _latest_day(frequency: str, today: date, division: str) -> tuple[date, tuple[date, date]] | None:
    """The schedule's latest day from CATCH_UP_DAYS ago to today, with its period, if there was one."""
    for back in range(CATCH_UP_DAYS + 1):
        day = today - timedelta(days=back)
        period = schedule_period(frequency, day, division)
        if period is not None:
            return day, period
    return None


def report_schedules_run(*, today: date | None = None) -> list:
    """Beat, each morning: a report for every active schedule whose day it is, or whose day was missed in
    the last CATCH_UP_DAYS (one per schedule and period: a second run makes nothing new)."""
    today = today or timezone.localdate()
    division = _division()
    made = []
    for schedule in ReportSchedule.objects.filter(active=True).select_related("department", "created_by"):
        latest = _latest_day(schedule.frequency, today, division)
        # Only days since the schedule was made: a new schedule waits for its next day.
        if latest is None or latest[0] < timezone.localdate(schedule.created_at):
            continue
        period = latest[1]
        if Report.objects.filter(schedule=schedule, period_start=period[0]).exists():
            continue
        try:
            with transaction.atomic():
                report = report_request(actor=schedule.created_by, department=schedule.department,
                                        format=schedule.format, start=period[0], end=period[1], schedule=schedule)
        except IntegrityError:  # another beat got there first
            continue
        made.append(report.pk)
    return made


_HR = Q(user__groups__name=roles.HR_GROUP) | Q(user__is_superuser=True)  # organisation.roles.is_hr, as a filter


def _active_with_email(managers: Q):
    """Active staff with an email who are HR, or who match `managers`, by name."""
    return (StaffProfile.objects.filter(active=True).exclude(user__email="").filter(_HR | managers)
            .select_related("user", "department").distinct().order_by("user__last_name", "user__first_name"))


def eligible_recipients(department: Department | None):
    """Who may be sent a schedule's link: active staff with an email who may see the report's scope (HR,
    or managers of the department or one above it)."""
    if department is None:
        return _active_with_email(Q())  # the whole organisation: HR only
    return _active_with_email(Q(user__managed_departments__in=department.ancestors(include_self=True)))


def recipient_choices():
    """Everyone who could receive some scheduled report: active staff with an email who are HR or manage
    a department (each schedule then checks its own scope)."""
    return _active_with_email(Q(user__managed_departments__isnull=False))


def schedule_save(*, actor, schedule: ReportSchedule, recipients) -> ReportSchedule:
    allowed = set(eligible_recipients(schedule.department).values_list("pk", flat=True))
    outside = [p for p in recipients if p.pk not in allowed]
    if outside:
        names = ", ".join(p.user.get_full_name() or p.user.username for p in outside)
        scope = schedule.department.name if schedule.department else "the whole organisation"
        raise ReportRefused(f"{names} cannot see {scope}: choose HR, or managers of those departments.")
    created = schedule.pk is None
    with transaction.atomic():
        if created:
            schedule.created_by = actor
        schedule.save()
        schedule.recipients.set(recipients)
        audit_record(actor=actor, action="report.schedule_create" if created else "report.schedule_update",
                     target=schedule.name, detail={"schedule": schedule.pk, "format": schedule.format,
                                                   "frequency": schedule.frequency,
                                                   "recipients": sorted(p.pk for p in recipients)})
    return schedule


def schedule_delete(*, actor, schedule: ReportSchedule) -> None:
    with transaction.atomic():
        audit_record(actor=actor, action="report.schedule_delete", target=schedule.name,
                     detail={"schedule": schedule.pk})
        schedule.delete()


def report_deliveries_plan(*, report: Report) -> list[int]:
    """Put one email per recipient in the outbox (keyed by recipient, report: never twice), with a link
    to the report's page (sign-in needed), never the file; then queue their sending."""
    from adoption.tasks import _queue_send

    schedule = report.schedule
    council = CouncilSettings.load().name
    today = timezone.localdate()
    url = settings.BASE_URL + reverse("adoption:report", args=[report.pk])
    text, html = get_template("adoption/email/report.txt"), get_template("adoption/email/report.html")
    creator = schedule.created_by.get_full_name() if schedule.created_by else "HR"
    why = (f"You are a recipient of the scheduled report '{schedule.name}', set up by {creator}. "
           "To stop receiving it, ask HR to take you off its list.")
    ids = []
    for profile in schedule.recipients.filter(active=True).exclude(user__email="").select_related("user"):
        context = {"first_name": profile.user.first_name, "council_name": council, "schedule": schedule,
                   "report": report, "url": url, "why": why, "expires": report.expires_at}
        row, created = Outbox.objects.get_or_create(
            profile=profile, rule=nudges.REPORT, subject=f"report:{report.pk}", period=str(report.period_start),
            defaults={"planned_on": today, "why": why[:400], "mandatory": True, "to": profile.user.email,
                      "email_subject": f"{council}: your report '{schedule.name}' is ready"[:200],
                      "text": text.render(context), "html": html.render(context)})
        if created:
            ids.append(row.pk)
    if ids:
        transaction.on_commit(lambda: _queue_send(ids))
    return ids
