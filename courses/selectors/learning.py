"""Reads for a person's own learning: "My learning", a module, a lesson, confidence, certificates.

Every function takes the signed-in user as its scope and reaches only that person's enrolments:
another person's enrolment or certificate is a 404, the same as one that does not exist. A learner
sees published modules whose audience fits them ("managers" modules for managers only), any
published module they were assigned or have started, and nothing unpublished.
"""

from dataclasses import dataclass, field
from datetime import date
from functools import cached_property

from django.db.models import Count, F, IntegerField, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.http import Http404
from django.utils import timezone

from courses.models import Certificate, CheckAttempt, Enrolment, Lesson, Module, Option, Question, QuestionAnswer
from courses.rendering import render_markdown
from courses.services.learning import REVEAL_AFTER_TRIES, current_lessons, lessons_done, next_attempt, shown_order
from organisation import roles
from organisation.models import CouncilValue, StaffProfile

STATUS_LABELS = {
    "not-started": "Not started",
    "in-progress": "In progress",
    "completed": "Completed",
    "overdue": "Overdue",
}


def learner_profile(user) -> StaffProfile | None:
    """The user's own staff record (None for an account without one, e.g. a bare superuser)."""
    if not user.is_authenticated:
        return None
    try:
        return user.profile
    except StaffProfile.DoesNotExist:
        return None


def _profile_or_404(user) -> StaffProfile:
    profile = learner_profile(user)
    if profile is None:
        raise Http404("No staff record")
    return profile


def _audience_fits(user) -> Q:
    audiences = Module.Audience.values if roles.is_manager(user) else [Module.Audience.ALL]
    return Q(audience__in=audiences)


def learner_modules(user, profile: StaffProfile) -> QuerySet[Module]:
    """Modules this person may open: published, and either for their audience or already theirs (an
    assignment, or a module they started)."""
    theirs = Enrolment.objects.filter(profile=profile).values("module_id")
    return Module.objects.filter(published=True).filter(_audience_fits(user) | Q(pk__in=theirs))


def get_module_for_learner(user, slug: str) -> tuple[Module, StaffProfile]:
    profile = _profile_or_404(user)
    try:
        return learner_modules(user, profile).get(slug=slug), profile
    except Module.DoesNotExist:
        raise Http404("No such module") from None


# --- My learning -----------------------------------------------------------------------------------

def _lessons_total():
    per_module = (Lesson.objects.filter(module=OuterRef("pk"), retired=False).order_by()
                  .values("module").annotate(n=Count("pk")).values("n"))
    return Coalesce(Subquery(per_module, output_field=IntegerField()), 0)


@dataclass
class LearningItem:
    """One module on someone's list, with their enrolment in it when they have one."""

    module: Module
    enrolment: Enrolment | None
    lessons_total: int
    lessons_done: int = 0
    today: date = field(default_factory=timezone.localdate)

    @property
    def assigned(self) -> bool:
        return self.enrolment is not None and self.enrolment.due_date is not None

    @property
    def due_date(self) -> date | None:
        return self.enrolment.due_date if self.enrolment else None

    @property
    def status(self) -> str:
        if self.enrolment is None:
            return Enrolment.Status.NOT_STARTED.value
        if self.enrolment.status == Enrolment.Status.COMPLETED:
            return Enrolment.Status.COMPLETED.value
        if self.due_date is not None and self.due_date < self.today:
            return "overdue"
        return self.enrolment.status

    @property
    def status_label(self) -> str:
        return STATUS_LABELS[self.status]

    @property
    def started(self) -> bool:
        return self.enrolment is not None and self.enrolment.started_at is not None

    @property
    def resume_lesson(self) -> Lesson | None:
        """The saved place (loaded with the enrolment), when there is one still in the module."""
        lesson = self.enrolment.current_lesson if self.started else None
        return lesson if lesson is not None and not lesson.retired else None

    @property
    def completed(self) -> bool:
        return self.status == Enrolment.Status.COMPLETED

    @property
    def overdue(self) -> bool:
        return self.status == "overdue"


@dataclass
class MyLearning:
    assigned: list[LearningItem]
    optional: list[LearningItem]

    @property
    def assigned_count(self) -> int:
        return len(self.assigned)

    @property
    def completed_count(self) -> int:
        return sum(item.completed for item in self.assigned)

    @property
    def overdue(self) -> list[LearningItem]:
        return [item for item in self.assigned if item.overdue]

    @property
    def to_do_count(self) -> int:
        return self.assigned_count - self.completed_count

    @property
    def next_item(self) -> LearningItem | None:
        """What to do next: the assigned module due soonest that is under way, then the one due
        soonest not yet started, then an optional module under way."""
        for candidates in (
            [i for i in self.assigned if i.started and not i.completed],
            [i for i in self.assigned if not i.started and not i.completed],
            [i for i in self.optional if i.started and not i.completed],
        ):
            if candidates:
                return candidates[0]
        return None


def my_learning(user) -> MyLearning:
    """Assigned modules (not done first, soonest due first) and optional ones. A fixed number of
    queries however many modules and enrolments there are: the profile, the manager check, the
    enrolments with their modules and lesson counts, and the optional modules."""
    profile = learner_profile(user)
    if profile is None:
        return MyLearning(assigned=[], optional=[])
    today = timezone.localdate()
    done = Count("lesson_progress", filter=Q(lesson_progress__lesson__retired=False,
                                             lesson_progress__lesson_hash=F("lesson_progress__lesson__content_hash")))
    total = Subquery(Lesson.objects.filter(module=OuterRef("module_id"), retired=False).order_by()
                     .values("module").annotate(n=Count("pk")).values("n"), output_field=IntegerField())
    enrolments = list(
        Enrolment.objects.filter(profile=profile, module__published=True)
        .select_related("module", "current_lesson")
        .annotate(done=done, total=Coalesce(total, 0))
    )
    assigned = [LearningItem(e.module, e, e.total, e.done, today) for e in enrolments if e.due_date is not None]
    assigned.sort(key=lambda i: (i.completed, i.due_date, i.module.order, i.module.title))
    others = {e.module_id: e for e in enrolments if e.due_date is None}
    optional_modules = (
        Module.objects.filter(published=True)
        .filter(_audience_fits(user) | Q(pk__in=list(others)))
        .exclude(pk__in=[i.module.pk for i in assigned])
        .annotate(total=_lessons_total())
    )
    optional = []
    for module in optional_modules:
        enrolment = others.get(module.pk)
        optional.append(LearningItem(module, enrolment, module.total, enrolment.done if enrolment else 0, today))
    return MyLearning(assigned=assigned, optional=optional)


# --- A module --------------------------------------------------------------------------------------

@dataclass
class LessonRow:
    lesson: Lesson
    number: int
    done: bool


def _resume_lesson(enrolment: Enrolment | None, lessons: list[Lesson], done_ids: set[int]) -> Lesson | None:
    """Where the person picks up: their saved place, else the first lesson not done, else the first."""
    if not lessons:
        return None
    if enrolment is not None and enrolment.current_lesson_id:
        for lesson in lessons:
            if lesson.pk == enrolment.current_lesson_id:
                return lesson
    return next((lesson for lesson in lessons if lesson.pk not in done_ids), lessons[0])


@dataclass
class ModulePage:
    module: Module
    enrolment: Enrolment | None
    lessons: list[LessonRow]
    resume: Lesson | None
    certificate: Certificate | None

    @property
    def item(self) -> LearningItem:
        return LearningItem(self.module, self.enrolment, self.total, self.done_count)

    @property
    def started(self) -> bool:
        return self.enrolment is not None and self.enrolment.started_at is not None

    @property
    def total(self) -> int:
        return len(self.lessons)

    @property
    def done_count(self) -> int:
        return sum(row.done for row in self.lessons)

    @property
    def all_done(self) -> bool:
        return self.total > 0 and self.done_count == self.total

    @property
    def completed(self) -> bool:
        return self.enrolment is not None and self.enrolment.status == Enrolment.Status.COMPLETED

    @property
    def needs_retry(self) -> bool:
        return self.all_done and not self.completed


def module_page(user, slug: str) -> ModulePage:
    module, profile = get_module_for_learner(user, slug)
    enrolment = (Enrolment.objects.filter(profile=profile, module=module)
                 .select_related("current_lesson").first())
    lessons = list(current_lessons(module))
    done_ids = lessons_done(enrolment) if enrolment else set()
    certificate = Certificate.objects.filter(enrolment=enrolment).first() if enrolment else None
    return ModulePage(
        module=module, enrolment=enrolment,
        lessons=[LessonRow(lesson, n, lesson.pk in done_ids) for n, lesson in enumerate(lessons, 1)],
        resume=_resume_lesson(enrolment, lessons, done_ids), certificate=certificate,
    )


# --- Confidence --------------------------------------------------------------------------------------

@dataclass
class ConfidencePage:
    module: Module
    profile: StaffProfile
    enrolment: Enrolment | None
    when: str

    @property
    def started(self) -> bool:
        return self.enrolment is not None and self.enrolment.started_at is not None

    @property
    def completed(self) -> bool:
        return self.enrolment is not None and self.enrolment.status == Enrolment.Status.COMPLETED

    @cached_property
    def certificate(self) -> Certificate | None:
        return Certificate.objects.filter(enrolment=self.enrolment).first() if self.enrolment else None

    @property
    def current(self) -> int | None:
        if self.enrolment is None:
            return None
        return getattr(self.enrolment, f"confidence_{self.when}")

    @cached_property
    def resume(self) -> Lesson | None:
        lessons = list(current_lessons(self.module))
        return _resume_lesson(self.enrolment, lessons, lessons_done(self.enrolment) if self.enrolment else set())


def confidence_page(user, slug: str, when: str) -> ConfidencePage:
    module, profile = get_module_for_learner(user, slug)
    enrolment = Enrolment.objects.filter(profile=profile, module=module).first()
    return ConfidencePage(module=module, profile=profile, enrolment=enrolment, when=when)


# --- A lesson and its knowledge check ----------------------------------------------------------------

@dataclass
class OptionFeedback:
    text: str
    explanation: str
    chosen: bool
    correct: bool


@dataclass
class QuestionFeedback:
    """One question of an attempt. Before the right answer is shown (a wrong first try), `options` holds
    only the wrong options chosen, each with why it is wrong; once shown, every chosen and every right
    option, in the order the learner saw them."""

    question: Question
    number: int
    correct: bool
    revealed: bool
    options: list[OptionFeedback]

    @property
    def missed_some(self) -> bool:
        """Wrong, not yet revealed, and nothing chosen was wrong: a right option was left out."""
        return not self.correct and not self.revealed and not self.options


@dataclass
class CheckFeedback:
    attempt: CheckAttempt
    questions: list[QuestionFeedback]

    @property
    def total(self) -> int:
        return len(self.questions)

    @property
    def right(self) -> int:
        return sum(q.correct for q in self.questions)

    @property
    def all_right(self) -> bool:
        return self.right == self.total

    @property
    def revealed(self) -> bool:
        """Some right answer is shown: trying again now would only copy it."""
        return any(q.revealed for q in self.questions)

    @property
    def try_again_first(self) -> bool:
        """Something is wrong and its right answer is not shown yet: trying again is the next step."""
        return not self.all_right and not self.revealed

    @property
    def first_try(self) -> bool:
        return all(q["try"] == 1 for q in self.attempt.answers)


def check_feedback(attempt: CheckAttempt, questions: list[Question]) -> CheckFeedback:
    """Feedback on a recorded attempt, with the options in the order the learner saw them. A right
    answer: why it is right. A wrong one at the first try: why each wrong choice is wrong, without
    saying which is right. From the second try: the right answer too, with why."""
    by_id = {q.pk: q for q in questions}
    feedback = []
    for row in attempt.answers:
        question = by_id.get(row["question"])
        if question is None:  # changed since (a new version of the lesson): nothing to explain it with
            continue
        options: dict[int, Option] = {o.pk: o for o in question.options.all()}
        picked = set(row["chosen"])
        revealed = not row["correct"] and row["try"] >= REVEAL_AFTER_TRIES
        shown = [options[pk] for pk in row["shown"] if pk in options]
        shown += [o for o in options.values() if o.pk not in row["shown"]]
        if row["correct"] or revealed:
            listed = [o for o in shown if o.pk in picked or o.correct]
        else:
            listed = [o for o in shown if o.pk in picked and not o.correct]
        feedback.append(QuestionFeedback(
            question=question, number=len(feedback) + 1, correct=row["correct"], revealed=revealed,
            options=[OptionFeedback(o.text, o.explanation, o.pk in picked, o.correct) for o in listed],
        ))
    return CheckFeedback(attempt, feedback)


@dataclass
class ShownQuestion:
    """A question of the check with its options in the order this learner sees them at this attempt."""

    question: Question
    number: int
    options: list[Option]


@dataclass
class LessonPage:
    module: Module
    lesson: Lesson
    lessons: list[Lesson]
    enrolment: Enrolment | None
    questions: list[Question]
    scored: dict[int, QuestionAnswer]
    attempt: int

    @property
    def number(self) -> int:
        return self.lessons.index(self.lesson) + 1

    @property
    def total(self) -> int:
        return len(self.lessons)

    @property
    def previous(self) -> Lesson | None:
        i = self.lessons.index(self.lesson)
        return self.lessons[i - 1] if i > 0 else None

    @property
    def next(self) -> Lesson | None:
        i = self.lessons.index(self.lesson)
        return self.lessons[i + 1] if i + 1 < len(self.lessons) else None

    @property
    def started(self) -> bool:
        return self.enrolment is not None and self.enrolment.started_at is not None

    @cached_property
    def body_html(self) -> str:
        return render_markdown(self.lesson.body, council_values=CouncilValue.objects.all())

    @cached_property
    def check(self) -> list[ShownQuestion]:
        """The questions with their options shuffled for this learner and attempt (stable on reload).
        Before the learner has started there is no attempt to shuffle for: authored order."""
        shown = []
        for number, question in enumerate(self.questions, 1):
            options = list(question.options.all())
            if self.enrolment is not None:
                by_id = {o.pk: o for o in options}
                options = [by_id[pk] for pk in shown_order(self.enrolment, question, self.attempt)]
            shown.append(ShownQuestion(question, number, options))
        return shown

    @property
    def answered(self) -> bool:
        return bool(self.scored)

    @property
    def scored_right(self) -> int:
        return sum(a.correct for a in self.scored.values())

    @cached_property
    def next_step(self) -> dict:
        """Where the button under the feedback goes, worked out after the check was recorded: the next
        lesson; at the end, the confidence question (when complete), a lesson still to do, or the
        module page (whose score is below the pass mark)."""
        if self.next is not None:
            return {"kind": "lesson", "lesson": self.next}
        if self.enrolment.status == Enrolment.Status.COMPLETED:
            certificate = Certificate.objects.filter(enrolment=self.enrolment).first()
            asked = self.enrolment.confidence_after is not None
            return {"kind": "finish", "certificate": certificate if asked else None}
        done_ids = lessons_done(self.enrolment)
        missing = next((lesson for lesson in self.lessons if lesson.pk not in done_ids), None)
        if missing is not None:
            return {"kind": "lesson", "lesson": missing}
        return {"kind": "module"}


def lesson_page(user, slug: str, lesson_slug: str) -> LessonPage:
    module, profile = get_module_for_learner(user, slug)
    lessons = list(current_lessons(module))
    lesson = next((lesson for lesson in lessons if lesson.slug == lesson_slug), None)
    if lesson is None:
        raise Http404("No such lesson")
    enrolment = Enrolment.objects.filter(profile=profile, module=module).select_related("module").first()
    scored, attempt = {}, 1
    if enrolment is not None:
        scored = {a.question_id: a for a in QuestionAnswer.objects.filter(enrolment=enrolment, question__lesson=lesson)}
        attempt = next_attempt(enrolment, lesson)
    return LessonPage(module=module, lesson=lesson, lessons=lessons, enrolment=enrolment,
                      questions=list(lesson.questions.prefetch_related("options")), scored=scored, attempt=attempt)


# --- Certificates ------------------------------------------------------------------------------------

def get_certificate_for_user(user, code: str) -> Certificate:
    """The user's own certificate; anyone else's is a 404."""
    profile = _profile_or_404(user)
    try:
        return Certificate.objects.select_related("enrolment__module").get(
            code=code.strip().upper(), enrolment__profile=profile)
    except Certificate.DoesNotExist:
        raise Http404("No such certificate") from None


def certificate_verify(code: str) -> Certificate | None:
    """Anyone may check a code: the certificate, or None. Pages show only name, module and date."""
    return Certificate.objects.filter(code=code.strip().upper()).only(
        "code", "name", "module_title", "issued_at").first()
