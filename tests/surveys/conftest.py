from datetime import timedelta

import pytest
from django.utils import timezone

from surveys.models import Question, Section, Survey, Wave


def make_survey(mode=Survey.Mode.ANONYMOUS):
    survey = Survey.objects.create(title="Pulse", mode=mode)
    section = Section.objects.create(survey=survey, title="About AI")
    Question.objects.create(survey=survey, section=section, order=0, text="I understand why.", type="agree5",
                            dimension="awareness")
    Question.objects.create(survey=survey, section=section, order=1, text="I want to take part.", type="agree5",
                            dimension="desire")
    Question.objects.create(survey=survey, section=section, order=2, text="Anything else?", type="text", required=False)
    return survey


def make_wave(survey, *, opens=-1, closes=7):
    now = timezone.now()
    return Wave.objects.create(survey=survey, name="Wave 1", opens_at=now + timedelta(days=opens),
                               closes_at=now + timedelta(days=closes))


@pytest.fixture
def survey(db):
    return make_survey()
