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


@shared_task(bind=True, max_retries=3, default_retry_delay=30)
def held_responses_move(self, wave_id: int):
    """Store a wave's held anonymous responses once its ballot box holds a batch (queued after a submit)."""
    try:
        services.held_responses_move(wave_id=wave_id)
    except OperationalError as exc:
        raise self.retry(exc=exc) from exc


@shared_task(bind=True, max_retries=3, default_retry_delay=30)
def held_responses_sweep(self):
    """Store every wave's held responses that make a batch (every few minutes, from Celery beat)."""
    try:
        services.held_responses_sweep()
    except OperationalError as exc:
        raise self.retry(exc=exc) from exc
