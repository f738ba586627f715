"""What a survey and a wave must satisfy, shared by editing, running and answering: a survey's mode is
fixed once any of its waves has opened; in an anonymous survey only free-text questions may be optional,
so every figure counts the same people and none can be differenced across questions; the minimum groups a
wave fixes when it opens."""


from django.core.exceptions import ValidationError

from organisation.models import CouncilSettings
from surveys.models import Question, Survey, Wave

CHOICE_TYPES = (Question.Type.SINGLE, Question.Type.MULTIPLE)


SEGMENT_ATTRIBUTES = ["work_pattern", "contract", "has_work_email", "grade_band"]


EQUALITY_ATTRIBUTES = ["age_band", "sex", "ethnicity_group", "disability"]


def survey_mode_locked(survey: Survey) -> bool:
    return survey.waves.exclude(status=Wave.Status.SCHEDULED).exists()


def survey_problems(survey: Survey) -> list[str]:
    """What stops a wave of this survey from opening, in plain words (empty when it is ready): no
    questions, a choice question with fewer than two choices, or, in an anonymous survey, an optional
    question that is not free text."""
    questions = list(survey.questions.only("text", "type", "required", "choices"))
    problems = []
    if not questions:
        problems.append("The survey has no questions. Add at least one.")
    thin = [q.text for q in questions if q.type in CHOICE_TYPES and len(q.choices) < 2]
    if thin:
        problems.append("A choice question needs at least two choices: " + "; ".join(thin[:3]))
    optional = optional_not_text(survey, questions)
    if optional:
        problems.append(optional)
    return problems


def optional_not_text(survey: Survey, questions=None, *, mode: str | None = None) -> str:
    """The anonymity rule on optional questions, broken (a message) or kept (empty), for the survey in its
    mode or in the `mode` it would change to."""
    if (mode or survey.mode) != Survey.Mode.ANONYMOUS:
        return ""
    if questions is None:
        questions = survey.questions.only("text", "type", "required")
    optional = [q.text for q in questions if not q.required and q.type != Question.Type.TEXT]
    if not optional:
        return ""
    return "In an anonymous survey only free-text questions can be optional: " + "; ".join(optional[:3])


def survey_check(survey: Survey) -> None:
    """Raise ValidationError if the survey cannot be sent as it is (survey_problems)."""
    problems = survey_problems(survey)
    if problems:
        raise ValidationError(problems)


def thresholds() -> tuple[int, int]:
    """The minimum group for figures (never below 3) and for comments (never below the first), as a
    wave opening now would fix them from the council's settings."""
    council = CouncilSettings.load()
    n = max(3, council.min_group_size)
    return n, max(n, council.min_comment_group_size)
