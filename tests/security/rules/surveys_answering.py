"""Answering surveys (surveys.views.answering).

The object: an open wave of a survey sent to the whole organisation, so every signed-in role was
invited; the member of staff ("staff") has already answered it. Their survey page is then the
"You have already answered" page (200) and their thank-you page shows (200); for everyone else the
thank-you page sends them to the survey (302). Waves people were not sent to are 404
(tests/surveys/test_answering_views.py)."""

from surveys import services
from tests.security.rules.common import GET_ONLY, signed_in
from tests.surveys.conftest import make_survey, make_wave

RULES = {
    "surveys:my_surveys": (None, signed_in(200)),
    "surveys:answer": ("answering_wave", signed_in(200)),
    "surveys:answer_thanks": ("answering_wave", {**signed_in(302), "staff": 200}),
}

POST_RULES = {
    "surveys:my_surveys": GET_ONLY,
    "surveys:answer": {**signed_in(200), "staff": 409},  # an empty form is shown again; "staff" has answered
    "surveys:answer_thanks": GET_ONLY,
}


def objects(org) -> dict:
    survey = make_survey()
    wave = services.wave_open(wave_id=make_wave(survey).pk)
    answers = {q.pk: {"number": 4} for q in survey.questions.filter(type="agree5")}
    services.response_submit(profile=org.staff.profile, wave=wave, answers=answers)
    return {"answering_wave": {"wave_id": wave.pk}}
