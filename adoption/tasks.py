"""Celery tasks for adoption: thin, idempotent, calling services."""

from celery import shared_task
from django.db import OperationalError

from adoption import services


@shared_task(bind=True, max_retries=3, default_retry_delay=60)
def readiness_snapshots(self):
    """Today's readiness snapshot of every department (daily, from Celery beat). Idempotent: one per
    department and day, so a retry or a second run writes nothing new."""
    try:
        return services.snapshots_take()
    except OperationalError as exc:
        raise self.retry(exc=exc) from exc
