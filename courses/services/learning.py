"""Learning: a member of staff starts a module, reads lessons, answers knowledge checks, records
confidence, and completes it (with a certificate).

Rules:
- answers are checked on the server: an option from another question or a made-up id is
  `TamperedAnswers` (the view answers 400) and changes nothing;
- a check is answered whole: a submission that leaves a question unanswered is `UnansweredQuestions`
  and changes nothing (the form asks again, and its token stays usable);
- each rendered check carries a one-time token, so a double-click or replay is recorded once; the
  token remembers the lesson and attempt it was shown for, so the options' order recorded with the
  answers (CheckAttempt) is the order the learner saw (courses.option_order);
- the score counts the first try at each question: further tries teach (the feedback explains the
  chosen answer, and shows the right one after the second try) but do not change the score, so the
  right answer, once shown, cannot be copied into a pass;
- a module is complete when every current lesson is done and the first-try score reaches the pass
  mark; once complete it stays complete, even when a later version of the module changes;
- below the pass mark with every lesson done, the learner may retake the module (`module_retake`):
  their answers and lesson progress are cleared, the options come in a new order, and the first try
  at each question counts again. A pass therefore always means that, in one go through the module,
  the pass mark was reached by questions answered right before their answers were shown;
- `Enrolment.current_lesson` is where the person resumes: it moves forward past each lesson they
  finish and never back (redoing an early check does not lose their place).
"""

import secrets
from datetime import timedelta

from django.db import transaction
from django.db.models import Count, F
from django.utils import timezone

from courses.models import (
    Certificate,
    CheckAttempt,
    Enrolment,
    Lesson,
    LessonProgress,
    Module,
    Question,
    QuestionAnswer,
    SubmissionToken,
)
from courses.option_order import option_order
from organisation.models import StaffProfile

# The right answer to a question is shown after this many tries at it.
REVEAL_AFTER_TRIES = 2


class TamperedAnswers(Exception):
    """The submitted answers do not belong to this check: nothing is recorded."""


class UnansweredQuestions(Exception):
    """Some questions of the check have no answer: nothing is recorded."""

    def __init__(self, question_ids: list[int]):
        self.question_ids = question_ids
        super().__init__(f"unanswered: {question_ids}")


def current_lessons(module: Module):
    return module.lessons.filter(retired=False).order_by("order")


@transaction.atomic
def enrolment_start(*, profile: StaffProfile, module: Module) -> Enrolment:
    """Open a module for a person (optional modules get an enrolment on first visit)."""
    enrolment, _ = Enrolment.objects.select_for_update().get_or_create(profile=profile, module=module)
    if enrolment.started_at is None:
        enrolment.started_at = timezone.now()
        if enrolment.status == Enrolment.Status.NOT_STARTED:
            enrolment.status = Enrolment.Status.IN_PROGRESS
        enrolment.current_lesson = current_lessons(module).first()
        enrolment.save(update_fields=["started_at", "status", "current_lesson"])
    return enrolment


@transaction.atomic
def confidence_record(*, enrolment: Enrolment, when: str, value: int) -> Enrolment:
    if when not in {"before", "after"} or not 1 <= int(value) <= 5:
        raise ValueError("confidence is 'before' or 'after', from 1 to 5")
    setattr(enrolment, f"confidence_{when}", int(value))
    enrolment.save(update_fields=[f"confidence_{when}"])
    return enrolment


@transaction.atomic
def module_begin(*, profile: StaffProfile, module: Module, confidence: int) -> Enrolment:
    """Start a module with the learner's confidence before it (the 'before' of the uplift)."""
    enrolment = enrolment_start(profile=profile, module=module)
    return confidence_record(enrolment=enrolment, when="before", value=confidence)


def submission_token_issue(*, enrolment: Enrolment, lesson: Lesson | None = None, attempt: int | None = None) -> str:
    """A one-time token for a check shown for `lesson` at `attempt` (see next_attempt)."""
    token = secrets.token_urlsafe(24)
    SubmissionToken.objects.create(token=token, enrolment=enrolment, lesson=lesson, attempt=attempt)
    return token


def next_attempt(enrolment: Enrolment, lesson: Lesson) -> int:
    """The number of this person's next submission of this lesson's check (it seeds the option order)."""
    return CheckAttempt.objects.filter(enrolment=enrolment, lesson=lesson).count() + 1


def shown_order(enrolment: Enrolment, question: Question, attempt: int) -> list[int]:
    """The option ids of `question` in the order this person sees them at `attempt`."""
    return option_order(learner_id=enrolment.profile_id, question_id=question.pk, attempt=attempt,
                        option_ids=[o.pk for o in question.options.all()])


TOKEN_LIFETIME = timedelta(days=7)


def submission_tokens_purge(*, now=None) -> int:
    """Delete submission tokens issued more than TOKEN_LIFETIME ago, used or not (one is issued each time
    a lesson page is shown). A check sent from a page that old is refused as out of date, and its learner
    is asked to answer it again: nothing is recorded twice. Returns how many were deleted."""
    cutoff = (now or timezone.now()) - TOKEN_LIFETIME
    deleted, _ = SubmissionToken.objects.filter(issued_at__lt=cutoff).delete()
    return deleted


def _validate(lesson: Lesson, answers: dict) -> dict[int, set[int]]:
    """{question id: set of option ids}, or TamperedAnswers. Missing answers are left out (the caller
    decides what they mean); foreign ids are not allowed."""
    questions = {q.pk: q for q in lesson.questions.prefetch_related("options")}
    clean = {}
    for raw_q, raw_options in answers.items():
        try:
            qid = int(raw_q)
            chosen = {int(o) for o in raw_options}
        except (TypeError, ValueError):
            raise TamperedAnswers("not an id") from None
        question = questions.get(qid)
        if question is None:
            raise TamperedAnswers(f"question {qid} is not in this lesson")
        valid = {o.pk for o in question.options.all()}
        if not chosen <= valid:
            raise TamperedAnswers(f"option not in question {qid}")
        if question.type == Question.Type.SINGLE and len(chosen) > 1:
            raise TamperedAnswers(f"question {qid} takes one answer")
        if chosen:
            clean[qid] = chosen
    return clean


def answers_submit(*, enrolment: Enrolment, lesson: Lesson, token: str, answers: dict) -> CheckAttempt | None:
    """Record a knowledge check: `answers` is {question id: [option ids]} as posted. Returns the attempt
    recorded (what was shown, chosen and right, per question). A token that was already used records
    nothing and returns the latest attempt at this lesson. Raises TamperedAnswers (foreign or made-up
    ids, unknown token, a token shown for another lesson) or UnansweredQuestions, recording nothing."""
    if lesson.module_id != enrolment.module_id or lesson.retired:
        raise TamperedAnswers("lesson not in this module")
    clean = _validate(lesson, answers)
    with transaction.atomic():
        used = SubmissionToken.objects.select_for_update().filter(token=token, enrolment=enrolment).first()
        if used is None:
            raise TamperedAnswers("unknown token")
        if used.lesson_id is not None and used.lesson_id != lesson.pk:
            raise TamperedAnswers("token shown for another lesson")
        if used.used_at is not None:
            return _latest_attempt(enrolment, lesson)
        questions = list(lesson.questions.prefetch_related("options"))
        missing = [q.pk for q in questions if q.pk not in clean]
        if missing:
            raise UnansweredQuestions(missing)
        # A conditional update, so two submissions racing with one token record once on any database.
        if not SubmissionToken.objects.filter(pk=used.pk, used_at__isnull=True).update(used_at=timezone.now()):
            return _latest_attempt(enrolment, lesson)
        Enrolment.objects.select_for_update().filter(pk=enrolment.pk).first()  # one numbering at a time
        number = next_attempt(enrolment, lesson)
        shown_at = used.attempt or number
        existing = {a.question_id: a for a in QuestionAnswer.objects.filter(enrolment=enrolment, question__lesson=lesson)}
        recorded = []
        for question in questions:
            chosen = clean[question.pk]
            correct = chosen == {o.pk for o in question.options.all() if o.correct}
            answer = existing.get(question.pk)
            if answer is None:  # the first try: the one that is scored
                answer = QuestionAnswer.objects.create(enrolment=enrolment, question=question, chosen=sorted(chosen),
                                                       correct=correct)
            else:
                answer.attempts += 1
                answer.save(update_fields=["attempts"])
            recorded.append({"question": question.pk, "shown": shown_order(enrolment, question, shown_at),
                             "chosen": sorted(chosen), "correct": correct, "try": answer.attempts})
        attempt = CheckAttempt.objects.create(enrolment=enrolment, lesson=lesson, number=number, answers=recorded)
        LessonProgress.objects.update_or_create(
            enrolment=enrolment, lesson=lesson,
            defaults={"lesson_hash": lesson.content_hash, "completed_at": timezone.now()},
        )
        _advance(enrolment, lesson)
        _rescore(enrolment)
        _maybe_complete(enrolment)
    return attempt


def _latest_attempt(enrolment: Enrolment, lesson: Lesson) -> CheckAttempt | None:
    return CheckAttempt.objects.filter(enrolment=enrolment, lesson=lesson).order_by("-number").first()


@transaction.atomic
def module_retake(*, enrolment: Enrolment) -> Enrolment:
    """Start a module again after finishing every lesson below the pass mark: answers and lesson
    progress are cleared (attempts are kept, so the options come in a new order) and the learner goes
    back to the first lesson. Raises ValueError when there is nothing to retake."""
    enrolment = Enrolment.objects.select_for_update().select_related("module").get(pk=enrolment.pk)
    if not needs_retry(enrolment):
        raise ValueError("only a module finished below its pass mark can be retaken")
    QuestionAnswer.objects.filter(enrolment=enrolment).delete()
    LessonProgress.objects.filter(enrolment=enrolment).delete()
    enrolment.best_score = None
    enrolment.current_lesson = current_lessons(enrolment.module).first()
    enrolment.save(update_fields=["best_score", "current_lesson"])
    return enrolment


def _advance(enrolment: Enrolment, lesson: Lesson) -> None:
    """Move the resume point past this lesson, never back."""
    current = enrolment.current_lesson
    if current is not None and not current.retired and current.order > lesson.order:
        return
    following = current_lessons(enrolment.module).filter(order__gt=lesson.order).first()
    enrolment.current_lesson = following or lesson
    enrolment.save(update_fields=["current_lesson"])


def _rescore(enrolment: Enrolment) -> None:
    totals = Question.objects.filter(lesson__module_id=enrolment.module_id, lesson__retired=False).aggregate(
        total=Count("pk"))
    right = QuestionAnswer.objects.filter(enrolment=enrolment, correct=True, question__lesson__retired=False).count()
    enrolment.best_score = round(100 * right / totals["total"]) if totals["total"] else None
    enrolment.save(update_fields=["best_score"])


def lessons_done(enrolment: Enrolment) -> set[int]:
    """Ids of current lessons this person has completed in their current form."""
    return set(
        LessonProgress.objects.filter(enrolment=enrolment, lesson__retired=False)
        .filter(lesson_hash=F("lesson__content_hash"))
        .values_list("lesson_id", flat=True)
    )


def _maybe_complete(enrolment: Enrolment) -> None:
    if enrolment.status == Enrolment.Status.COMPLETED:
        return
    lesson_ids = set(current_lessons(enrolment.module).values_list("pk", flat=True))
    if not lesson_ids or not lesson_ids <= lessons_done(enrolment):
        return
    if (enrolment.best_score or 0) < enrolment.module.pass_mark:
        return
    enrolment.status = Enrolment.Status.COMPLETED
    enrolment.completed_at = timezone.now()
    enrolment.completed_version = enrolment.module.version
    enrolment.save(update_fields=["status", "completed_at", "completed_version"])
    profile = enrolment.profile
    Certificate.objects.get_or_create(
        enrolment=enrolment,
        defaults={"name": profile.user.get_full_name() or profile.staff_number,
                  "module_title": enrolment.module.title, "module_version": enrolment.module.version},
    )


def module_progress(enrolment: Enrolment) -> dict:
    """Lessons done of current lessons, for progress bars."""
    total = current_lessons(enrolment.module).count()
    done = len(lessons_done(enrolment))
    return {"done": done, "total": total, "percent": round(100 * done / total) if total else 0}


def needs_retry(enrolment: Enrolment) -> bool:
    """All lessons done but the best score is below the pass mark."""
    progress = module_progress(enrolment)
    return (
        enrolment.status != Enrolment.Status.COMPLETED
        and progress["done"] == progress["total"]
        and (enrolment.best_score or 0) < enrolment.module.pass_mark
    )
