from datetime import timedelta

from django.conf import settings
from django.utils import timezone

from surveys.models import Wave
from surveys.tasks import waves_tick
from tests.surveys.conftest import make_wave


def test_beat_runs_waves_tick_every_minute():
    entry = settings.CELERY_BEAT_SCHEDULE["surveys-open-and-close-waves"]
    assert entry == {"task": "surveys.tasks.waves_tick", "schedule": 60.0}
    assert waves_tick.name == entry["task"]


def test_waves_tick_task_opens_due_waves(org, survey):
    wave = make_wave(survey)
    waves_tick.apply()  # run in this process, through Celery's task machinery
    assert Wave.objects.get(pk=wave.pk).status == "open"
    Wave.objects.filter(pk=wave.pk).update(closes_at=timezone.now() - timedelta(seconds=1))
    waves_tick.apply()
    assert Wave.objects.get(pk=wave.pk).status == "closed"
