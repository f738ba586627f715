"""The Django admin shows surveys, questions and waves to admins, and never answers or who answered."""

from django.contrib import admin
from django.urls import reverse

from surveys.models import Answer, Participation, Question, Response, Survey, Wave
from tests.surveys.test_results_seed import make_pulse, open_wave, run_wave


def test_answers_and_participation_are_not_in_the_admin():
    registered = admin.site._registry
    assert {Survey, Question, Wave} <= set(registered)
    assert not {Response, Answer, Participation} & set(registered)


def test_a_closed_waves_release_is_not_shown(client, org):
    wave = run_wave(make_pulse(), [org.staff.profile, org.hr.profile])
    client.force_login(org.admin)
    page = client.get(reverse("admin:surveys_wave_change", args=[wave.pk])).content.decode()
    assert '"counts"' not in page and f"d{org.finance.pk}!" not in page


def test_an_open_wave_cannot_be_changed_or_deleted_in_the_admin(client, org):
    wave = open_wave(make_pulse())
    client.force_login(org.admin)
    url = reverse("admin:surveys_wave_change", args=[wave.pk])
    client.post(url, {"name": "Renamed", "status": "scheduled", "min_group_size": 3})
    wave.refresh_from_db()
    assert (wave.name, wave.status, wave.min_group_size) != ("Renamed", "scheduled", 3)
    assert client.post(reverse("admin:surveys_wave_delete", args=[wave.pk]), {"post": "yes"}).status_code == 403
    assert Wave.objects.filter(pk=wave.pk).exists()


def test_questions_are_fixed_once_a_wave_has_opened(client, org):
    survey = make_pulse()
    question = survey.questions.filter(type="agree5").first()
    open_wave(survey)
    client.force_login(org.admin)
    client.post(reverse("admin:surveys_question_change", args=[question.pk]),
                {"survey": survey.pk, "section": question.section_id, "order": 0, "text": question.text,
                 "type": "agree5", "required": "", "choices": "[]", "max_length": 2000})
    question.refresh_from_db()
    assert question.required


def test_an_anonymous_survey_refuses_an_optional_scale_question(client, org):
    survey = make_pulse()
    question = survey.questions.filter(type="agree5").first()
    client.force_login(org.admin)
    response = client.post(reverse("admin:surveys_question_change", args=[question.pk]),
                           {"survey": survey.pk, "section": question.section_id, "order": 0, "text": question.text,
                            "type": "agree5", "required": "", "choices": "[]", "max_length": 2000, "dimension": ""})
    assert "only free-text questions can be optional" in response.content.decode()
    question.refresh_from_db()
    assert question.required


def test_a_survey_mode_is_fixed_in_the_admin_once_a_wave_has_opened(client, org):
    survey = make_pulse()
    open_wave(survey)
    client.force_login(org.admin)
    page = client.get(reverse("admin:surveys_survey_change", args=[survey.pk])).content.decode()
    assert 'name="mode"' not in page


def _question_post(survey, section, text="Moved in?"):
    return {"survey": survey.pk, "section": section.pk, "order": 0, "text": text, "type": "agree5",
            "required": "on", "choices": "[]", "max_length": 2000, "dimension": ""}


def test_no_question_can_be_added_to_or_moved_into_a_fixed_survey_in_the_admin(client, org):
    fixed = make_pulse()
    open_wave(fixed)
    draft = make_pulse(key="module-feedback")
    question = draft.questions.filter(type="agree5").first()
    before = fixed.questions.count()
    client.force_login(org.admin)
    target = fixed.sections.first()
    moved = client.post(reverse("admin:surveys_question_change", args=[question.pk]), _question_post(fixed, target))
    added = client.post(reverse("admin:surveys_question_add"), _question_post(fixed, target, "Added?"))
    for response in (moved, added):
        assert response.status_code == 200
        assert "its questions can no longer be changed" in response.content.decode()
    question.refresh_from_db()
    assert question.survey_id == draft.pk and fixed.questions.count() == before


def test_the_admin_refuses_making_a_survey_anonymous_while_a_question_is_optional(client, org):
    survey = make_pulse(key="module-feedback")
    survey.questions.filter(type="agree5").update(required=False)
    client.force_login(org.admin)
    response = client.post(reverse("admin:surveys_survey_change", args=[survey.pk]),
                           {"title": survey.title, "introduction": survey.introduction, "mode": "anonymous",
                            "sections-TOTAL_FORMS": 0, "sections-INITIAL_FORMS": 0})
    assert "only free-text questions can be optional" in response.content.decode()
    survey.refresh_from_db()
    assert survey.mode == "named"
