"""A wave's life as beat drives it, at the edges mutation testing found unchecked: who is invited,
the thresholds' floor, when the mode locks, and that opening and closing happen once, at their times."""

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from organisation.models import CouncilSettings
from surveys import services
from surveys.models import Participation, Survey, Wave
from tests.factories import make_staff
from tests.surveys.conftest import make_wave


def _invited(wave):
    return set(Participation.objects.filter(wave=wave).values_list("profile_id", flat=True))


def test_leavers_and_disabled_accounts_are_not_invited(org, survey):
    leaver = make_staff(org.finance)
    leaver.active = False
    leaver.save()
    disabled = make_staff(org.finance)
    disabled.user.is_active = False
    disabled.user.save()
    wave = services.wave_open(wave_id=make_wave(survey).pk)
    assert leaver.pk not in _invited(wave) and disabled.pk not in _invited(wave)
    assert org.staff.profile.pk in _invited(wave)
    assert wave.invited_count == 7


def test_a_wave_for_a_department_alone_leaves_out_the_teams_beneath(org, survey):
    wave = make_wave(survey)
    wave.departments.add(org.environment)
    wave.include_subdepartments = False
    wave.save()
    wave = services.wave_open(wave_id=wave.pk)
    assert _invited(wave) == {org.env_manager.profile.pk}  # not Waste Collection's frontline worker


def test_thresholds_never_go_below_three_and_comments_never_below_figures(db):
    for figures, comments, fixed in [(3, 10, (3, 10)), (2, 10, (3, 10)), (6, 4, (6, 6)), (1, 1, (3, 3))]:
        CouncilSettings.objects.update_or_create(pk=1, defaults={"min_group_size": figures,
                                                                 "min_comment_group_size": comments})
        assert services.thresholds() == fixed


def test_a_scheduled_wave_does_not_lock_the_mode(org, survey):
    make_wave(survey, opens=3, closes=10)
    assert not services.survey_mode_locked(survey)


def test_closing_again_does_not_decide_the_release_again(org, survey):
    wave = services.wave_open(wave_id=make_wave(survey).pk)
    later = timezone.now() + timedelta(days=8)
    wave = services.wave_close(wave_id=wave.pk, now=later)
    assert wave.status == Wave.Status.CLOSED
    Wave.objects.filter(pk=wave.pk).update(released={"decided": "once"})
    again = services.wave_close(wave_id=wave.pk, now=later + timedelta(days=1))
    again.refresh_from_db()
    assert again.released == {"decided": "once"}


def test_a_wave_that_never_opened_is_not_closed(org, survey):
    wave = make_wave(survey, opens=-9, closes=-2)
    assert services.wave_close(wave_id=wave.pk).status == Wave.Status.SCHEDULED


def test_tick_opens_and_closes_at_the_time_it_is_given(org, survey):
    now = timezone.now()
    first, second = make_wave(survey, opens=1, closes=5), make_wave(survey, opens=2, closes=6)
    assert services.waves_tick(now=now) == (0, 0)
    assert services.waves_tick(now=now + timedelta(days=3)) == (2, 0)
    assert services.waves_tick(now=now + timedelta(days=3)) == (0, 0)  # open already: not counted again
    assert services.waves_tick(now=now + timedelta(days=7)) == (0, 2)
    assert services.waves_tick(now=now + timedelta(days=7)) == (0, 0)
    assert set(Wave.objects.filter(pk__in=[first.pk, second.pk]).values_list("status", flat=True)) == {"closed"}


def test_tick_leaves_a_wave_whose_closing_time_passed_before_it_opened(org, survey):
    # Its survey could not be sent in time: it stays scheduled for HR to change or cancel, never
    # opening and closing in one tick with results nobody could have given.
    wave = make_wave(survey, opens=-9, closes=-2)
    assert services.waves_tick() == (0, 0)
    wave.refresh_from_db()
    assert wave.status == Wave.Status.SCHEDULED and not Participation.objects.filter(wave=wave).exists()


def test_named_survey_mode_is_fixed_on_the_wave(org, survey):
    Survey.objects.filter(pk=survey.pk).update(mode=Survey.Mode.NAMED)
    wave = services.wave_open(wave_id=make_wave(survey).pk)
    assert wave.mode == Survey.Mode.NAMED


def test_tick_skips_a_wave_that_cannot_be_sent_says_why_and_opens_the_others(org, caplog):
    from surveys.models import Question
    from tests.surveys.conftest import make_survey

    broken = make_survey()
    Question.objects.filter(survey=broken, type="agree5").update(required=False)  # not allowed when anonymous
    stuck = make_wave(broken)
    good = make_wave(make_survey())
    with caplog.at_level("WARNING", logger="surveys.services"):
        assert services.waves_tick() == (1, 0)
    assert Wave.objects.get(pk=good.pk).status == Wave.Status.OPEN
    assert Wave.objects.get(pk=stuck.pk).status == Wave.Status.SCHEDULED
    [record] = [r for r in caplog.records if r.name == "surveys.services"]
    with pytest.raises(ValidationError) as refused:
        services.survey_check(broken)
    reason = " ".join(refused.value.messages)
    assert record.getMessage() == f"Wave {stuck.pk} not opened: {reason}"
    assert reason
