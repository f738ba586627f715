"""Builders shared by the results, exports and attacker tests: run a wave of a shipped survey through the
real services (wave_open, response_submit, wave_close), with answers drawn from a seeded random source."""

import random
from datetime import timedelta

from django.utils import timezone

from surveys import services
from surveys.models import Question, Survey, Wave

COMMENTS = [
    "I worry about my job security if AI takes over routine letters.",
    "We need more training time before we use these tools.",
    "Job security is my main worry, and nobody has explained the plan.",
    "More training time would help, and a named contact for questions.",
    "It could save time on routine letters and reports.",
    "I am excited to try it, it could save time on routine tasks.",
    "Worried about data protection and residents' personal data.",
    "The training was good but I have no time to practise.",
    "Great idea, I already use it at home and it helps a lot.",
    "Not sure it is right for frontline work like ours.",
]


def make_pulse(actor=None, key="ai-readiness-pulse") -> Survey:
    return services.survey_create_from_template(actor=actor, key=key)


def random_answers(survey: Survey, rng: random.Random, *, comment: str | None = None) -> dict:
    answers = {}
    for q in survey.questions.all():
        if q.type == Question.Type.AGREE5:
            answers[q.pk] = {"number": rng.randint(1, 5)}
        elif q.type == Question.Type.SCALE10:
            answers[q.pk] = {"number": rng.randint(0, 10)}
        elif q.type == Question.Type.SINGLE:
            answers[q.pk] = {"choices": [rng.choice(q.choices)["id"]]}
        elif q.type == Question.Type.MULTIPLE:
            ids = [c["id"] for c in q.choices]
            answers[q.pk] = {"choices": sorted(rng.sample(ids, rng.randint(1, 3)))}
        elif comment:
            answers[q.pk] = {"text": comment}
    return answers


def open_wave(survey: Survey, *, name="Spring", departments=(), opened_days_ago=1) -> Wave:
    now = timezone.now()
    wave = Wave.objects.create(survey=survey, name=name, opens_at=now - timedelta(days=opened_days_ago),
                               closes_at=now + timedelta(days=7))
    wave.departments.set(departments)
    return services.wave_open(wave_id=wave.pk)


def answer(wave: Wave, profiles, *, seed=1, comment_share=0.8) -> None:
    rng = random.Random(seed)
    for profile in profiles:
        comment = rng.choice(COMMENTS) if rng.random() < comment_share else None
        services.response_submit(profile=profile, wave=wave, answers=random_answers(wave.survey, rng, comment=comment))


def close(wave: Wave) -> Wave:
    Wave.objects.filter(pk=wave.pk).update(closes_at=timezone.now() - timedelta(seconds=1))
    return services.wave_close(wave_id=wave.pk)


def run_wave(survey: Survey, profiles, *, seed=1, name="Spring", departments=(), opened_days_ago=1,
             comment_share=0.8) -> Wave:
    wave = open_wave(survey, name=name, departments=departments, opened_days_ago=opened_days_ago)
    answer(wave, profiles, seed=seed, comment_share=comment_share)
    return close(wave)


def test_run_wave_records_every_response(org):
    from surveys.models import Response

    survey = make_pulse()
    profiles = [org.staff.profile, org.hr.profile, org.author.profile]
    wave = run_wave(survey, profiles)
    assert wave.status == Wave.Status.CLOSED and Response.objects.filter(wave=wave).count() == 3
