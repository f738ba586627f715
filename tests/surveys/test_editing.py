"""HR edits a survey's sections and questions until its first wave opens: the services (orders kept
0..n-1, choice ids kept, every write audited), the checks on a question's settings (in the service and
beside each field of the form), the lock once a wave has opened, what stops a wave from opening, and
the pages (HR only, 403 for other roles, 404 for a missing section or question, 405 for a GET on a move)."""

import html
import logging
import threading
from datetime import timedelta

import pytest
from django.contrib.messages import get_messages
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.urls import reverse
from django.utils import timezone

from organisation.models import AuditEvent, CouncilSettings, CouncilValue
from surveys import services
from surveys.forms_manage import QuestionForm, SurveySettingsForm
from surveys.models import HeldResponse, Participation, Question, Response, Section, Survey, Wave
from surveys.services import QuestionsLocked
from tests.conftest import requires_postgres
from tests.surveys.conftest import make_survey, make_wave

LOCKED = "A wave of this survey has opened, so its questions can no longer be changed."
EDIT_ACTIONS = ["survey section added", "survey section changed", "survey section removed", "survey section moved",
                "survey question added", "survey question changed", "survey question removed", "survey question moved"]


@pytest.fixture
def hr_client(client, org):
    client.force_login(org.hr)
    return client


# --- Helpers -------------------------------------------------------------------------------------------------

def _section(survey) -> Section:
    return survey.sections.order_by("order", "pk").first()


def _questions(section) -> list[str]:
    return list(section.questions.order_by("order", "pk").values_list("text", flat=True))


def _orders(section) -> list[int]:
    return list(section.questions.order_by("order", "pk").values_list("order", flat=True))


def _section_titles(survey) -> list[str]:
    return list(survey.sections.order_by("order", "pk").values_list("title", flat=True))


def _with_second_section(survey) -> Section:
    """A second section, after make_survey's "About AI", holding one question."""
    second = Section.objects.create(survey=survey, order=1, title="Your work")
    Question.objects.create(survey=survey, section=second, order=0, text="I have time to learn.", type="agree5")
    return second


def _snapshot(survey) -> tuple:
    """Everything editing could change, to show that a refused edit changed nothing."""
    sections = list(survey.sections.order_by("pk").values_list("pk", "order", "title"))
    questions = list(survey.questions.order_by("pk").values_list(
        "pk", "section_id", "order", "text", "help_text", "type", "required", "choices", "dimension"))
    return sections, questions


def _edit_events():
    return AuditEvent.objects.filter(action__in=EDIT_ACTIONS)


def _messages(response) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request)]


def _page(response) -> str:
    return html.unescape(response.content.decode())


def _question(section, **fields) -> Question:
    data = {"text": "Which team are you in?", "type": "single", "required": True, "choices": ["Waste", "Parks"]}
    data.update(fields)
    return services.question_add(actor=None, section=section, **data)


def _post(**overrides) -> dict:
    """A question form POST for a new single-choice question."""
    data = {"text": "Which team are you in?", "help_text": "", "type": "single", "choices": "Waste\nParks",
            "required": "yes", "dimension": ""}
    data.update(overrides)
    return data


# --- Sections (services) ----------------------------------------------------------------------------------------

def test_section_add_goes_at_the_end_and_is_audited(org, survey):
    second = services.section_add(actor=org.hr, survey=survey, title="  Your work  ")
    third = services.section_add(actor=org.hr, survey=survey, title="Support")
    assert (second.title, second.order, third.order) == ("Your work", 1, 2)
    assert _section_titles(survey) == ["About AI", "Your work", "Support"]
    events = AuditEvent.objects.filter(action="survey section added").order_by("pk")
    assert events.count() == 2
    first = events.first()
    assert first.actor == org.hr and first.target == "Pulse"
    assert first.detail == {"survey": survey.pk, "section": second.pk, "title": "Your work"}


@pytest.mark.parametrize("title", ["", "   ", "x" * 201])
def test_section_add_refuses_a_missing_or_long_title(org, survey, title):
    with pytest.raises(ValidationError) as error:
        services.section_add(actor=org.hr, survey=survey, title=title)
    assert "title" in error.value.message_dict
    assert survey.sections.count() == 1 and not _edit_events().exists()


def test_section_change_is_audited_only_when_the_title_changes(org, survey):
    section = _section(survey)
    services.section_change(actor=org.hr, section=section, title="About AI")
    assert not _edit_events().exists()
    services.section_change(actor=org.hr, section=section, title=" Using AI ")
    section.refresh_from_db()
    assert section.title == "Using AI"
    event = AuditEvent.objects.get(action="survey section changed")
    assert event.detail["title"] == ["About AI", "Using AI"] and event.detail["section"] == section.pk


def test_section_change_refuses_an_empty_title(org, survey):
    with pytest.raises(ValidationError) as error:
        services.section_change(actor=org.hr, section=_section(survey), title="  ")
    assert "title" in error.value.message_dict
    assert _section(survey).title == "About AI" and not _edit_events().exists()


def test_section_remove_takes_its_questions_and_renumbers_the_rest(org, survey):
    middle = services.section_add(actor=org.hr, survey=survey, title="Middle")
    last = services.section_add(actor=org.hr, survey=survey, title="Last")
    _question(middle, text="Going?")
    _question(middle, text="Gone?")
    kept = _question(last, text="Staying?")
    assert services.section_remove(actor=org.hr, section=middle) == 2
    assert not Section.objects.filter(pk=middle.pk).exists()
    assert not Question.objects.filter(text__in=["Going?", "Gone?"]).exists()
    assert list(survey.sections.order_by("order").values_list("title", "order")) == [("About AI", 0), ("Last", 1)]
    kept.refresh_from_db()
    assert kept.section_id == last.pk
    event = AuditEvent.objects.get(action="survey section removed")
    assert event.detail["title"] == "Middle" and event.detail["questions"] == ["Going?", "Gone?"]
    assert event.actor == org.hr


def test_section_remove_of_the_first_section(org, survey):
    second = _with_second_section(survey)
    services.section_remove(actor=org.hr, section=_section(survey))
    second.refresh_from_db()
    assert second.order == 0 and survey.questions.count() == 1


def test_section_move_up_and_down_and_nothing_at_the_ends(org, survey):
    b = services.section_add(actor=org.hr, survey=survey, title="B")
    c = services.section_add(actor=org.hr, survey=survey, title="C")
    a = _section(survey)
    services.section_move(actor=org.hr, section=c, by=-1)
    assert _section_titles(survey) == ["About AI", "C", "B"]
    assert list(survey.sections.order_by("order").values_list("order", flat=True)) == [0, 1, 2]
    event = AuditEvent.objects.get(action="survey section moved")
    assert event.detail == {"survey": survey.pk, "id": c.pk, "from": 3, "to": 2}
    services.section_move(actor=org.hr, section=a, by=-1)  # already first
    services.section_move(actor=org.hr, section=b, by=1)  # already last
    assert _section_titles(survey) == ["About AI", "C", "B"]
    assert AuditEvent.objects.filter(action="survey section moved").count() == 1
    services.section_move(actor=org.hr, section=a, by=1)
    assert _section_titles(survey) == ["C", "About AI", "B"]
    assert list(survey.sections.order_by("order").values_list("order", flat=True)) == [0, 1, 2]


def test_moving_by_more_than_one_place_is_refused(org, survey):
    services.section_add(actor=org.hr, survey=survey, title="B")
    with pytest.raises(ValueError):
        services.section_move(actor=org.hr, section=_section(survey), by=2)
    assert _section_titles(survey) == ["About AI", "B"]


# --- Questions (services) ---------------------------------------------------------------------------------------

def test_question_add_goes_at_the_end_with_its_choices_and_is_audited(org, survey):
    section = _section(survey)
    question = services.question_add(actor=org.hr, section=section, text=" Which team are you in? ", type="single",
                                     required=True, help_text=" Pick one ", choices=["Waste", "Parks", "Finance"])
    question.refresh_from_db()
    assert (question.text, question.help_text, question.order) == ("Which team are you in?", "Pick one", 3)
    assert question.survey_id == survey.pk and question.section_id == section.pk
    assert all(set(c) == {"id", "text"} for c in question.choices)
    assert [c["text"] for c in question.choices] == ["Waste", "Parks", "Finance"]
    assert len({c["id"] for c in question.choices}) == 3
    assert _orders(section) == [0, 1, 2, 3]
    event = AuditEvent.objects.get(action="survey question added")
    assert event.actor == org.hr and event.target == "Pulse"
    assert event.detail == {"survey": survey.pk, "question": question.pk, "section": section.pk,
                            "text": "Which team are you in?"}


def test_question_add_with_a_dimension_and_values(org, survey):
    openness = CouncilValue.objects.create(name="Open and honest")
    CouncilValue.objects.create(name="Caring")
    question = services.question_add(actor=org.hr, section=_section(survey), text="I trust the tools.", type="agree5",
                                     required=True, dimension="trust", values=[openness])
    question.refresh_from_db()
    assert question.dimension == "trust" and list(question.values.all()) == [openness] and question.choices == []


def test_question_change_is_audited_with_what_changed(org, survey):
    question = survey.questions.get(order=0)
    services.question_change(actor=org.hr, question=question, section=_section(survey), text="I see why we use AI.",
                             type="agree5", required=True, dimension="awareness")
    question.refresh_from_db()
    assert question.text == "I see why we use AI." and question.order == 0
    event = AuditEvent.objects.get(action="survey question changed")
    assert event.actor == org.hr
    assert event.detail == {"survey": survey.pk, "question": question.pk, "text": ["I understand why.",
                                                                                  "I see why we use AI."]}


def test_question_change_with_nothing_changed_writes_no_audit_event(org, survey):
    value = CouncilValue.objects.create(name="Open and honest")
    question = services.question_add(actor=org.hr, section=_section(survey), text="Which team?", type="single",
                                     required=True, help_text="Pick one", choices=["Waste", "Parks"])
    agree = survey.questions.get(order=0)
    agree.values.set([value])
    before = _snapshot(survey)
    services.question_change(actor=org.hr, question=question, section=_section(survey), text="Which team?",
                             type="single", required=True, help_text="Pick one", choices=["Waste", "Parks"])
    services.question_change(actor=org.hr, question=agree, section=_section(survey), text="I understand why.",
                             type="agree5", required=True, dimension="awareness", values=[value])
    assert _snapshot(survey) == before
    assert not AuditEvent.objects.filter(action="survey question changed").exists()


def test_question_change_keeps_the_ids_of_unchanged_choices(org, survey):
    question = _question(_section(survey), choices=["Yes", "No", "Not sure"])
    old = {c["text"]: c["id"] for c in question.choices}
    services.question_change(actor=org.hr, question=question, section=_section(survey), text=question.text,
                             type="single", required=True, choices=["No", "Maybe", "Yes"])
    question.refresh_from_db()
    assert [c["text"] for c in question.choices] == ["No", "Maybe", "Yes"]
    ids = {c["text"]: c["id"] for c in question.choices}
    assert ids["No"] == old["No"] and ids["Yes"] == old["Yes"]
    # A new choice gets an id no choice of this question had, not the removed "Not sure"'s.
    assert ids["Maybe"] not in old.values()
    assert len(set(ids.values())) == 3
    event = AuditEvent.objects.get(action="survey question changed")
    assert event.detail["choices"] == [["Yes", "No", "Not sure"], ["No", "Maybe", "Yes"]]


def test_choice_ids_are_unique_for_many_choices():
    old = [{"id": "a", "text": "First"}, {"id": "c", "text": "Third"}]
    texts = ["Third"] + [f"Choice {n}" for n in range(40)] + ["First"]
    out = services.choice_ids(old, texts)
    assert [c["text"] for c in out] == texts
    assert out[0]["id"] == "c" and out[-1]["id"] == "a"
    ids = [c["id"] for c in out]
    assert len(set(ids)) == len(ids) == 42


def test_changing_a_choice_question_to_agreement_drops_its_choices(org, survey):
    question = _question(_section(survey))
    services.question_change(actor=org.hr, question=question, section=_section(survey), text=question.text,
                             type="agree5", required=True)
    question.refresh_from_db()
    assert question.type == "agree5" and question.choices == []


def test_question_change_to_another_section_goes_at_its_end(org, survey):
    first = _section(survey)
    second = _with_second_section(survey)
    moving = survey.questions.get(order=0, section=first)
    services.question_change(actor=org.hr, question=moving, section=second, text=moving.text, type="agree5",
                             required=True, dimension="awareness")
    moving.refresh_from_db()
    assert moving.section_id == second.pk and moving.order == 1
    assert _questions(second) == ["I have time to learn.", "I understand why."]
    assert _questions(first) == ["I want to take part.", "Anything else?"] and _orders(first) == [0, 1]
    assert _orders(second) == [0, 1]
    event = AuditEvent.objects.get(action="survey question changed")
    assert event.detail["section"] == ["About AI", "Your work"]


def test_question_change_refuses_a_section_of_another_survey(org, survey):
    other = make_survey()
    question = survey.questions.get(order=0)
    before = _snapshot(survey)
    with pytest.raises(ValidationError) as error:
        services.question_change(actor=org.hr, question=question, section=_section(other), text="Changed?",
                                 type="agree5", required=True)
    assert "section" in error.value.message_dict
    assert _snapshot(survey) == before and not _edit_events().exists()
    assert other.questions.count() == 3


def test_question_remove_renumbers_its_section(org, survey):
    section = _section(survey)
    question = survey.questions.get(order=1)
    services.question_remove(actor=org.hr, question=question)
    assert not Question.objects.filter(pk=question.pk).exists()
    assert _questions(section) == ["I understand why.", "Anything else?"] and _orders(section) == [0, 1]
    event = AuditEvent.objects.get(action="survey question removed")
    assert event.detail == {"survey": survey.pk, "question": question.pk, "text": "I want to take part."}


def test_question_move_within_its_section_and_nothing_at_the_ends(org, survey):
    section = _section(survey)
    second = _with_second_section(survey)
    first_q, middle, last = section.questions.order_by("order")
    services.question_move(actor=org.hr, question=last, by=-1)
    assert _questions(section) == ["I understand why.", "Anything else?", "I want to take part."]
    assert _orders(section) == [0, 1, 2]
    event = AuditEvent.objects.get(action="survey question moved")
    assert event.detail == {"survey": survey.pk, "id": last.pk, "from": 3, "to": 2}
    services.question_move(actor=org.hr, question=first_q, by=-1)
    services.question_move(actor=org.hr, question=middle, by=1)  # now last of its section
    only = second.questions.get()
    services.question_move(actor=org.hr, question=only, by=1)
    services.question_move(actor=org.hr, question=only, by=-1)
    assert _questions(section) == ["I understand why.", "Anything else?", "I want to take part."]
    assert AuditEvent.objects.filter(action="survey question moved").count() == 1
    services.question_move(actor=org.hr, question=first_q, by=1)
    assert _questions(section) == ["Anything else?", "I understand why.", "I want to take part."]
    assert _orders(section) == [0, 1, 2] and _questions(second) == ["I have time to learn."]


# --- Checks on a question's settings ---------------------------------------------------------------------------

BAD_QUESTIONS = [
    pytest.param({"type": "single", "choices": ["Only one"]}, "choices",
                 "Enter at least two choices, one on each line.", id="one-choice"),
    pytest.param({"type": "multiple", "choices": []}, "choices",
                 "Enter at least two choices, one on each line.", id="no-choices"),
    pytest.param({"type": "multiple", "choices": [f"Choice {n}" for n in range(21)]}, "choices",
                 "Enter at most 20 choices.", id="21-choices"),
    pytest.param({"type": "single", "choices": ["Yes", "No", "YES"]}, "choices",
                 "Each choice must be different.", id="duplicate-choices"),
    pytest.param({"type": "single", "choices": ["x" * 201, "Short"]}, "choices",
                 "Each choice must be 200 characters or fewer.", id="long-choice"),
    pytest.param({"type": "agree5", "choices": ["Yes", "No"]}, "choices",
                 "Only \u201cChoose one\u201d and \u201cChoose any\u201d questions have choices.", id="choices-on-agree5"),
    pytest.param({"type": "text", "choices": ["Yes", "No"], "required": False}, "choices",
                 "Only \u201cChoose one\u201d and \u201cChoose any\u201d questions have choices.", id="choices-on-text"),
    pytest.param({"type": "agree5", "required": False}, "required",
                 "In an anonymous survey only free-text questions can be optional", id="optional-agree5"),
    pytest.param({"type": "scale10", "required": False}, "required",
                 "In an anonymous survey only free-text questions can be optional", id="optional-scale10"),
    pytest.param({"type": "single", "choices": ["Yes", "No"], "required": False}, "required",
                 "In an anonymous survey only free-text questions can be optional", id="optional-single"),
    pytest.param({"type": "scale10", "dimension": "trust"}, "dimension",
                 "Only agreement questions are scored, so only they can measure a dimension.", id="dimension-on-scale10"),
    pytest.param({"type": "text", "dimension": "awareness"}, "dimension",
                 "Only agreement questions are scored, so only they can measure a dimension.", id="dimension-on-text"),
    pytest.param({"type": "single", "choices": ["Yes", "No"], "values": "VALUE"}, "values",
                 "Only agreement questions are scored, so only they can be tagged with a value.", id="values-on-single"),
    pytest.param({"type": "agree5", "text": "   "}, "text", None, id="missing-text"),
    pytest.param({"type": "agree5", "text": "x" * 501}, "text", None, id="long-text"),
]


def _fields(overrides: dict) -> dict:
    fields = {"text": "A question?", "type": "agree5", "required": True, "choices": [], "dimension": "", "values": []}
    fields.update(overrides)
    if fields["values"] == "VALUE":
        fields["values"] = [CouncilValue.objects.create(name="Open and honest")]
    return fields


@pytest.mark.parametrize(("overrides", "field", "message"), BAD_QUESTIONS)
def test_question_add_refuses_bad_settings(org, survey, overrides, field, message):
    before = _snapshot(survey)
    with pytest.raises(ValidationError) as error:
        services.question_add(actor=org.hr, section=_section(survey), **_fields(overrides))
    errors = error.value.message_dict
    assert field in errors
    if message:
        assert any(message in e for e in errors[field]), errors
    assert _snapshot(survey) == before and not _edit_events().exists()


@pytest.mark.parametrize(("overrides", "field", "message"), BAD_QUESTIONS)
def test_question_change_refuses_bad_settings(org, survey, overrides, field, message):
    question = survey.questions.get(order=0)
    before = _snapshot(survey)
    with pytest.raises(ValidationError) as error:
        services.question_change(actor=org.hr, question=question, section=_section(survey), **_fields(overrides))
    assert field in error.value.message_dict
    assert _snapshot(survey) == before and not _edit_events().exists()
    assert question.values.count() == 0


@pytest.mark.parametrize("overrides", [
    pytest.param({"type": "text", "required": False}, id="optional-text"),
    pytest.param({"type": "single", "choices": [f"Choice {n}" for n in range(20)]}, id="20-choices"),
    pytest.param({"type": "multiple", "choices": ["x" * 200, "y"]}, id="200-char-choice"),
    pytest.param({"type": "agree5", "text": "x" * 500}, id="500-char-text"),
    pytest.param({"type": "agree5", "dimension": "trust", "values": "VALUE"}, id="agree5-tagged"),
])
def test_question_settings_at_the_limits_are_accepted(org, survey, overrides):
    question = services.question_add(actor=org.hr, section=_section(survey), **_fields(overrides))
    assert Question.objects.filter(pk=question.pk).exists()


@pytest.mark.parametrize("type_", ["agree5", "scale10", "single", "multiple"])
def test_a_named_survey_may_have_optional_questions_of_any_type(org, type_):
    survey = make_survey(mode=Survey.Mode.NAMED)
    choices = ["Yes", "No"] if type_ in ("single", "multiple") else []
    assert services.question_errors(survey=survey, type=type_, required=False, choices=choices, dimension="",
                                    values=[]) == {}
    question = services.question_add(actor=org.hr, section=_section(survey), text="Optional?", type=type_,
                                     required=False, choices=choices)
    question.refresh_from_db()
    assert question.required is False
    assert services.survey_problems(survey) == []


def test_question_errors_reports_each_field(survey):
    errors = services.question_errors(survey=survey, type="scale10", required=False, choices=["a"], dimension="trust",
                                      values=["something"])
    assert set(errors) == {"choices", "required", "dimension", "values"}
    assert services.question_errors(survey=survey, type="agree5", required=True, choices=[], dimension="trust",
                                    values=[]) == {}


# --- The question form ---------------------------------------------------------------------------------------------

def _form(survey, **overrides):
    data = _post(section=str(_section(survey).pk))
    data.update(overrides)
    return QuestionForm(data, survey=survey)


@pytest.mark.parametrize(("overrides", "field", "message"), [
    ({"choices": "Only one"}, "choices", "Enter at least two choices, one on each line."),
    ({"choices": "\n".join(f"Choice {n}" for n in range(21))}, "choices", "Enter at most 20 choices."),
    ({"choices": "Yes\nNo\n  yes  "}, "choices", "Each choice must be different."),
    ({"choices": "x" * 201 + "\nShort"}, "choices", "Each choice must be 200 characters or fewer."),
    ({"type": "scale10", "choices": "Yes\nNo"}, "choices", "Only \u201cChoose one\u201d and \u201cChoose any\u201d"),
    ({"type": "agree5", "choices": "", "required": "no"}, "required",
     "In an anonymous survey only free-text questions can be optional"),
    ({"type": "scale10", "choices": "", "dimension": "trust"}, "dimension",
     "Only agreement questions are scored, so only they can measure a dimension."),
    ({"text": ""}, "text", "Enter the question."),
    ({"text": "x" * 501}, "text", "The question must be 500 characters or fewer."),
])
def test_question_form_shows_errors_beside_the_field(survey, overrides, field, message):
    form = _form(survey, **overrides)
    assert not form.is_valid()
    assert any(message in e for e in form.errors.get(field, [])), form.errors


def test_question_form_values_only_when_the_council_has_some(survey):
    assert "values" not in _form(survey).fields
    value = CouncilValue.objects.create(name="Open and honest")
    form = _form(survey, values=[str(value.pk)])
    assert "values" in form.fields and not form.is_valid()
    assert "Only agreement questions are scored, so only they can be tagged with a value." in form.errors["values"]
    form = _form(survey, type="agree5", choices="", values=[str(value.pk)])
    assert form.is_valid(), form.errors
    assert form.question()["values"] == [value]


def test_question_form_cleans_choice_lines_and_allows_optional_in_a_named_survey(db):
    survey = make_survey(mode=Survey.Mode.NAMED)
    form = _form(survey, choices="  Waste \n\n Parks\n", required="no")
    assert form.is_valid(), form.errors
    assert form.question()["choices"] == ["Waste", "Parks"] and form.question()["required"] is False
    assert form.chosen_section() == _section(survey)


def test_question_form_refuses_a_section_of_another_survey(survey):
    other = make_survey()
    form = _form(survey, section=str(_section(other).pk))
    assert not form.is_valid() and "Choose a section of this survey." in form.errors["section"]


# --- Locked once a wave has opened ---------------------------------------------------------------------------------

def _lock(survey, status):
    wave = make_wave(survey)
    if status == "open":
        wave = services.wave_open(wave_id=wave.pk, now=timezone.now())
        assert wave.status == Wave.Status.OPEN
    else:
        Wave.objects.filter(pk=wave.pk).update(status=status)
    return wave


def _edits(actor, survey):
    section, second = survey.sections.order_by("order")
    question = survey.questions.get(section=section, order=0)
    return {
        "section_add": lambda: services.section_add(actor=actor, survey=survey, title="New"),
        "section_change": lambda: services.section_change(actor=actor, section=section, title="Renamed"),
        "section_remove": lambda: services.section_remove(actor=actor, section=section),
        "section_move": lambda: services.section_move(actor=actor, section=section, by=1),
        "question_add": lambda: services.question_add(actor=actor, section=section, text="New?", type="agree5",
                                                      required=True),
        "question_change": lambda: services.question_change(actor=actor, question=question, section=second,
                                                            text="Changed?", type="agree5", required=True),
        "question_remove": lambda: services.question_remove(actor=actor, question=question),
        "question_move": lambda: services.question_move(actor=actor, question=question, by=1),
    }


EDITS = ["section_add", "section_change", "section_remove", "section_move", "question_add", "question_change",
         "question_remove", "question_move"]


@pytest.mark.parametrize("status", ["open", "closed"])
@pytest.mark.parametrize("edit", EDITS)
def test_every_edit_is_refused_once_a_wave_has_opened(org, survey, status, edit):
    _with_second_section(survey)
    _lock(survey, status)
    before = _snapshot(survey)
    with pytest.raises(QuestionsLocked):
        _edits(org.hr, survey)[edit]()
    assert _snapshot(survey) == before and not _edit_events().exists()


@pytest.mark.parametrize("edit", EDITS)
def test_a_scheduled_wave_does_not_lock_the_questions(org, survey, edit):
    _with_second_section(survey)
    wave = make_wave(survey, opens=2, closes=9)
    before = _snapshot(survey)
    _edits(org.hr, survey)[edit]()
    assert _snapshot(survey) != before and _edit_events().count() == 1
    wave.refresh_from_db()
    assert wave.status == Wave.Status.SCHEDULED


def _page_urls(survey) -> list[str]:
    section = _section(survey)
    question = survey.questions.get(section=section, order=0)
    return [reverse("surveys:section_new", args=[survey.pk]), reverse("surveys:section_edit", args=[section.pk]),
            reverse("surveys:section_remove", args=[section.pk]), reverse("surveys:question_new", args=[section.pk]),
            reverse("surveys:question_edit", args=[question.pk]),
            reverse("surveys:question_remove", args=[question.pk])]


def _move_urls(survey) -> list[str]:
    section = _section(survey)
    question = survey.questions.get(section=section, order=0)
    return [reverse("surveys:section_move", args=[section.pk]), reverse("surveys:question_move", args=[question.pk])]


@pytest.mark.parametrize("status", ["open", "closed"])
def test_locked_survey_pages_send_hr_back_to_the_survey(hr_client, survey, status):
    second = _with_second_section(survey)
    _lock(survey, status)
    before = _snapshot(survey)
    back = reverse("surveys:survey", args=[survey.pk])
    for url in _page_urls(survey):
        response = hr_client.get(url)
        assert response.status_code == 302 and response["Location"] == back, url
        assert LOCKED in _messages(response), url
        data = _post(section=str(second.pk), title="Renamed")
        response = hr_client.post(url, data)
        assert response.status_code == 302 and response["Location"] == back, url
        assert LOCKED in _messages(response), url
    for url in _move_urls(survey):
        for direction in ("up", "down"):
            response = hr_client.post(url, {"direction": direction})
            assert response.status_code == 302 and response["Location"] == back, url
            assert LOCKED in _messages(response), url
    assert _snapshot(survey) == before and not _edit_events().exists()


# --- What stops a wave from opening ------------------------------------------------------------------------------------

def test_a_good_survey_has_no_problems(survey):
    assert services.survey_problems(survey) == []
    services.survey_check(survey)


def test_a_survey_with_no_questions_cannot_be_sent(db):
    survey = Survey.objects.create(title="Empty")
    Section.objects.create(survey=survey, title="Nothing yet")
    assert services.survey_problems(survey) == ["The survey has no questions. Add at least one."]
    with pytest.raises(ValidationError):
        services.survey_check(survey)


@pytest.mark.parametrize(("type_", "choices"), [
    ("single", [{"id": "a", "text": "Only one"}]),
    ("multiple", []),
])
def test_a_choice_question_with_fewer_than_two_choices_is_a_problem(survey, type_, choices):
    Question.objects.create(survey=survey, section=_section(survey), order=3, text="Thin question?", type=type_,
                            choices=choices)
    problems = services.survey_problems(survey)
    assert len(problems) == 1
    assert "A choice question needs at least two choices" in problems[0] and "Thin question?" in problems[0]
    wave = make_wave(survey)
    with pytest.raises(ValidationError):
        services.wave_open(wave_id=wave.pk, now=timezone.now())
    wave.refresh_from_db()
    assert wave.status == Wave.Status.SCHEDULED


def test_an_optional_agreement_question_in_an_anonymous_survey_is_a_problem(survey):
    Question.objects.filter(survey=survey, order=1).update(required=False)
    problems = services.survey_problems(survey)
    assert len(problems) == 1
    assert "only free-text questions can be optional" in problems[0] and "I want to take part." in problems[0]
    Survey.objects.filter(pk=survey.pk).update(mode=Survey.Mode.NAMED)
    survey.refresh_from_db()
    assert services.survey_problems(survey) == []


@pytest.mark.parametrize("bad_opens", [-1, -3], ids=["bad-wave-first", "bad-wave-last"])
def test_the_tick_skips_a_survey_with_problems_and_opens_the_others(org, caplog, bad_opens):
    empty = Survey.objects.create(title="Empty")
    bad = make_wave(empty, opens=bad_opens)
    good = make_wave(make_survey(), opens=-2)
    with caplog.at_level(logging.WARNING, logger="surveys.services"):
        opened, closed = services.waves_tick(now=timezone.now())
    assert (opened, closed) == (1, 0)
    bad.refresh_from_db()
    good.refresh_from_db()
    assert bad.status == Wave.Status.SCHEDULED and bad.mode == "" and bad.invited_count == 0
    assert not Participation.objects.filter(wave=bad).exists()
    assert good.status == Wave.Status.OPEN and Participation.objects.filter(wave=good).exists()
    assert any(f"Wave {bad.pk} not opened" in r.getMessage() and "no questions" in r.getMessage()
               for r in caplog.records if r.levelno == logging.WARNING)


# --- Survey settings: the introduction, and the mode against the questions -------------------------------------------

def test_the_introduction_changes_and_is_audited(org, survey):
    services.survey_settings_update(actor=org.hr, survey=survey, title=survey.title, mode=survey.mode,
                                    introduction="Why we are asking.")
    survey.refresh_from_db()
    assert survey.introduction == "Why we are asking." and survey.title == "Pulse"
    event = AuditEvent.objects.get(action="survey changed")
    assert event.detail == {"survey": survey.pk, "introduction": ["", "Why we are asking."]} and event.actor == org.hr
    # Not given: kept as it is.
    services.survey_settings_update(actor=org.hr, survey=survey, title="Renamed", mode=survey.mode)
    survey.refresh_from_db()
    assert survey.introduction == "Why we are asking." and survey.title == "Renamed"
    assert "introduction" not in AuditEvent.objects.filter(action="survey changed").order_by("-pk").first().detail


def test_the_introduction_can_be_changed_after_a_wave_has_opened(org, survey):
    _lock(survey, "open")
    services.survey_settings_update(actor=org.hr, survey=survey, title=survey.title, mode=survey.mode,
                                    introduction="Thank you.")
    survey.refresh_from_db()
    assert survey.introduction == "Thank you."


def test_the_settings_page_changes_the_introduction(hr_client, survey):
    url = reverse("surveys:survey_settings", args=[survey.pk])
    assert hr_client.get(url).context["form"].initial["introduction"] == ""
    response = hr_client.post(url, {"title": "Pulse", "mode": "anonymous", "introduction": "Tell us honestly."})
    assert response.status_code == 302
    survey.refresh_from_db()
    assert survey.introduction == "Tell us honestly."
    assert SurveySettingsForm(survey=survey).initial["introduction"] == "Tell us honestly."
    assert "Tell us honestly." in _page(hr_client.get(url))


def test_a_named_survey_with_an_optional_agreement_question_cannot_become_anonymous(org):
    survey = make_survey(mode=Survey.Mode.NAMED)
    question = services.question_add(actor=org.hr, section=_section(survey), text="Optional agreement?",
                                     type="agree5", required=False)
    with pytest.raises(ValidationError) as error:
        services.survey_settings_update(actor=org.hr, survey=survey, title=survey.title, mode="anonymous",
                                        introduction="New words")
    assert "mode" in error.value.message_dict
    assert "Optional agreement?" in " ".join(error.value.message_dict["mode"])
    survey.refresh_from_db()
    assert survey.mode == "named" and survey.introduction == ""
    assert not AuditEvent.objects.filter(action="survey changed").exists()
    # Made required, it can.
    services.question_change(actor=org.hr, question=question, section=_section(survey), text=question.text,
                             type="agree5", required=True)
    services.survey_settings_update(actor=org.hr, survey=survey, title=survey.title, mode="anonymous")
    survey.refresh_from_db()
    assert survey.mode == "anonymous"


def test_a_title_change_is_not_blocked_by_questions_it_does_not_touch(org):
    """Only a change of mode is checked against the optional-question rule: a survey left with an optional
    agreement question (by the admin, say) can still be retitled."""
    survey = make_survey()
    Question.objects.filter(survey=survey, type="agree5").update(required=False)
    services.survey_settings_update(actor=org.hr, survey=survey, title="Renamed", mode="anonymous",
                                    introduction="Why we ask")
    survey.refresh_from_db()
    assert (survey.title, survey.introduction) == ("Renamed", "Why we ask")


# --- Pages: sections -------------------------------------------------------------------------------------------------

def test_hr_adds_a_section_and_is_sent_to_add_its_questions(hr_client, org, survey):
    url = reverse("surveys:section_new", args=[survey.pk])
    assert hr_client.get(url).status_code == 200
    response = hr_client.post(url, {"title": "Your work"})
    section = survey.sections.get(title="Your work")
    assert response.status_code == 302
    assert response["Location"] == reverse("surveys:question_new", args=[section.pk])
    assert section.order == 1
    assert AuditEvent.objects.filter(action="survey section added", actor=org.hr).count() == 1


def test_a_section_needs_a_title(hr_client, survey):
    response = hr_client.post(reverse("surveys:section_new", args=[survey.pk]), {"title": ""})
    assert response.status_code == 200
    assert "Enter a title for the section." in response.context["form"].errors["title"]
    assert "Enter a title for the section." in _page(response)
    assert survey.sections.count() == 1


def test_a_long_section_title_is_kept_and_refused(hr_client, survey):
    title = "Long title " + "x" * 200
    response = hr_client.post(reverse("surveys:section_new", args=[survey.pk]), {"title": title})
    assert response.status_code == 200
    assert "The title must be 200 characters or fewer." in response.context["form"].errors["title"]
    assert title in _page(response)
    assert survey.sections.count() == 1


def test_hr_renames_a_section(hr_client, org, survey):
    section = _section(survey)
    url = reverse("surveys:section_edit", args=[section.pk])
    response = hr_client.get(url)
    assert response.status_code == 200 and response.context["form"].initial["title"] == "About AI"
    assert 'value="About AI"' in response.content.decode()
    response = hr_client.post(url, {"title": "Using AI"})
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("surveys:survey", args=[survey.pk]))
    section.refresh_from_db()
    assert section.title == "Using AI"
    assert AuditEvent.objects.filter(action="survey section changed", actor=org.hr).count() == 1


def test_hr_removes_a_section_after_confirming(hr_client, org, survey):
    second = _with_second_section(survey)
    url = reverse("surveys:section_remove", args=[second.pk])
    response = hr_client.get(url)
    page = _page(response)
    assert response.status_code == 200 and "Your work" in page and "I have time to learn." in page
    assert Section.objects.filter(pk=second.pk).exists()
    response = hr_client.post(url)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("surveys:survey", args=[survey.pk]))
    assert not Section.objects.filter(pk=second.pk).exists()
    assert not Question.objects.filter(text="I have time to learn.").exists()
    assert any("removed" in m for m in _messages(response))
    assert AuditEvent.objects.filter(action="survey section removed", actor=org.hr).count() == 1


def test_hr_moves_a_section(hr_client, survey):
    second = _with_second_section(survey)
    url = reverse("surveys:section_move", args=[second.pk])
    assert hr_client.get(url).status_code == 405
    response = hr_client.post(url, {"direction": "up"})
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("surveys:survey", args=[survey.pk]))
    assert _section_titles(survey) == ["Your work", "About AI"]
    hr_client.post(url, {"direction": "down"})
    assert _section_titles(survey) == ["About AI", "Your work"]


@pytest.mark.parametrize("direction", ["", "sideways", "UP"])
def test_a_bad_direction_moves_nothing(hr_client, survey, direction):
    second = _with_second_section(survey)
    question = survey.questions.get(section=_section(survey), order=1)
    before = _snapshot(survey)
    for url in (reverse("surveys:section_move", args=[second.pk]),
                reverse("surveys:question_move", args=[question.pk])):
        response = hr_client.post(url, {"direction": direction} if direction else {})
        assert response.status_code == 302
        assert response["Location"] == reverse("surveys:survey", args=[survey.pk])
        assert "Choose to move it up or down." in _messages(response)
    assert _snapshot(survey) == before and not _edit_events().exists()


# --- Pages: questions ------------------------------------------------------------------------------------------------

def test_hr_adds_a_choice_question(hr_client, org, survey):
    section = _section(survey)
    url = reverse("surveys:question_new", args=[section.pk])
    response = hr_client.get(url)
    assert response.status_code == 200 and response.context["form"].initial["section"] == str(section.pk)
    response = hr_client.post(url, _post(section=str(section.pk), choices="Waste\r\n\r\n  Parks  \r\nFinance\r\n"))
    question = survey.questions.get(text="Which team are you in?")
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("surveys:survey", args=[survey.pk]))
    assert (question.type, question.required, question.section_id, question.order) == ("single", True, section.pk, 3)
    assert [c["text"] for c in question.choices] == ["Waste", "Parks", "Finance"]
    assert all(set(c) == {"id", "text"} and c["id"] for c in question.choices)
    assert len({c["id"] for c in question.choices}) == 3
    assert AuditEvent.objects.filter(action="survey question added", actor=org.hr).count() == 1


def test_add_another_comes_back_to_the_form(hr_client, survey):
    section = _section(survey)
    url = reverse("surveys:question_new", args=[section.pk])
    response = hr_client.post(url, _post(section=str(section.pk), another="1"))
    assert response.status_code == 302 and response["Location"] == url
    assert survey.questions.filter(text="Which team are you in?").exists()


def test_a_question_can_be_added_to_another_section_of_the_survey(hr_client, survey):
    second = _with_second_section(survey)
    url = reverse("surveys:question_new", args=[_section(survey).pk])
    hr_client.post(url, _post(section=str(second.pk), type="agree5", choices="", dimension="trust"))
    question = survey.questions.get(text="Which team are you in?")
    assert question.section_id == second.pk and question.order == 1 and question.dimension == "trust"


def test_bad_input_keeps_what_was_typed_and_shows_the_error(hr_client, survey):
    section = _section(survey)
    response = hr_client.post(reverse("surveys:question_new", args=[section.pk]),
                              _post(section=str(section.pk), text="How do robots help you?", choices="Only one",
                                    help_text="Think about last week"))
    assert response.status_code == 200
    assert "Enter at least two choices, one on each line." in response.context["form"].errors["choices"]
    page = _page(response)
    assert "Enter at least two choices, one on each line." in page
    assert "How do robots help you?" in page and "Only one" in page and "Think about last week" in page
    assert not survey.questions.filter(text="How do robots help you?").exists()


@pytest.mark.parametrize(("overrides", "field", "message"), [
    ({"type": "agree5", "choices": "", "required": "no"}, "required",
     "In an anonymous survey only free-text questions can be optional"),
    ({"choices": "Yes\nyes"}, "choices", "Each choice must be different."),
    ({"type": "text", "choices": "", "dimension": "trust"}, "dimension",
     "Only agreement questions are scored, so only they can measure a dimension."),
    ({"text": ""}, "text", "Enter the question."),
])
def test_the_question_page_shows_each_error_beside_its_field(hr_client, survey, overrides, field, message):
    section = _section(survey)
    response = hr_client.post(reverse("surveys:question_new", args=[section.pk]),
                              _post(section=str(section.pk), **overrides))
    assert response.status_code == 200
    assert any(message in e for e in response.context["form"].errors[field])
    assert message in _page(response)
    assert survey.questions.count() == 3


def test_hr_edits_a_question_and_its_choices_keep_their_ids(hr_client, org, survey):
    question = _question(_section(survey), choices=["Waste", "Parks"])
    old = {c["text"]: c["id"] for c in question.choices}
    url = reverse("surveys:question_edit", args=[question.pk])
    response = hr_client.get(url)
    assert response.status_code == 200
    form = response.context["form"]
    assert form.initial["choices"] == "Waste\nParks" and form.initial["text"] == "Which team are you in?"
    assert form.initial["required"] == "yes" and form.initial["type"] == "single"
    page = _page(response)
    assert "Waste" in page and "Parks" in page
    response = hr_client.post(url, _post(section=str(question.section_id), text="Which service are you in?",
                                         choices="Parks\nFinance\nWaste"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("surveys:survey", args=[survey.pk]))
    question.refresh_from_db()
    assert question.text == "Which service are you in?"
    ids = {c["text"]: c["id"] for c in question.choices}
    assert list(ids) == ["Parks", "Finance", "Waste"]
    assert ids["Waste"] == old["Waste"] and ids["Parks"] == old["Parks"] and ids["Finance"] not in old.values()
    assert AuditEvent.objects.filter(action="survey question changed", actor=org.hr).count() == 1


def test_editing_a_question_with_bad_input_changes_nothing(hr_client, survey):
    question = survey.questions.get(order=0)
    before = _snapshot(survey)
    response = hr_client.post(reverse("surveys:question_edit", args=[question.pk]),
                              _post(section=str(question.section_id), text="Now a choice question", choices="One"))
    assert response.status_code == 200 and "choices" in response.context["form"].errors
    assert "Now a choice question" in _page(response)
    assert _snapshot(survey) == before and not _edit_events().exists()


def test_hr_moves_a_question_to_another_section_from_its_page(hr_client, survey):
    second = _with_second_section(survey)
    question = survey.questions.get(order=0, section=_section(survey))
    response = hr_client.post(reverse("surveys:question_edit", args=[question.pk]),
                              _post(section=str(second.pk), text=question.text, type="agree5", choices="",
                                    dimension="awareness"))
    assert response.status_code == 302
    question.refresh_from_db()
    assert question.section_id == second.pk and question.order == 1
    assert _orders(_section(survey)) == [0, 1]


def test_hr_removes_a_question_after_confirming(hr_client, org, survey):
    question = survey.questions.get(order=1)
    url = reverse("surveys:question_remove", args=[question.pk])
    response = hr_client.get(url)
    assert response.status_code == 200 and "I want to take part." in _page(response)
    assert Question.objects.filter(pk=question.pk).exists()
    response = hr_client.post(url)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("surveys:survey", args=[survey.pk]))
    assert not Question.objects.filter(pk=question.pk).exists()
    assert _orders(_section(survey)) == [0, 1]
    assert AuditEvent.objects.filter(action="survey question removed", actor=org.hr).count() == 1


def test_hr_moves_a_question_up_and_down(hr_client, org, survey):
    section = _section(survey)
    question = survey.questions.get(order=1)
    url = reverse("surveys:question_move", args=[question.pk])
    assert hr_client.get(url).status_code == 405
    response = hr_client.post(url, {"direction": "up"})
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("surveys:survey", args=[survey.pk]))
    assert _questions(section) == ["I want to take part.", "I understand why.", "Anything else?"]
    hr_client.post(url, {"direction": "up"})  # already first: nothing
    assert _questions(section) == ["I want to take part.", "I understand why.", "Anything else?"]
    hr_client.post(url, {"direction": "down"})
    hr_client.post(url, {"direction": "down"})
    assert _questions(section) == ["I understand why.", "Anything else?", "I want to take part."]
    assert _orders(section) == [0, 1, 2]
    assert AuditEvent.objects.filter(action="survey question moved", actor=org.hr).count() == 3


# --- Pages: who may use them -----------------------------------------------------------------------------------------

@pytest.mark.parametrize("role", ["staff", "frontline", "env_manager", "res_manager", "author"])
def test_other_roles_may_not_edit_surveys(client, org, survey, role):
    client.force_login(getattr(org, role))
    before = _snapshot(survey)
    for url in _page_urls(survey):
        assert client.get(url).status_code == 403, url
        assert client.post(url, _post(section=str(_section(survey).pk), title="Hacked")).status_code == 403, url
    for url in _move_urls(survey):
        assert client.post(url, {"direction": "down"}).status_code == 403, url
    assert _snapshot(survey) == before and not _edit_events().exists()


def test_signed_out_people_are_sent_to_sign_in(client, survey):
    for url in _page_urls(survey) + _move_urls(survey):
        response = client.post(url, {"direction": "down"})
        assert response.status_code == 302 and "/accounts/login/" in response["Location"], url


def test_a_missing_survey_section_or_question_is_404(hr_client):
    missing = 987654
    for name in ("section_edit", "section_remove", "question_new"):
        assert hr_client.get(reverse(f"surveys:{name}", args=[missing])).status_code == 404, name
    for name in ("question_edit", "question_remove"):
        assert hr_client.get(reverse(f"surveys:{name}", args=[missing])).status_code == 404, name
    assert hr_client.get(reverse("surveys:section_new", args=[missing])).status_code == 404
    for name in ("section_move", "question_move"):
        assert hr_client.post(reverse(f"surveys:{name}", args=[missing]), {"direction": "up"}).status_code == 404


def test_get_on_the_move_pages_is_405(hr_client, survey):
    for url in _move_urls(survey):
        assert hr_client.get(url).status_code == 405, url


# --- The survey page ---------------------------------------------------------------------------------------------------

def test_the_survey_page_offers_editing_until_a_wave_opens(hr_client, survey):
    section = _section(survey)
    question = survey.questions.get(order=0)
    make_wave(survey, opens=2, closes=9)  # scheduled: still editable
    page = _page(hr_client.get(reverse("surveys:survey", args=[survey.pk])))
    assert "Add a question" in page
    assert reverse("surveys:question_new", args=[section.pk]) in page
    assert reverse("surveys:question_edit", args=[question.pk]) in page
    assert reverse("surveys:section_edit", args=[section.pk]) in page
    assert reverse("surveys:section_new", args=[survey.pk]) in page
    assert reverse("surveys:question_move", args=[question.pk]) in page
    assert reverse("surveys:question_remove", args=[question.pk]) in page
    assert reverse("surveys:section_remove", args=[section.pk]) in page


def test_the_survey_page_says_why_an_empty_survey_cannot_be_sent(hr_client, db):
    survey = Survey.objects.create(title="Empty survey")
    page = _page(hr_client.get(reverse("surveys:survey", args=[survey.pk])))
    assert "The survey has no questions. Add at least one." in page
    assert reverse("surveys:section_new", args=[survey.pk]) in page


def test_the_survey_page_shows_a_thin_choice_question_as_a_problem(hr_client, survey):
    Question.objects.create(survey=survey, section=_section(survey), order=3, text="Thin question?", type="single",
                            choices=[{"id": "a", "text": "Only one"}])
    page = _page(hr_client.get(reverse("surveys:survey", args=[survey.pk])))
    assert "A choice question needs at least two choices" in page


@pytest.mark.parametrize("status", ["open", "closed"])
def test_the_survey_page_offers_no_editing_once_a_wave_has_opened(hr_client, survey, status):
    section = _section(survey)
    _lock(survey, status)
    page = _page(hr_client.get(reverse("surveys:survey", args=[survey.pk])))
    assert "I understand why." in page
    assert "Add a question" not in page
    for url in _page_urls(survey) + _move_urls(survey):
        assert url not in page, url
    assert reverse("surveys:question_new", args=[section.pk]) not in page


# --- An edit racing a wave's opening (PostgreSQL: real row locks) ----------------------------------------------

@requires_postgres
@pytest.mark.django_db(transaction=True)
def test_an_edit_waits_for_a_wave_opening_and_is_then_refused():
    """wave_open locks the survey row; so does every edit. An edit that arrives while a wave is opening
    waits, then finds the wave open and changes nothing: no question slips in after staff were invited."""
    from tests.factories import build_org

    org = build_org()
    survey = make_survey()
    wave = make_wave(survey)
    section = _section(survey)
    outcome = []

    def edit():
        try:
            services.question_add(actor=org.hr, section=section, text="Slipped in?", type="agree5", required=True)
            outcome.append("added")
        except QuestionsLocked:
            outcome.append("locked")
        finally:
            connection.close()

    with transaction.atomic():
        services.wave_open(wave_id=wave.pk)
        racer = threading.Thread(target=edit)
        racer.start()
        racer.join(timeout=1)
        assert racer.is_alive(), "the edit did not wait for the opening's lock on the survey"
    racer.join(timeout=10)
    assert outcome == ["locked"]
    assert not survey.questions.filter(text="Slipped in?").exists()


# --- Copying and deleting a survey ------------------------------------------------------------------------------

def test_a_copy_has_the_questions_tags_and_mode_and_can_be_edited(hr_client, org):
    survey = make_survey(mode=Survey.Mode.NAMED)
    survey.introduction = "Why we ask"
    survey.save()
    value = CouncilValue.objects.create(name="Listening")
    tagged = survey.questions.get(dimension="awareness")
    tagged.values.add(value)
    chosen = services.question_add(actor=org.hr, section=_section(survey), text="Which team?", type="single",
                                   required=False, choices=["Waste", "Parks"])
    services.wave_open(wave_id=make_wave(survey).pk)  # the original is fixed now
    response = hr_client.post(reverse("surveys:survey_copy", args=[survey.pk]), {"title": "Pulse, autumn"})
    copy = Survey.objects.exclude(pk=survey.pk).get()
    assert response.status_code == 302 and response["Location"] == reverse("surveys:survey", args=[copy.pk])
    assert (copy.title, copy.mode, copy.introduction) == ("Pulse, autumn", "named", "Why we ask")
    fields = ("section__title", "order", "text", "type", "required", "choices", "dimension")
    assert list(copy.questions.order_by("section__order", "order").values_list(*fields)) == list(
        survey.questions.order_by("section__order", "order").values_list(*fields))
    assert list(copy.questions.get(text=tagged.text).values.all()) == [value]
    assert copy.questions.get(text="Which team?").choices == chosen.choices
    assert not copy.waves.exists() and not services.survey_mode_locked(copy)
    services.question_add(actor=org.hr, section=_section(copy), text="New in the copy", type="text", required=False)
    assert not survey.questions.filter(text="New in the copy").exists()
    event = AuditEvent.objects.get(action="survey copied")
    assert event.detail == {"survey": copy.pk, "from": survey.pk, "questions": 4}


def test_a_copy_needs_a_title(hr_client, survey):
    response = hr_client.post(reverse("surveys:survey_copy", args=[survey.pk]), {"title": "  "})
    assert response.status_code == 200 and "Enter a title for the copy." in _page(response)
    assert Survey.objects.count() == 1
    page = _page(hr_client.get(reverse("surveys:survey_copy", args=[survey.pk])))
    assert 'value="Pulse (copy)"' in page


def test_a_survey_never_sent_can_be_deleted_after_confirming(hr_client, survey):
    page = _page(hr_client.get(reverse("surveys:survey_delete", args=[survey.pk])))
    assert "Delete this survey?" in page and "3 questions" in page
    response = hr_client.post(reverse("surveys:survey_delete", args=[survey.pk]))
    assert response.status_code == 302 and response["Location"] == reverse("surveys:manage")
    assert not Survey.objects.exists() and not Question.objects.exists() and not Section.objects.exists()
    assert AuditEvent.objects.get(action="survey deleted").detail == {"survey": survey.pk, "questions": 3}


@pytest.mark.parametrize("opened", [False, True])
def test_a_survey_with_a_wave_cannot_be_deleted(hr_client, survey, opened):
    wave = make_wave(survey, opens=-1 if opened else 3)
    if opened:
        services.wave_open(wave_id=wave.pk)
    response = hr_client.get(reverse("surveys:survey_delete", args=[survey.pk]))
    assert response["Location"] == reverse("surveys:survey", args=[survey.pk])
    response = hr_client.post(reverse("surveys:survey_delete", args=[survey.pk]))
    assert response["Location"] == reverse("surveys:survey", args=[survey.pk])
    assert any("cannot be deleted" in m for m in _messages(response))
    assert Survey.objects.filter(pk=survey.pk).exists() and not AuditEvent.objects.filter(action="survey deleted")
    assert "Delete this survey" not in _page(hr_client.get(reverse("surveys:survey", args=[survey.pk])))


@pytest.mark.parametrize("role", ["staff", "env_manager", "author"])
def test_only_hr_copies_or_deletes_surveys(client, org, survey, role):
    client.force_login(getattr(org, role))
    for name in ("surveys:survey_copy", "surveys:survey_delete"):
        assert client.get(reverse(name, args=[survey.pk])).status_code == 403
        assert client.post(reverse(name, args=[survey.pk]), {"title": "Mine"}).status_code == 403
    assert Survey.objects.count() == 1


# --- Preview ------------------------------------------------------------------------------------------------------

def test_the_preview_shows_the_survey_as_staff_will_see_it(hr_client, survey):
    council = CouncilSettings.load()
    council.min_group_size, council.min_comment_group_size = 6, 12
    council.save()
    url = reverse("surveys:survey_preview", args=[survey.pk])
    page = _page(hr_client.get(url))
    for q in survey.questions.all():
        assert q.text in page
    assert "Your answers are anonymous." in page and "at least 6 people" in page and "at least 12 people" in page
    # Bad answers get the errors staff would get; good ones are accepted; nothing is saved either way.
    make_wave(survey, opens=3)  # a scheduled wave: nothing may be recorded against it either
    agree = list(survey.questions.filter(type="agree5").order_by("order"))
    bad = _page(hr_client.post(url, {f"q{agree[0].pk}": "9"}))
    assert "There is a problem" in bad and "Staff would see these errors" in bad
    good = _page(hr_client.post(url, {f"q{q.pk}": "4" for q in agree}))
    assert "These answers would be accepted. Nothing was sent or saved." in good and "There is a problem" not in good
    assert not Response.objects.exists() and not Participation.objects.exists()
    assert not HeldResponse.objects.exists()
    assert not AuditEvent.objects.exists()


def test_the_preview_of_a_named_survey_says_it_is_not_anonymous(hr_client):
    survey = make_survey(mode=Survey.Mode.NAMED)
    page = _page(hr_client.get(reverse("surveys:survey_preview", args=[survey.pk])))
    assert "This survey is not anonymous." in page


@pytest.mark.parametrize("role", ["staff", "env_manager", "author"])
def test_only_hr_previews(client, org, survey, role):
    client.force_login(getattr(org, role))
    assert client.get(reverse("surveys:survey_preview", args=[survey.pk])).status_code == 403


# --- Edits that arrive after what they edit was removed (another tab, a double click) ---------------------------

def test_edits_to_something_removed_meanwhile_are_refused_or_already_done(org):
    survey = make_survey()
    second = _with_second_section(survey)
    stale_section = Section.objects.get(pk=second.pk)
    stale_question = Question.objects.get(section=second)
    services.section_remove(actor=org.hr, section=second)  # in another tab
    with pytest.raises(services.EditGone):
        services.section_change(actor=org.hr, section=stale_section, title="Renamed")
    with pytest.raises(services.EditGone):
        services.section_move(actor=org.hr, section=stale_section, by=-1)
    with pytest.raises(services.EditGone):
        services.question_move(actor=org.hr, question=stale_question, by=-1)
    assert services.section_remove(actor=org.hr, section=stale_section) == 0  # the second click: nothing more
    services.question_remove(actor=org.hr, question=stale_question)
    with pytest.raises(ValidationError) as error:
        services.question_add(actor=org.hr, section=stale_section, text="Into a gone section?", type="agree5",
                              required=True)
    assert "section" in error.value.message_dict
    kept = survey.questions.first()
    with pytest.raises(ValidationError) as error:
        services.question_change(actor=org.hr, question=kept, section=stale_section, text=kept.text,
                                 type=kept.type, required=True, dimension=kept.dimension)
    assert "section" in error.value.message_dict
    kept.refresh_from_db()
    assert kept.section_id == _section(survey).pk
    assert _section_titles(survey) == ["About AI"]


def test_a_page_posted_after_its_question_was_removed_says_so(hr_client, survey):
    question = survey.questions.first()
    url = reverse("surveys:question_edit", args=[question.pk])
    Question.objects.filter(pk=question.pk).delete()
    assert hr_client.post(url, _post()).status_code == 404


def test_new_sections_and_questions_go_last_even_when_orders_have_gaps(org, survey):
    second = _with_second_section(survey)
    Section.objects.filter(pk=second.pk).update(order=7)  # as the admin might leave them
    Question.objects.filter(section=_section(survey)).update(order=3)
    added = services.section_add(actor=org.hr, survey=survey, title="Last")
    assert _section_titles(survey) == ["About AI", "Your work", "Last"] and added.order == 2
    services.question_add(actor=org.hr, section=_section(survey), text="At the end", type="text", required=False)
    assert _questions(_section(survey))[-1] == "At the end"


@pytest.mark.parametrize(("start", "to", "hint"), [("named", "anonymous", "could identify you"),
                                                  ("anonymous", "named", "other people's names")])
def test_a_change_of_mode_changes_the_comment_hint_with_it(org, start, to, hint):
    survey = services.survey_create_from_template(actor=org.hr, key="module-feedback", mode=start)
    services.survey_settings_update(actor=org.hr, survey=survey, title=survey.title, mode=to)
    assert hint in survey.questions.get(type="text").help_text


def test_a_question_form_with_one_section_posts_the_section_there_is(hr_client, survey):
    """With one section the form has no select: a section removed since the page was shown must not
    leave the form refusing every resubmit."""
    second = _with_second_section(survey)
    url = reverse("surveys:question_new", args=[survey.sections.first().pk])
    Section.objects.filter(pk=second.pk).delete()
    page = _page(hr_client.post(url, _post(section=str(second.pk))))
    assert "Choose a section of this survey." in page
    assert f'id="id_section" name="section" value="{_section(survey).pk}"' in page


def test_a_wave_whose_survey_could_not_be_sent_in_time_stays_scheduled_and_says_so(hr_client, org):
    survey = make_survey()
    survey.questions.all().delete()
    waiting = make_wave(survey, opens=-1, closes=3)
    page = _page(hr_client.get(reverse("surveys:survey", args=[survey.pk])))
    assert "Waiting: it opens once the questions are put right." in page
    Wave.objects.filter(pk=waiting.pk).update(closes_at=timezone.now() - timedelta(minutes=1))
    assert services.waves_tick() == (0, 0)  # not tried again, so no warning every minute
    waiting.refresh_from_db()
    assert waiting.status == "scheduled"
    page = _page(hr_client.get(reverse("surveys:survey", args=[survey.pk])))
    assert "Not sent: its closing time has passed. Change its times or cancel it." in page
