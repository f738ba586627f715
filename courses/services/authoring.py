"""Authoring: publishing and unpublishing modules, and keeping versions right when a module, lesson or
question is edited in the site (the Django admin) rather than loaded from files.

Versioning follows the curriculum loader (courses.curriculum): a module whose content changed gets a
new version; progress on unchanged lessons is kept; a changed lesson is cleared for people who have
not finished the module; completed modules stay completed. Content hashes are computed in the same
shape as the loader's, so a module edited here and one loaded from the same text agree.

An edit is detected by comparing the content before and after the save (`content_snapshot` before,
`module_content_saved` after), never by comparing with the stored hash alone: a stored hash from a
file load and one recomputed here could differ in form while the text is the same, and that must not
clear anyone's progress.
"""

import hashlib
import json
from dataclasses import dataclass, field

from django.db import transaction

from courses.models import Enrolment, Lesson, LessonProgress, Module, QuestionAnswer
from courses.selectors.authoring import lessons_with_content, module_problems
from organisation.services import audit_record


class PublishRefused(Exception):
    """The module has problems that would break it for staff (listed in `problems`)."""

    def __init__(self, problems: list[str]):
        self.problems = problems
        super().__init__("; ".join(problems))


def _sha(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def lesson_content_hash(lesson: Lesson) -> str:
    """The lesson's title, text and check, hashed as the curriculum loader hashes a lesson file."""
    questions = [
        {
            "question": q.text,
            "type": q.type,
            "options": [{"text": o.text, "correct": o.correct, "explanation": o.explanation} for o in q.options.all()],
        }
        for q in lesson.questions.all()
    ]
    return _sha(json.dumps([lesson.title, lesson.body, questions], sort_keys=True))


def _module_meta(module: Module) -> str:
    values = sorted(v.name for v in module.values.all())
    return json.dumps([module.title, module.summary, module.estimated_minutes, module.audience, values,
                       module.principles, module.pass_mark, module.confidence_question], sort_keys=True)


def module_content_hash(module: Module, lesson_hashes: list[tuple[str, str]]) -> str:
    """The loader's module hash: its settings, then each current lesson's slug and hash in order."""
    return _sha(_module_meta(module) + "".join(f"{slug}:{h}" for slug, h in lesson_hashes))


@dataclass
class ContentSnapshot:
    """A module's content as it stands in the database: its settings and each lesson's hash."""

    module_id: int | None = None
    meta: str = ""
    lessons: dict[int, str] = field(default_factory=dict)  # lesson id -> hash computed here
    current: list[int] = field(default_factory=list)  # ids of lessons not retired, in order


def content_snapshot(module_id: int | None) -> ContentSnapshot:
    """Read a module's content from the database (before an edit, and again after it)."""
    if module_id is None:
        return ContentSnapshot()
    module = Module.objects.prefetch_related("values").get(pk=module_id)
    lessons = list(lessons_with_content(module_id))
    return ContentSnapshot(
        module_id=module_id,
        meta=_module_meta(module),
        lessons={lesson.pk: lesson_content_hash(lesson) for lesson in lessons},
        current=[lesson.pk for lesson in lessons if not lesson.retired],
    )


@dataclass
class VersionChange:
    module: Module
    bumped: bool
    changed_lessons: list[Lesson]


@transaction.atomic
def module_content_saved(*, module_id: int, before: ContentSnapshot, actor, created: bool = False) -> VersionChange:
    """After an edit of a module, its lessons or their questions: give changed lessons their new hash,
    clear their progress for people who have not finished, and give the module a new version and hash
    when anything staff see has changed. `before` is the snapshot taken before the edit was saved;
    `created` means the module itself was added by this edit (it stays version 1)."""
    module = Module.objects.select_for_update().get(pk=module_id)
    after = content_snapshot(module.pk)
    changed_ids = [pk for pk, h in after.lessons.items() if before.lessons.get(pk) != h]
    lessons = {lesson.pk: lesson for lesson in Lesson.objects.filter(module=module)}
    changed = [lessons[pk] for pk in changed_ids]
    for lesson in changed:
        lesson.content_hash = after.lessons[lesson.pk]
        lesson.save(update_fields=["content_hash"])
    content_changed = bool(changed) or after.meta != before.meta or after.current != before.current
    current_hashes = [(lessons[pk].slug, lessons[pk].content_hash) for pk in after.current]
    new_hash = module_content_hash(module, current_hashes)
    bumped = not created and content_changed and new_hash != module.content_hash
    if bumped:
        module.version += 1
    if created or content_changed or not module.content_hash:  # a module never hashed gets its hash, unversioned
        module.content_hash = new_hash
    module.save()  # also marks it updated
    existing = [lesson for lesson in changed if lesson.pk in before.lessons]
    if existing and not created:
        # Someone part-way through must redo a lesson whose content changed; finished people stay
        # finished (and keep their certificate, which names the version they earned it on).
        unfinished = Enrolment.objects.filter(module=module).exclude(status=Enrolment.Status.COMPLETED)
        LessonProgress.objects.filter(lesson__in=existing, enrolment__in=unfinished).delete()
        QuestionAnswer.objects.filter(question__lesson__in=existing, enrolment__in=unfinished).delete()
    if bumped:
        audit_record(actor=actor, action="module new version from the admin", target=str(module),
                     detail={"slug": module.slug, "version": module.version,
                             "changed_lessons": [lesson.slug for lesson in changed]})
    return VersionChange(module=module, bumped=bumped, changed_lessons=changed)


@transaction.atomic
def module_publish(*, actor, module: Module) -> Module:
    """Show the module to staff. Refused while it has problems (module_problems)."""
    module = Module.objects.select_for_update().get(pk=module.pk)
    problems = module_problems(module)
    if problems:
        raise PublishRefused([p for found in problems.values() for p in found])
    if not module.published:
        module.published = True
        module.full_clean()
        module.save(update_fields=["published", "updated_at"])
        audit_record(actor=actor, action="module published", target=str(module),
                     detail={"slug": module.slug, "version": module.version})
    return module


@transaction.atomic
def module_unpublish(*, actor, module: Module) -> Module:
    """Hide the module from the catalogue. People's progress, completions and certificates are kept."""
    module = Module.objects.select_for_update().get(pk=module.pk)
    if module.published:
        module.published = False
        module.full_clean()
        module.save(update_fields=["published", "updated_at"])
        audit_record(actor=actor, action="module unpublished", target=str(module),
                     detail={"slug": module.slug, "version": module.version})
    return module
