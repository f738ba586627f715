"""Celery tasks for courses: thin, take ids, idempotent, call services."""

from celery import shared_task
from django.db import OperationalError

from courses.services import assignments, learning


def _record_failure(self, exc, task_id, args, kwargs, einfo):
    assignments.assignment_fail(assignment_id=kwargs.get("assignment_id") or args[0], message=repr(exc))


@shared_task(bind=True, max_retries=3, default_retry_delay=10, on_failure=_record_failure)
def assignment_apply(self, assignment_id):
    """Enrol everyone an assignment covers. Each batch commits on its own and a re-run adds only who is
    missing, so a retry after a dropped connection resumes where the last batch ended."""
    try:
        assignments.assignment_apply(assignment_id=assignment_id)
    except OperationalError as exc:
        raise self.retry(exc=exc) from exc


@shared_task(bind=True, max_retries=3, default_retry_delay=60)
def submission_tokens_purge(self):
    """Delete old knowledge-check submission tokens (daily, from Celery beat). Running it twice deletes
    nothing more."""
    try:
        return learning.submission_tokens_purge()
    except OperationalError as exc:
        raise self.retry(exc=exc) from exc
