"""Running a wave and taking responses, with the anonymity guarantees checked on the stored rows."""

import threading
from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.db import connection, models
from django.utils import timezone

from organisation.models import CouncilSettings
from surveys import services
from surveys.models import Answer, HeldResponse, Participation, Question, Response, Survey, Wave
from tests.conftest import requires_postgres
from tests.factories import make_staff
from tests.surveys.conftest import around_finance, empty_box, make_survey, make_wave


def answers_for(survey, agree=4, text=""):
    out = {}
    for q in survey.questions.all():
        if q.type == "agree5":
            out[q.pk] = {"number": agree}
        elif text:
            out[q.pk] = {"text": text}
    return out


def test_opening_fixes_mode_and_thresholds_and_invites_everyone(org, survey):
    CouncilSettings.objects.update_or_create(pk=1, defaults={"min_group_size": 6, "min_comment_group_size": 12})
    wave = services.wave_open(wave_id=make_wave(survey).pk)
    assert (wave.status, wave.mode, wave.min_group_size, wave.min_comment_group_size) == ("open", "anonymous", 6, 12)
    assert wave.invited_count == Participation.objects.filter(wave=wave).count() == 7
    # Later changes to the council settings do not touch an open wave.
    CouncilSettings.objects.filter(pk=1).update(min_group_size=3)
    wave.refresh_from_db()
    assert wave.min_group_size == 6


def test_opening_twice_does_nothing_more(org, survey):
    wave = make_wave(survey)
    services.wave_open(wave_id=wave.pk)
    services.wave_open(wave_id=wave.pk)
    assert Participation.objects.filter(wave=wave).count() == 7


def test_opening_an_open_wave_again_changes_nothing(org, survey):
    # Beat may run wave_open again (a retried task, two ticks): thresholds, mode and the invited
    # population stay as they were fixed at opening, even if the council's settings changed since.
    CouncilSettings.objects.update_or_create(pk=1, defaults={"min_group_size": 6, "min_comment_group_size": 12})
    wave = services.wave_open(wave_id=make_wave(survey).pk)
    CouncilSettings.objects.filter(pk=1).update(min_group_size=4, min_comment_group_size=20)
    Survey.objects.filter(pk=survey.pk).update(mode=Survey.Mode.NAMED)
    make_staff(org.finance)
    again = services.wave_open(wave_id=wave.pk)
    again.refresh_from_db()
    assert (again.status, again.mode, again.min_group_size, again.min_comment_group_size) == ("open", "anonymous", 6, 12)
    assert again.invited_count == Participation.objects.filter(wave=wave).count() == 7


def test_wave_for_departments_invites_their_subtree_only(org, survey):
    wave = make_wave(survey)
    wave.departments.add(org.environment)
    services.wave_open(wave_id=wave.pk)
    invited = set(Participation.objects.filter(wave=wave).values_list("profile__user__first_name", flat=True))
    assert invited == {"Dave", "Morgan"}


def test_a_scheduled_wave_does_not_open_early(org, survey):
    wave = services.wave_open(wave_id=make_wave(survey, opens=1).pk)
    assert wave.status == Wave.Status.SCHEDULED


def test_mode_is_locked_once_a_wave_opens(org, survey):
    assert not services.survey_mode_locked(survey)
    services.wave_open(wave_id=make_wave(survey).pk)
    assert services.survey_mode_locked(survey)


def test_anonymous_surveys_allow_only_free_text_to_be_optional(db):
    survey = make_survey()
    Question.objects.filter(type="agree5").update(required=False)
    with pytest.raises(ValidationError):
        services.survey_check(survey)


def test_anonymous_response_has_no_person_and_no_time(org, survey):
    wave = services.wave_open(wave_id=make_wave(survey).pk)
    services.response_submit(profile=org.staff.profile, wave=wave, answers=answers_for(survey))
    held = HeldResponse.objects.get()
    assert held.sheet["segments"] == {"department_id": org.finance.pk, "work_pattern": "office", "contract": "full-time",
                                      "has_work_email": True, "grade_band": org.staff.profile.grade_band}
    assert empty_box(wave) == 1
    response = Response.objects.get()
    assert response.profile_id is None and response.anonymous
    assert response.department_id == org.finance.pk and response.work_pattern == "office"
    for model in (Response, Answer, HeldResponse):
        assert not [f.name for f in model._meta.fields if isinstance(f, models.DateField | models.DateTimeField)]
        assert isinstance(model._meta.pk, models.UUIDField)
    assert Participation.objects.get(wave=wave, profile=org.staff.profile).responded


def test_named_response_records_the_person(org):
    survey = make_survey(mode=Survey.Mode.NAMED)
    wave = services.wave_open(wave_id=make_wave(survey).pk)
    services.response_submit(profile=org.staff.profile, wave=wave, answers=answers_for(survey))
    # Stored at once: a named response carries the person, so the ballot box has nothing to hide.
    assert not HeldResponse.objects.exists()
    response = Response.objects.get()
    assert response.profile == org.staff.profile and not response.anonymous


def test_second_submit_is_refused_and_writes_nothing(org, survey):
    wave = services.wave_open(wave_id=make_wave(survey).pk)
    services.response_submit(profile=org.staff.profile, wave=wave, answers=answers_for(survey))
    with pytest.raises(services.AlreadyResponded):
        services.response_submit(profile=org.staff.profile, wave=wave, answers=answers_for(survey, agree=1))
    assert HeldResponse.objects.count() == 1
    empty_box(wave)
    assert Response.objects.count() == 1
    assert list(Answer.objects.values_list("number", flat=True).exclude(number=None)) == [4, 4]


def test_not_invited_cannot_respond(org, survey):
    wave = make_wave(survey)
    wave.departments.add(org.environment)
    wave = services.wave_open(wave_id=wave.pk)
    with pytest.raises(services.NotInvited):
        services.response_submit(profile=org.staff.profile, wave=wave, answers=answers_for(survey))


def test_closed_wave_takes_no_responses(org, survey):
    wave = services.wave_open(wave_id=make_wave(survey).pk)
    Wave.objects.filter(pk=wave.pk).update(closes_at=timezone.now() - timedelta(minutes=1))
    wave = services.wave_close(wave_id=wave.pk)
    with pytest.raises(services.WaveNotOpen):
        services.response_submit(profile=org.staff.profile, wave=wave, answers=answers_for(survey))


def test_failed_response_write_undoes_the_participation_mark(org, survey, monkeypatch):
    wave = services.wave_open(wave_id=make_wave(survey).pk)

    def boom(**kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(services.answering, "_write_response", boom)  # where response_submit looks it up
    with pytest.raises(RuntimeError):
        services.response_submit(profile=org.staff.profile, wave=wave, answers=answers_for(survey))
    assert not Participation.objects.get(wave=wave, profile=org.staff.profile).responded


def test_comments_are_scrubbed_before_storage(org, survey):
    wave = services.wave_open(wave_id=make_wave(survey).pk)
    text = f"Ask {org.env_manager.get_full_name()} or email x.y@northmere.example, 07700 900123, {org.frontline.username}."
    services.response_submit(profile=org.staff.profile, wave=wave, answers=answers_for(survey, text=text))
    # Scrubbed before the ballot box keeps it, not only once stored as a response.
    held = [a["text"] for a in HeldResponse.objects.get().sheet["answers"] if a["text"]]
    empty_box(wave)
    stored = Answer.objects.exclude(text="").get().text
    assert held == [stored]
    assert stored == ("Ask [name removed] or email [email removed], [phone number removed], "
                      "[staff number removed].")


def test_closing_decides_the_release_once(org, survey):
    for _ in range(6):
        make_staff(org.finance)
    resources, parks = around_finance(org)
    wave = services.wave_open(wave_id=make_wave(survey).pk)
    finance = [org.staff.profile] + [pp for pp in org.finance.staff.all() if pp != org.staff.profile][:5]
    for p in finance + resources + parks:
        services.response_submit(profile=p, wave=wave, answers=answers_for(survey))
    Wave.objects.filter(pk=wave.pk).update(closes_at=timezone.now())
    wave = services.wave_close(wave_id=wave.pk)
    figures = wave.released["figures"]
    assert wave.status == "closed"
    assert figures["counts"][f"d{org.finance.pk}"] == 6
    assert {f"d{org.finance.pk}", f"d{org.resources.pk}", f"d{org.environment.pk}", "org"} <= set(figures["released"])
    # Environment is its own staff (the manager, who did not answer), Waste (nobody answered) and Parks (5): the
    # two empty parts are hidden, and Parks with them (their hidden total would otherwise be 0).
    assert f"d{org.parks.pk}" not in figures["released"] and figures["counts"][f"d{org.waste.pk}"] == 0
    # The tree the decision was made for is kept with it.
    assert figures and wave.released["tree"]["parent"][str(org.finance.pk)] == org.resources.pk
    # Closing again changes nothing.
    again = services.wave_close(wave_id=wave.pk)
    assert again.released == wave.released


def test_waves_tick_opens_and_closes(org, survey):
    due = make_wave(survey)
    later = make_wave(survey, opens=2)
    assert services.waves_tick() == (1, 0)
    Wave.objects.filter(pk=due.pk).update(closes_at=timezone.now() - timedelta(seconds=1))
    assert services.waves_tick() == (0, 1)
    assert Wave.objects.get(pk=later.pk).status == "scheduled"


@requires_postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_submits_record_one_response():
    from tests.factories import build_org

    org = build_org()
    survey = make_survey()
    wave = services.wave_open(wave_id=make_wave(survey).pk)
    barrier = threading.Barrier(6)
    outcomes = []

    def submit():
        try:
            barrier.wait()
            services.response_submit(profile=org.staff.profile, wave=wave, answers=answers_for(survey))
            outcomes.append("ok")
        except services.AlreadyResponded:
            outcomes.append("already")
        finally:
            connection.close()

    threads = [threading.Thread(target=submit) for _ in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(outcomes) == ["already"] * 5 + ["ok"]
    assert HeldResponse.objects.filter(wave=wave).count() == 1
    assert empty_box(wave) == 1 and Response.objects.filter(wave=wave).count() == 1
