"""Fixtures for the learning tests: a small module written in the curriculum's own format and loaded
with the real loader, and helpers that answer its checks the way a browser does."""

import re
import textwrap
from pathlib import Path

import pytest
from django.urls import reverse

from courses.curriculum import load_curriculum
from courses.models import Enrolment, Lesson, Module

# Three lessons, four questions (lesson 2 has a single- and a multiple-choice one). Pass mark 75%:
# three of four right passes, two does not.
SMALL_MODULE = {
    "module.yaml": """\
        title: Small test module
        summary: A short module for the learning tests.
        estimated_minutes: 15
        audience: {audience}
        values: []
        principles: [1]
        pass_mark: 75
        confidence_question: How confident are you to spot a made-up AI answer?
        """,
    "01-first-steps.md": """\
        ---
        title: First steps
        minutes: 5
        check:
          - question: Which tool may you paste a resident's email into?
            type: single
            options:
              - text: A public chatbot.
                correct: false
                explanation: A public chatbot is not approved for personal data.
              - text: None, unless the council has approved the tool for personal data.
                correct: true
                explanation: Only approved tools may hold residents' personal data.
        ---
        ## Start here

        AI tools can help with drafting.

        !!! tryit "Try it"
            Write down one task you could draft with AI.

        !!! watchout "Watch out"
            Never paste personal data into a public tool.
        """,
    "02-second-steps.md": """\
        ---
        title: Second steps
        minutes: 5
        check:
          - question: What should you do with an AI-drafted letter?
            type: single
            options:
              - text: Send it as it is.
                correct: false
                explanation: AI drafts can be wrong; a person checks them first.
              - text: Check it and take responsibility for it.
                correct: true
                explanation: You are accountable for what the council sends.
              - text: Ask the AI if it is right.
                correct: false
                explanation: The AI cannot check its own facts reliably.
          - question: Which are signs an AI answer may be made up? Pick all that apply.
            type: multiple
            options:
              - text: A reference you cannot find.
                correct: true
                explanation: Invented references are common.
              - text: Very exact figures with no source.
                correct: true
                explanation: Precise numbers without a source need checking.
              - text: It is written in plain English.
                correct: false
                explanation: Plain English is not a sign of anything wrong.
        ---
        ## Checking

        Check facts, names and figures.

        [[council-values]]
        """,
    "03-last-steps.md": """\
        ---
        title: Last steps
        minutes: 5
        check:
          - question: Who decides on a housing application?
            type: single
            options:
              - text: A trained officer.
                correct: true
                explanation: Decisions about people stay with people.
              - text: The AI tool.
                correct: false
                explanation: AI does not make decisions about residents.
        ---
        ## The end

        People and AI, in tandem.
        """,
}


def write_small_module(root: Path, name: str = "01-small-test-module", *, audience: str = "all") -> Path:
    folder = Path(root) / name
    folder.mkdir(parents=True)
    for filename, text in SMALL_MODULE.items():
        (folder / filename).write_text(textwrap.dedent(text).format(audience=audience), encoding="utf-8")
    return folder


def load_small_module(root: Path, name: str = "01-small-test-module", *, audience: str = "all") -> Module:
    load_curriculum(write_small_module(root, name, audience=audience))
    slug = name.partition("-")[2]
    return Module.objects.get(slug=slug)


@pytest.fixture
def small_module(db, tmp_path) -> Module:
    return load_small_module(tmp_path)


@pytest.fixture
def managers_module(db, tmp_path) -> Module:
    return load_small_module(tmp_path, "02-leading-with-ai", audience="managers")


def lessons(module: Module) -> list[Lesson]:
    return list(module.lessons.filter(retired=False).order_by("order"))


def answers_for(lesson: Lesson, *, right: bool = True) -> dict[str, list[str]]:
    """Form data answering every question of a lesson: all right, or all wrong (an incorrect option)."""
    data = {}
    for question in lesson.questions.prefetch_related("options"):
        options = list(question.options.all())
        pick = [o for o in options if o.correct] if right else [next(o for o in options if not o.correct)]
        data[f"question-{question.pk}"] = [str(o.pk) for o in pick]
    return data


def lesson_url(lesson: Lesson) -> str:
    return reverse("courses:learning_lesson", args=[lesson.module.slug, lesson.slug])


def check_url(lesson: Lesson) -> str:
    return reverse("courses:learning_check", args=[lesson.module.slug, lesson.slug])


def fresh_token(client, lesson: Lesson) -> str:
    """Open the lesson as a browser would and read the check's one-time token from the form."""
    response = client.get(lesson_url(lesson))
    assert response.status_code == 200
    return re.search(r'name="token" value="([^"]+)"', response.content.decode()).group(1)


def submit(client, lesson: Lesson, answers: dict, *, token: str | None = None):
    token = token or fresh_token(client, lesson)
    return client.post(check_url(lesson), {"token": token, **answers})


def start(client, module: Module, confidence: int = 2):
    return client.post(reverse("courses:learning_confidence_before", args=[module.slug]), {"confidence": confidence})


def enrolment_of(user, module: Module) -> Enrolment:
    return Enrolment.objects.get(profile=user.profile, module=module)
