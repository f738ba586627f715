"""Staff learning: every signed-in person has their own learning (everyone in the test organisation has
a staff record); a certificate is its owner's alone (404 for anyone else) except on the public page
that verifies it. Objects: a published module that the staff persona (Sam) has started, finished
and got a certificate for; nobody else has started it."""

from django.utils import timezone

from courses.models import Certificate, Enrolment, Lesson, Module, Option, Question
from tests.security.rules.common import GET_ONLY, SIGNED_IN, everyone, signed_in

OTHERS = [r for r in SIGNED_IN if r != "staff"]


def owner_only(status=200, others=404):
    return {"anon": 302, "staff": status, **dict.fromkeys(OTHERS, others)}


RULES = {
    "courses:learning_home": (None, signed_in(200)),
    "courses:learning_module": ("learning_module", signed_in(200)),
    # Asked once: someone who has started is sent on to their lesson.
    "courses:learning_confidence_before": ("learning_module", {**signed_in(200), "staff": 302}),
    # Asked at the end: only someone who has completed the module; others are sent to its page.
    "courses:learning_confidence_after": ("learning_module", {**signed_in(302), "staff": 200}),
    # Lessons open once started; others are sent to the start (the confidence question).
    "courses:learning_lesson": ("learning_lesson", {**signed_in(302), "staff": 200}),
    # Answers are POSTed; a GET (a reload or a bookmark) is sent to the lesson.
    "courses:learning_check": ("learning_lesson", signed_in(302)),
    "courses:certificate": ("certificate", owner_only()),
    "courses:certificate_pdf": ("certificate", owner_only()),
    "courses:certificate_verify": ("certificate", everyone(200)),
    "courses:certificate_verify_lookup": (None, everyone(200)),
}

POST_RULES = {
    "courses:learning_home": GET_ONLY,
    "courses:learning_module": signed_in(400),  # a POST retakes the module; with nothing to retake, 400
    "courses:learning_confidence_before": {**signed_in(200), "staff": 302},  # empty answer: asked again
    "courses:learning_confidence_after": {**signed_in(302), "staff": 200},
    "courses:learning_lesson": GET_ONLY,
    # Answers to a lesson not started go back to its start; the owner's empty answers lack the page's token.
    "courses:learning_check": {**signed_in(302), "staff": 400},
    "courses:certificate": GET_ONLY,
    "courses:certificate_pdf": GET_ONLY,
    "courses:certificate_verify": GET_ONLY,
    "courses:certificate_verify_lookup": GET_ONLY,
}


def objects(org) -> dict:
    module = Module.objects.create(slug="learning-matrix", title="Learning matrix", summary="For the matrix.",
                                   confidence_question="How confident are you?", published=True)
    lesson = Lesson.objects.create(module=module, slug="only-lesson", order=1, title="Only lesson", body="Text.")
    question = Question.objects.create(lesson=lesson, text="Which?")
    Option.objects.create(question=question, order=0, text="Right", correct=True, explanation="Because.")
    Option.objects.create(question=question, order=1, text="Wrong", correct=False, explanation="Because not.")
    now = timezone.now()
    enrolment = Enrolment.objects.create(
        profile=org.staff.profile, module=module, status=Enrolment.Status.COMPLETED, started_at=now,
        completed_at=now, completed_version=1, current_lesson=lesson, best_score=100, confidence_before=3)
    certificate = Certificate.objects.create(enrolment=enrolment, name=org.staff.get_full_name(),
                                             module_title=module.title, module_version=1)
    return {
        "learning_module": {"slug": module.slug},
        "learning_lesson": {"slug": module.slug, "lesson": lesson.slug},
        "certificate": {"code": certificate.code},
    }
