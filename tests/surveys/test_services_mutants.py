"""Tests written from a mutation run over surveys/services.py (docs/testing.md, "Mutation testing"): each
fails for a change to responding, the ballot box, the release or comment moderation that the rest of the
suite let through and that a user or an attacker could see."""

from datetime import timedelta

import pytest
from django.utils import timezone

from organisation.models import AuditEvent, EqualityData
from surveys import services
from surveys.models import Answer, HeldResponse, Participation, Response, Wave
from tests.factories import make_staff
from tests.surveys.conftest import empty_box, make_survey, make_wave


def _answers(survey, text=""):
    out = {}
    for q in survey.questions.all():
        if q.type == "agree5":
            out[q.pk] = {"number": 4}
        elif text:
            out[q.pk] = {"text": text}
    return out


def _close(wave) -> Wave:
    Wave.objects.filter(pk=wave.pk).update(closes_at=timezone.now() - timedelta(seconds=1))
    return services.wave_close(wave_id=wave.pk)


def test_hiding_and_showing_a_comment_is_stored_and_audited_with_its_wave(org):
    survey = make_survey()
    wave = services.wave_open(wave_id=make_wave(survey).pk)
    services.response_submit(profile=org.staff.profile, wave=wave, answers=_answers(survey, text="More training time"))
    empty_box(wave)
    answer = Answer.objects.exclude(text="").get()

    services.comment_hide(actor=org.hr, answer=answer)
    assert Answer.objects.get(pk=answer.pk).hidden
    event = AuditEvent.objects.get()
    assert (event.actor, event.action, event.target, event.detail) == (org.hr, "survey comment hidden", str(survey),
                                                                      {"wave": wave.pk})

    services.comment_hide(actor=org.hr, answer=answer, hidden=False)
    assert not Answer.objects.get(pk=answer.pk).hidden
    event = AuditEvent.objects.order_by("-id").first()
    assert (event.action, event.target, event.detail) == ("survey comment shown again", str(survey), {"wave": wave.pk})


def test_equality_data_goes_with_the_sheet_and_is_offered_only_where_some_response_has_it(org):
    """One responder recorded their sex (and nothing else): the held sheet and the stored response carry it,
    and the release offers sex as a filter but not the equality questions nobody answered."""
    survey = make_survey()
    wave = services.wave_open(wave_id=make_wave(survey).pk)
    EqualityData.objects.create(profile=org.staff.profile, consent_recorded_at=timezone.now(), sex="female")
    services.response_submit(profile=org.staff.profile, wave=wave, answers=_answers(survey))
    services.response_submit(profile=org.hr.profile, wave=wave, answers=_answers(survey))
    segments = sorted((h.sheet["segments"] for h in HeldResponse.objects.all()), key=lambda s: s.get("sex", ""))
    assert segments[1]["sex"] == "female" and segments[1]["age_band"] == ""
    assert "sex" not in segments[0]
    wave = _close(wave)
    assert sorted(Response.objects.values_list("sex", flat=True)) == ["", "female"]
    assert wave.released["attributes"] == [*services.SEGMENT_ATTRIBUTES, "sex"]


def test_the_population_of_a_segment_comes_from_the_people_invited(db):
    """Three part-time staff were invited and none answered: the part-time figure (0) is hidden, and the
    full-time one with it (it would equal the whole, showing that no part-timer took part)."""
    from tests.factories import make_department

    council = make_department("C", "Council")
    teams = [make_department("C-A", "Alpha", council), make_department("C-B", "Beta", council)]
    full_time = [make_staff(team) for team in teams for _ in range(10)]
    for _ in range(3):
        make_staff(teams[1], contract="part-time")
    survey = make_survey()
    wave = services.wave_open(wave_id=make_wave(survey).pk)
    for profile in full_time:
        services.response_submit(profile=profile, wave=wave, answers=_answers(survey))
    figures = _close(wave).released["figures"]
    assert figures["counts"]["org"] == 20 and figures["counts"]["org|contract=part-time"] == 0
    assert "org|contract=part-time" not in figures["released"]
    assert "org|contract=full-time" not in figures["released"]
    assert "org" in figures["released"]


def test_the_move_queued_after_a_full_batch_is_for_that_wave(org, monkeypatch, django_capture_on_commit_callbacks):
    from surveys import tasks

    queued = []
    monkeypatch.setattr(tasks.held_responses_move, "delay", lambda *args: queued.append(args))
    people = [make_staff(org.finance) for _ in range(5)]
    survey = make_survey()
    wave = services.wave_open(wave_id=make_wave(survey).pk)
    with django_capture_on_commit_callbacks(execute=True):
        for profile in people:
            services.response_submit(profile=profile, wave=wave, answers=_answers(survey))
    assert queued == [(wave.pk,)]


def test_only_people_who_wrote_something_count_towards_the_comment_threshold(org):
    """Six answer; two write a comment and four leave the box empty. The comment release counts the two."""
    people = [make_staff(org.finance) for _ in range(6)]
    survey = make_survey()
    wave = services.wave_open(wave_id=make_wave(survey).pk)
    text_question = survey.questions.get(type="text")
    for i, profile in enumerate(people):
        answers = _answers(survey)
        answers[text_question.pk] = {"text": "More training time, please" if i < 2 else ""}
        services.response_submit(profile=profile, wave=wave, answers=answers)
    released = _close(wave).released
    assert Answer.objects.filter(question=text_question).count() == 6
    assert released["figures"]["counts"]["org"] == 6
    assert released["comments"]["counts"]["org"] == 2


def test_the_ballot_box_batches_by_the_wave_s_minimum_group_not_the_council_s_current_one(org):
    """The wave opened with N = 5; the council lowers its setting to 3 afterwards. Three sheets are still
    too few to store (a batch smaller than the wave's minimum group would be easier to pick apart)."""
    from organisation.models import CouncilSettings

    people = [make_staff(org.finance) for _ in range(5)]
    survey = make_survey()
    wave = services.wave_open(wave_id=make_wave(survey).pk)
    assert wave.min_group_size == 5
    settings = CouncilSettings.load()
    settings.min_group_size = 3
    settings.save()
    assert services.thresholds()[0] == 3
    for profile in people[:3]:
        services.response_submit(profile=profile, wave=wave, answers=_answers(survey))
    assert services.held_responses_move(wave_id=wave.pk) == 0
    assert HeldResponse.objects.filter(wave=wave).count() == 3


def test_the_choices_someone_picked_are_stored(org):
    from surveys.models import Question, Section

    people = [make_staff(org.finance) for _ in range(5)]
    survey = make_survey()
    section = Section.objects.get(survey=survey)
    question = Question.objects.create(survey=survey, section=section, order=3, text="Which tools?",
                                       type=Question.Type.MULTIPLE,
                                       choices=[{"id": "a", "text": "Copilot"}, {"id": "b", "text": "ChatGPT"}])
    wave = services.wave_open(wave_id=make_wave(survey).pk)
    for profile in people:
        answers = _answers(survey)
        answers[question.pk] = {"choices": ["a", "b"]}
        services.response_submit(profile=profile, wave=wave, answers=answers)
    assert services.held_responses_move(wave_id=wave.pk) == 5
    assert list(Answer.objects.filter(question=question).values_list("choices", flat=True)) == [["a", "b"]] * 5


def test_a_named_response_is_stored_with_its_answers(org):
    from surveys.models import Survey

    survey = make_survey(mode=Survey.Mode.NAMED)
    wave = services.wave_open(wave_id=make_wave(survey).pk)
    services.response_submit(profile=org.staff.profile, wave=wave, answers=_answers(survey, text="Good course"))
    response = Response.objects.get(wave=wave)
    assert response.profile == org.staff.profile
    assert sorted(response.answers.values_list("text", "number"), key=str) == [("", 4), ("", 4), ("Good course", None)]


def test_a_sheet_with_comments_only_is_scrubbed_and_kept(org):
    """Every answer on this sheet is a comment (a survey of free-text questions): the names are still removed."""
    survey = make_survey()
    wave = services.wave_open(wave_id=make_wave(survey).pk)
    text_question = survey.questions.get(type="text")
    services.response_submit(profile=org.staff.profile, wave=wave,
                             answers={text_question.pk: {"text": f"Ask {org.env_manager.get_full_name()}"}})
    assert HeldResponse.objects.get().sheet["answers"] == [
        {"question": text_question.pk, "number": None, "choices": [], "text": "Ask [name removed]"}]


@pytest.mark.django_db(transaction=True)
def test_a_broker_that_is_down_does_not_turn_a_stored_submit_into_an_error(monkeypatch):
    """The fifth sheet fills a batch and queues a move once it commits (a real commit here); if the queue
    cannot be reached the person still gets their thanks: the sheet is safe in the box (beat's sweep stores
    it later) and they stay marked as having answered, so they cannot send a second sheet."""
    from surveys import tasks
    from tests.factories import build_org

    def down(*args):
        raise ConnectionError("broker unreachable")

    monkeypatch.setattr(tasks.held_responses_move, "delay", down)
    org = build_org()
    people = [make_staff(org.finance) for _ in range(5)]
    survey = make_survey()
    wave = services.wave_open(wave_id=make_wave(survey).pk)
    for profile in people:
        services.response_submit(profile=profile, wave=wave, answers=_answers(survey))
    assert HeldResponse.objects.filter(wave=wave).count() == 5
    assert Participation.objects.filter(wave=wave, responded=True).count() == 5
