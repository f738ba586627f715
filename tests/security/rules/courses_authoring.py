"""Authoring pages: content authors and admins only; publishing is POST only (GET is 405 for everyone,
before any sign-in check, as for other POST-only actions)."""

from courses.models import Lesson, Module, Option, Question
from tests.security.rules.common import AUTHORS, GET_ONLY, everyone, only

RULES = {
    "courses:authoring": (None, only(AUTHORS)),
    "courses:authoring_module": ("authoring_module", only(AUTHORS)),
    "courses:authoring_preview": ("authoring_lesson", only(AUTHORS)),
    "courses:authoring_publish": ("authoring_module", everyone(405)),
    "courses:authoring_unpublish": ("authoring_module", everyone(405)),
}

POST_RULES = {
    "courses:authoring": GET_ONLY,
    "courses:authoring_module": GET_ONLY,
    "courses:authoring_preview": GET_ONLY,
    "courses:authoring_publish": only(AUTHORS, status=302),
    "courses:authoring_unpublish": only(AUTHORS, status=302),
}


def objects(org):
    module = Module.objects.create(slug="authoring-matrix", title="Authoring matrix", summary="For the matrix.",
                                   confidence_question="How confident are you?")
    lesson = Lesson.objects.create(module=module, slug="only-lesson", order=1, title="Only lesson", body="Text.")
    question = Question.objects.create(lesson=lesson, text="Which?")
    Option.objects.create(question=question, order=0, text="This", correct=True, explanation="Right.")
    Option.objects.create(question=question, order=1, text="That", correct=False, explanation="Wrong.")
    return {
        "authoring_module": {"slug": module.slug},
        "authoring_lesson": {"slug": module.slug, "lesson": lesson.slug},
    }
