"""Reads for content authors: every module, published or not, with its lessons and knowledge checks,
and the problems that would stop a module being published. Authors (and admins) see every module;
anyone else sees none, so a page reached without the role has nothing to show.
"""

from django.db.models import Count, Prefetch, Q, QuerySet
from django.http import Http404

from courses.models import Lesson, Module, Option, Question
from organisation import roles
from organisation.models import CouncilValue


def modules_for_author(user) -> QuerySet[Module]:
    """Every module with `lesson_count` (current lessons), in catalogue order. One query."""
    if not roles.is_author(user):
        return Module.objects.none()
    return Module.objects.annotate(lesson_count=Count("lessons", filter=Q(lessons__retired=False))).order_by(
        "order", "title")


def get_module_for_author(user, slug: str) -> Module:
    module = modules_for_author(user).prefetch_related("values").filter(slug=slug).first()
    if module is None:
        raise Http404("No such module")
    return module


def lessons_with_content(module_id: int) -> QuerySet[Lesson]:
    """A module's lessons (retired ones too) with their questions and options, in a stable order.
    Three queries however many lessons."""
    return Lesson.objects.filter(module_id=module_id).order_by("order", "pk").prefetch_related(
        Prefetch("questions", queryset=Question.objects.order_by("order", "pk")),
        Prefetch("questions__options", queryset=Option.objects.order_by("order", "pk")),
    )


def lessons_for_author(user, module: Module) -> list[Lesson]:
    """The module's lessons, each with `problems` (see lesson_problems)."""
    if not roles.is_author(user):
        return []
    lessons = list(lessons_with_content(module.pk))
    for lesson in lessons:
        lesson.problems = [] if lesson.retired else lesson_problems(lesson)
    return lessons


def get_lesson_for_preview(user, module: Module, slug: str) -> Lesson:
    lesson = lessons_with_content(module.pk).filter(slug=slug).first() if roles.is_author(user) else None
    if lesson is None:
        raise Http404("No such lesson")
    lesson.problems = [] if lesson.retired else lesson_problems(lesson)
    return lesson


def neighbouring_lessons(module: Module, lesson: Lesson) -> dict:
    """Where the lesson sits among the current ones (`number` of `total`, from 1) and the lessons before
    and after it, for previewing a module lesson by lesson. A retired lesson has no place. One query."""
    current = list(module.lessons.filter(retired=False).order_by("order", "pk").only("slug", "title", "order"))
    slugs = [c.slug for c in current]
    if lesson.slug not in slugs:
        return {"previous": None, "next": None, "number": None, "total": len(current)}
    i = slugs.index(lesson.slug)
    return {"previous": current[i - 1] if i > 0 else None, "next": current[i + 1] if i + 1 < len(current) else None,
            "number": i + 1, "total": len(current)}


def council_values() -> list[CouncilValue]:
    """The council's values, for the `[[council-values]]` marker, exactly as staff will see them."""
    return list(CouncilValue.objects.order_by("order", "name"))


def module_problems(module: Module) -> dict[str, list[str]]:
    """What would break the module for staff, by lesson slug ('' for the module itself): the rules of
    curriculum/FORMAT.md, checked on the database so edits made in the admin are held to them too."""
    problems: dict[str, list[str]] = {}
    lessons = [lesson for lesson in lessons_with_content(module.pk) if not lesson.retired]
    if not lessons:
        problems[""] = ["The module has no lessons."]
    for lesson in lessons:
        found = lesson_problems(lesson)
        if found:
            problems[lesson.slug] = found
    return problems


def lesson_problems(lesson: Lesson) -> list[str]:
    """The FORMAT.md rules for one lesson (expects questions and options prefetched)."""
    found = []
    if not lesson.body.strip():
        found.append("The lesson has no text.")
    questions = list(lesson.questions.all())
    if not 1 <= len(questions) <= 3:
        found.append(f"A lesson needs a knowledge check of 1 to 3 questions (has {len(questions)}).")
    for n, q in enumerate(questions, start=1):
        options = list(q.options.all())
        correct = sum(o.correct for o in options)
        if len(options) < 2:
            found.append(f"Question {n} needs at least two options (has {len(options)}).")
        if q.type == Question.Type.SINGLE and correct != 1:
            found.append(f"Question {n} is 'choose one' and needs exactly one correct option (has {correct}).")
        if q.type == Question.Type.MULTIPLE and correct < 1:
            found.append(f"Question {n} is 'choose all that apply' and needs at least one correct option.")
        if any(not o.explanation.strip() for o in options):
            found.append(f"Question {n}: every option needs an explanation that teaches.")
    return found
