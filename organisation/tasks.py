"""Celery tasks for the organisation: thin, take ids, idempotent, call services."""

from celery import shared_task
from celery.utils.log import get_task_logger

from organisation import importing

log = get_task_logger(__name__)


def _record_failure(self, exc, task_id, args, kwargs, einfo):
    importing.staff_import_fail(import_id=kwargs.get("import_id") or args[0], message=repr(exc))


@shared_task(bind=True, max_retries=3, default_retry_delay=10, on_failure=_record_failure)
def staff_import_validate(self, import_id):
    importing.staff_import_validate(import_id=import_id)


@shared_task(bind=True, max_retries=3, default_retry_delay=10, on_failure=_record_failure)
def staff_import_apply(self, import_id, actor_id=None, leavers_typed=None):
    from django.db import OperationalError

    try:
        importing.staff_import_apply(import_id=import_id, actor_id=actor_id, leavers_typed=leavers_typed)
    except OperationalError as exc:  # database briefly unavailable or locked: the apply is all-or-nothing
        raise self.retry(exc=exc) from exc


@shared_task(bind=True, max_retries=5, default_retry_delay=60)
def invitations_send(self, profile_ids):
    from organisation.invitations import invitations_send as send

    try:
        send(profile_ids=profile_ids)
    except OSError as exc:  # the SMTP relay is unreachable: try again later; sent ones are not resent
        raise self.retry(exc=exc) from exc
