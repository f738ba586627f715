"""The answer sheet built from a survey's questions: it accepts exactly what response_submit takes and
turns everything else into an error on the question concerned."""

import pytest

from surveys import services
from surveys.forms_answer import SurveyAnswerForm
from surveys.models import Question, Section, Survey


@pytest.fixture
def survey(db):
    """One question of each type (a named survey, so a choice question may be optional)."""
    survey = Survey.objects.create(title="Everything", mode=Survey.Mode.NAMED)
    section = Section.objects.create(survey=survey, title="All")
    kinds = [
        ("agree5", "I agree.", []),
        ("scale10", "Rate it.", []),
        ("single", "Pick one.", [{"id": "a", "text": "Yes"}, {"id": "b", "text": "No"}]),
        ("multiple", "Pick any.", [{"id": "a", "text": "Jobs"}, {"id": "b", "text": "Skills"},
                                   {"id": "c", "text": "None of these"}]),
        ("text", "Anything else?", []),
    ]
    for i, (kind, text, choices) in enumerate(kinds):
        Question.objects.create(survey=survey, section=section, order=i, text=text, type=kind, choices=choices,
                                required=kind != "text", max_length=20)
    return survey


def q(survey, kind) -> Question:
    return survey.questions.filter(type=kind).order_by("order").first()


def post(survey, **by_kind):
    data = {}
    for kind, value in by_kind.items():
        data[f"q{q(survey, kind).pk}"] = value
    return data


def form_for(survey, data):
    from django.http import QueryDict

    qd = QueryDict(mutable=True)
    for key, value in data.items():
        qd.setlist(key, value if isinstance(value, list) else [value])
    return SurveyAnswerForm(qd, questions=survey.questions.select_related("section"))


GOOD = {"agree5": "4", "scale10": "0", "single": "b", "multiple": ["b", "a"], "text": "  More time, please. "}


def test_valid_answers_become_response_submit_answers(survey):
    form = form_for(survey, post(survey, **GOOD))
    assert form.is_valid(), form.errors
    assert form.answers() == {
        q(survey, "agree5").pk: {"number": 4},
        q(survey, "scale10").pk: {"number": 0},
        q(survey, "single").pk: {"choices": ["b"]},
        q(survey, "multiple").pk: {"choices": ["a", "b"]},  # the question's order
        q(survey, "text").pk: {"text": "More time, please."},
    }


def test_an_optional_question_left_blank_is_left_out(survey):
    form = form_for(survey, post(survey, **{**GOOD, "text": "   "}))
    assert form.is_valid()
    assert q(survey, "text").pk not in form.answers()


@pytest.mark.parametrize(("kind", "value", "message"), [
    ("agree5", "6", "Select how much you agree or disagree"),
    ("agree5", "0", "Select how much you agree or disagree"),
    ("agree5", "4.0", "Select how much you agree or disagree"),
    ("scale10", "11", "Select a number from 0 to 10"),
    ("scale10", "-1", "Select a number from 0 to 10"),
    ("single", "z", "Select one of the answers listed"),
    ("multiple", ["a", "z"], "Select only answers from the list"),
])
def test_values_outside_the_question_are_refused(survey, kind, value, message):
    form = form_for(survey, post(survey, **{**GOOD, kind: value}))
    assert not form.is_valid()
    assert form.errors == {f"q{q(survey, kind).pk}": [message]}


def test_an_option_from_another_question_is_refused(survey):
    other = Question.objects.create(survey=survey, section=survey.sections.get(), order=9, text="Other", type="single",
                                    choices=[{"id": "x", "text": "Elsewhere"}])
    form = form_for(survey, {**post(survey, **{**GOOD, "single": "x"}), f"q{other.pk}": "x"})
    assert not form.is_valid()
    assert list(form.errors) == [f"q{q(survey, 'single').pk}"]


@pytest.mark.parametrize(("kind", "message"), [
    ("agree5", "Select how much you agree or disagree"),
    ("scale10", "Select a number from 0 to 10"),
    ("single", "Select an answer"),
    ("multiple", "Select the answers that apply, or \u2018None of these\u2019"),
])
def test_missing_required_answers_are_errors(survey, kind, message):
    data = post(survey, **GOOD)
    del data[f"q{q(survey, kind).pk}"]
    form = form_for(survey, data)
    assert not form.is_valid()
    assert form.errors == {f"q{q(survey, kind).pk}": [message]}


def test_none_of_these_cannot_be_ticked_with_others(survey):
    form = form_for(survey, post(survey, **{**GOOD, "multiple": ["a", "c"]}))
    assert not form.is_valid()
    assert form.errors[f"q{q(survey, 'multiple').pk}"] == [
        "Select \u2018None of these\u2019 on its own, or select the answers that apply"]
    form = form_for(survey, post(survey, **{**GOOD, "multiple": ["c"]}))
    assert form.is_valid()
    assert form.answers()[q(survey, "multiple").pk] == {"choices": ["c"]}


def test_too_long_text_is_refused(survey):
    form = form_for(survey, post(survey, **{**GOOD, "text": "x" * 21}))
    assert not form.is_valid()
    assert form.errors == {f"q{q(survey, 'text').pk}": ["Your answer must be 20 characters or fewer"]}


def test_a_line_break_counts_as_one_character_as_on_the_page(survey):
    # The browser sends CR LF for each line break; the character count on the page shows one.
    text = "a" * 9 + "\r\n" + "b" * 10
    form = form_for(survey, post(survey, **{**GOOD, "text": text}))
    assert form.is_valid(), form.errors
    assert form.answers()[q(survey, "text").pk] == {"text": "a" * 9 + "\n" + "b" * 10}


def test_sections_number_the_questions_in_order(db):
    survey = services.survey_create_from_template(actor=None, key="ai-sentiment")
    form = SurveyAnswerForm(questions=survey.questions.select_related("section").order_by("section__order", "order"))
    sections = form.sections()
    assert [s.section.title for s in sections] == [s.title for s in survey.sections.all()]
    numbers = [item.number for s in sections for item in s.items]
    assert numbers == list(range(1, survey.questions.count() + 1))
    worries = next(item for s in sections for item in s.items if item.kind == "multiple")
    assert worries.exclusive == "g"  # "None of these"
