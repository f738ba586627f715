from datetime import timedelta

import pytest
from django.utils import timezone

from surveys.models import HeldResponse, Question, Response, Section, Survey, Wave


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


def around_finance(org):
    """Responders that let Finance be shown in build_org's small council: Resources' own staff (five, so
    Finance is not Resources' only visible part) and five in Parks (so Environment, the other half of the
    council, is at least N). Without them, Finance's figure would give away the rest by subtraction."""
    from tests.factories import make_staff

    resources = [u.profile for u in (org.res_manager, org.hr, org.author, org.admin)] + [make_staff(org.resources)]
    parks = [make_staff(org.parks) for _ in range(5)]
    return resources, parks


def empty_box(wave) -> int:
    """Store the wave's held anonymous responses now, as its close would (submits put them in the ballot
    box; they reach the response tables in batches or at close). Returns how many were moved."""
    from surveys import services

    return services.held_responses_move(wave_id=wave.pk, everything=True)


def nothing_recorded() -> bool:
    """No answer sheet was kept anywhere: neither stored nor waiting in the ballot box."""
    return not Response.objects.exists() and not HeldResponse.objects.exists()
