"""Outbox retention (issue 13): sent, failed and skipped rows older than NUDGE_OUTBOX_RETENTION_DAYS are
deleted by a daily task; queued rows never are; a second run deletes nothing."""

from datetime import date, timedelta

import pytest
from django.conf import settings
from django.utils import timezone

from adoption import services_nudges as services
from adoption import tasks
from adoption.models import Outbox

pytestmark = pytest.mark.django_db


def _row(profile, n, status, age_days):
    row = Outbox.objects.create(profile=profile, rule="due-soon", subject=f"module:m{n}", period="p",
                                planned_on=date(2026, 1, 1), status=status, why="because", to="a@example.org",
                                email_subject="s", text="t", html="h")
    Outbox.objects.filter(pk=row.pk).update(created_at=timezone.now() - timedelta(days=age_days))
    return row.pk


def test_old_finished_rows_are_deleted_and_queued_ones_kept(org, settings):
    settings.NUDGE_OUTBOX_RETENTION_DAYS = 180
    p = org.staff.profile
    old = [_row(p, i, s, 200) for i, s in enumerate(("sent", "failed", "skipped"))]
    kept = [_row(p, 10, "queued", 400), _row(p, 11, "sending", 400), _row(p, 12, "sent", 100),
            _row(p, 13, "failed", 179)]
    assert tasks.outbox_purge() == 3
    assert not Outbox.objects.filter(pk__in=old).exists()
    assert sorted(Outbox.objects.values_list("pk", flat=True)) == sorted(kept)
    assert tasks.outbox_purge() == 0  # idempotent


def test_the_period_is_a_setting_and_batches_cover_everything(org, monkeypatch):
    monkeypatch.setattr(services, "PURGE_BATCH", 2)
    for i in range(5):
        _row(org.staff.profile, i, "sent", 40)
    assert services.outbox_purge(days=60) == 0
    assert services.outbox_purge(days=30) == 5
    assert Outbox.objects.count() == 0


def test_the_purge_is_on_the_beat_schedule():
    entry = settings.CELERY_BEAT_SCHEDULE["adoption-outbox-purge"]
    assert entry["task"] == "adoption.tasks.outbox_purge"
