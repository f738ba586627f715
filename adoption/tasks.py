"""Celery tasks for adoption: thin, idempotent, calling services (readiness snapshots, nudges)."""

from celery import shared_task
from django.conf import settings
from django.db import OperationalError

from adoption import services, services_nudges


@shared_task(bind=True, max_retries=3, default_retry_delay=60)
def readiness_snapshots(self):
    """Today's readiness snapshot of every department (daily, from Celery beat). Idempotent: one per
    department and day, so a retry or a second run writes nothing new."""
    try:
        return services.snapshots_take()
    except OperationalError as exc:
        raise self.retry(exc=exc) from exc


# --- Nudges (adoption.services_nudges) ------------------------------------------------------------

SEND_CHUNK = 200


def _queue_send(ids: list[int]) -> None:
    for i in range(0, len(ids), SEND_CHUNK):
        outbox_send.delay(ids[i:i + SEND_CHUNK])


@shared_task(bind=True, max_retries=3, default_retry_delay=60)
def nudges_run(self):
    """Hourly from beat: once a day, at the council's hour on working days, plan the reminders and queue
    their sending. Idempotent: the outbox keeps one row a key, and sending skips rows already sent."""
    try:
        _queue_send(services_nudges.nudges_run())
    except OperationalError as exc:
        raise self.retry(exc=exc) from exc


@shared_task(bind=True, max_retries=None)
def outbox_send(self, ids: list[int]):
    """Send these outbox rows. Rows that could not be sent yet (mail server down, or waiting for their
    next try) are tried again with backoff; each row counts its attempts and is failed, with the reason,
    after the last one."""
    try:
        result = services_nudges.outbox_send(ids=ids)
    except OperationalError as exc:
        raise self.retry(exc=exc, countdown=_backoff(self.request.retries)) from exc
    if result.retry and self.request.retries < settings.NUDGE_SEND_MAX_ATTEMPTS:
        raise self.retry(args=[result.retry], countdown=_backoff(self.request.retries))
    # Past that, rows still queued are left to the sweep: each row fails itself, with its reason, when its
    # own attempts run out, so a row is never failed for tries it did not have.
    return len(result.sent)


def _backoff(retries: int) -> int:
    return min(settings.NUDGE_RETRY_BASE_SECONDS * 2 ** retries, 3600)


@shared_task
def outbox_sweep():
    """Every few minutes from beat: queue what is ready and was not (a lost task, a retry whose time has
    come), and fail SQLite claims a stopped sender left behind."""
    services_nudges.outbox_release_stale()
    _queue_send(services_nudges.queued_ids())


@shared_task
def outbox_purge():
    """Daily from beat: the outbox's retention (sent, failed and skipped rows older than
    NUDGE_OUTBOX_RETENTION_DAYS; never queued ones). Idempotent."""
    return services_nudges.outbox_purge()


# --- Reports (adoption.services_reports) ----------------------------------------------------------------

def _report_failed(self, exc, task_id, args, kwargs, einfo):
    from adoption import services_reports

    services_reports.report_fail(report_id=kwargs.get("report_id") or args[0],
                                 reason=services_reports.failure_reason(exc))


@shared_task(bind=True, max_retries=3, default_retry_delay=30, on_failure=_report_failed)
def report_compile(self, report_id):
    """Compile one report. Idempotent: only a queued report is claimed (a duplicate or redelivered task
    does nothing), and the file has one name per report. Storage and database errors are retried (the
    report goes back to queued, its page says why); after the last try, or on any other error, the
    report fails with the reason and HR or whoever asked can retry it."""
    from adoption import services_reports

    try:
        services_reports.report_compile(report_id=report_id)
    except (OSError, OperationalError) as exc:
        if self.request.retries < self.max_retries:
            # Back in the queue for the retry to claim (after the last try, on_failure fails it instead).
            services_reports.report_release(report_id=report_id, reason=services_reports.failure_reason(exc))
        raise self.retry(exc=exc, countdown=30 * 2 ** self.request.retries) from exc


@shared_task
def report_schedules_run():
    """Each morning from beat: the reports of schedules whose day it is (one per schedule and period)."""
    from adoption import services_reports

    return [str(pk) for pk in services_reports.report_schedules_run()]


@shared_task
def reports_sweep():
    """Every few minutes from beat: fail reports whose worker stopped; queue lost ones again."""
    from adoption import services_reports

    return services_reports.reports_sweep()


@shared_task
def reports_purge():
    """Daily from beat: delete report files past REPORT_RETENTION_DAYS (the request stays, expired)."""
    from adoption import services_reports

    return services_reports.reports_purge()
