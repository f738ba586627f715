"""Running surveys (HR), editing their questions (HR) and reading their results (HR, and managers for their
own departments): surveys.views.running and surveys.views.editing.

The objects: an anonymous survey and a named one, each with a wave sent to Environment (inside the
manager's scope, outside the other manager's) that has opened and closed, and a comment in the anonymous
wave. The other manager gets 404 for both waves, as for waves that do not exist; the manager may see the
named wave's aggregates but not its answers by person (HR only: 403)."""

from datetime import timedelta

from django.utils import timezone

from surveys import services
from surveys.models import Answer, Question, Wave
from tests.security.rules.common import GET_ONLY, HR, MANAGERS_AND_HR, everyone, only

IN_SCOPE = {**only(MANAGERS_AND_HR), "other_manager": 404}

RULES = {
    "surveys:manage": (None, only(HR)),
    "surveys:survey_new": (None, only(HR)),
    "surveys:survey": ("survey", only(HR)),
    "surveys:survey_settings": ("survey", only(HR)),
    "surveys:survey_copy": ("survey", only(HR)),
    "surveys:survey_delete": ("draft_survey", only(HR)),  # GET: the confirmation page
    "surveys:wave_new": ("survey", only(HR)),
    "surveys:wave_edit": ("scheduled_wave", only(HR)),
    "surveys:wave_cancel": ("scheduled_wave", everyone(405)),  # POST only
    "surveys:wave_open": ("wave", everyone(405)),  # POST only
    "surveys:wave_close": ("wave", everyone(405)),  # POST only
    "surveys:results_list": (None, only(MANAGERS_AND_HR)),
    "surveys:results": ("wave", IN_SCOPE),
    "surveys:results_csv": ("wave", IN_SCOPE),
    "surveys:results_xlsx": ("wave", IN_SCOPE),
    "surveys:comments": ("wave", IN_SCOPE),
    "surveys:comment_hide": ("comment", everyone(405)),  # POST only
    "surveys:named_answers": ("named_wave", {**IN_SCOPE, "manager": 403}),  # named answers: HR only
    # Editing questions (surveys.views.editing), on a survey no wave of which has opened.
    "surveys:survey_preview": ("survey", only(HR)),
    "surveys:section_new": ("draft_survey", only(HR)),
    "surveys:section_edit": ("draft_section", only(HR)),
    "surveys:section_remove": ("draft_section", only(HR)),  # GET: the confirmation page
    "surveys:section_move": ("draft_section", everyone(405)),  # POST only
    "surveys:question_new": ("draft_section", only(HR)),
    "surveys:question_edit": ("draft_question", only(HR)),
    "surveys:question_remove": ("draft_question", only(HR)),  # GET: the confirmation page
    "surveys:question_move": ("draft_question", everyone(405)),  # POST only
}

# POST, with an empty form: HR only; a form shown again with errors is 200, an action done 302.
HR_ACTS = only(HR, status=302)
POST_RULES = {
    "surveys:manage": GET_ONLY,
    "surveys:survey_new": only(HR),
    "surveys:survey": GET_ONLY,
    "surveys:survey_settings": only(HR),
    "surveys:survey_copy": only(HR),
    "surveys:survey_delete": HR_ACTS,
    "surveys:wave_new": only(HR),
    "surveys:wave_edit": only(HR),
    "surveys:wave_cancel": HR_ACTS,
    "surveys:wave_open": HR_ACTS,
    "surveys:wave_close": HR_ACTS,
    "surveys:results_list": GET_ONLY,
    "surveys:results": GET_ONLY,
    "surveys:results_csv": GET_ONLY,
    "surveys:results_xlsx": GET_ONLY,
    "surveys:comments": GET_ONLY,
    "surveys:comment_hide": HR_ACTS,  # HR only: a manager who may read the comment may not hide it
    "surveys:named_answers": GET_ONLY,
    "surveys:survey_preview": only(HR),  # checks answers, saves nothing
    "surveys:section_new": only(HR),
    "surveys:section_edit": only(HR),
    "surveys:section_remove": HR_ACTS,
    "surveys:section_move": HR_ACTS,
    "surveys:question_new": only(HR),
    "surveys:question_edit": only(HR),
    "surveys:question_remove": HR_ACTS,
    "surveys:question_move": HR_ACTS,
}


def _closed_wave(org, key: str) -> Wave:
    survey = services.survey_create_from_template(actor=org.hr, key=key)
    now = timezone.now()
    wave = Wave.objects.create(survey=survey, name="Matrix wave", opens_at=now - timedelta(days=2),
                               closes_at=now + timedelta(days=2))
    wave.departments.add(org.environment)
    wave = services.wave_open(wave_id=wave.pk, now=now)
    answers = {q.pk: ({"text": "More training time please."} if q.type == Question.Type.TEXT
                      else {"number": 4} if q.type in (Question.Type.AGREE5, Question.Type.SCALE10)
                      else {"choices": [q.choices[0]["id"]]}) for q in survey.questions.all()}
    services.response_submit(profile=org.frontline.profile, wave=wave, answers=answers)
    return services.wave_close(wave_id=wave.pk, now=now + timedelta(days=3))


def objects(org) -> dict:
    anonymous = _closed_wave(org, "ai-readiness-pulse")
    named = _closed_wave(org, "module-feedback")
    comment = Answer.objects.filter(response__wave=anonymous, question__type=Question.Type.TEXT).first()
    draft = services.survey_create_from_template(actor=org.hr, key="ai-sentiment")
    draft_question = draft.questions.select_related("section").first()
    return {
        "survey": {"survey_id": anonymous.survey_id},
        "wave": {"wave_id": anonymous.pk},
        "named_wave": {"wave_id": named.pk},
        "scheduled_wave": {"wave_id": Wave.objects.create(
            survey_id=anonymous.survey_id, name="Next wave", opens_at=timezone.now() + timedelta(days=5),
            closes_at=timezone.now() + timedelta(days=9)).pk},
        "comment": {"wave_id": anonymous.pk, "answer_id": comment.pk},
        "draft_survey": {"survey_id": draft.pk},
        "draft_section": {"section_id": draft_question.section_id},
        "draft_question": {"question_id": draft_question.pk},
    }
