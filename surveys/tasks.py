"""Celery tasks for surveys: thin, idempotent, calling services."""

from celery import shared_task
from django.db import OperationalError

from surveys import services


@shared_task(bind=True, max_retries=3, default_retry_delay=30)
def waves_tick(self):
    """Open and close waves whose times have come (every minute, from Celery beat)."""
    try:
        services.waves_tick()
    except OperationalError as exc:
        raise self.retry(exc=exc) from exc
