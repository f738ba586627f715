"""Courses: modules of lessons with knowledge checks, assignments, per-person progress, certificates.

Per-person state is denormalised on `Enrolment` (status, dates, best score, confidence) and updated
on events, so dashboards aggregate it in SQL instead of walking lessons per person.
"""

import secrets

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone

from organisation.models import CouncilValue, Department, StaffProfile, User


class Module(models.Model):
    class Audience(models.TextChoices):
        ALL = "all", "All staff"
        MANAGERS = "managers", "Managers"

    slug = models.SlugField(max_length=100, unique=True)
    title = models.CharField(max_length=200)
    summary = models.TextField()
    estimated_minutes = models.PositiveSmallIntegerField(default=30)
    audience = models.CharField(max_length=20, choices=Audience.choices, default=Audience.ALL)
    values = models.ManyToManyField(CouncilValue, blank=True, related_name="modules")
    principles = models.JSONField(default=list, blank=True, help_text="AI Playbook principle numbers (1-10).")
    pass_mark = models.PositiveSmallIntegerField(default=80, validators=[MinValueValidator(1), MaxValueValidator(100)])
    confidence_question = models.CharField(max_length=300)
    order = models.PositiveSmallIntegerField(default=0)
    version = models.PositiveIntegerField(default=1)
    content_hash = models.CharField(max_length=64, blank=True)
    published = models.BooleanField(default=False)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["order", "title"]

    def __str__(self):
        return self.title


class Lesson(models.Model):
    module = models.ForeignKey(Module, on_delete=models.CASCADE, related_name="lessons")
    slug = models.SlugField(max_length=100)
    order = models.PositiveSmallIntegerField(default=0)
    title = models.CharField(max_length=200)
    minutes = models.PositiveSmallIntegerField(default=5)
    body = models.TextField(help_text="Markdown. Raw HTML is removed when shown.")
    # Hash of the lesson's text and its check: progress on an unchanged lesson survives a new version.
    content_hash = models.CharField(max_length=64, blank=True)
    retired = models.BooleanField(default=False, help_text="Removed from the module in a later version.")

    class Meta:
        ordering = ["module", "order"]
        constraints = [models.UniqueConstraint(fields=["module", "slug"], name="unique_lesson_slug")]

    def __str__(self):
        return self.title


class Question(models.Model):
    class Type(models.TextChoices):
        SINGLE = "single", "Choose one"
        MULTIPLE = "multiple", "Choose all that apply"

    lesson = models.ForeignKey(Lesson, on_delete=models.CASCADE, related_name="questions")
    order = models.PositiveSmallIntegerField(default=0)
    text = models.TextField()
    type = models.CharField(max_length=10, choices=Type.choices, default=Type.SINGLE)

    class Meta:
        ordering = ["lesson", "order"]

    def __str__(self):
        return self.text[:80]


class Option(models.Model):
    question = models.ForeignKey(Question, on_delete=models.CASCADE, related_name="options")
    order = models.PositiveSmallIntegerField(default=0)
    text = models.TextField()
    correct = models.BooleanField(default=False)
    explanation = models.TextField()

    class Meta:
        ordering = ["question", "order"]

    def __str__(self):
        return self.text[:80]


class Assignment(models.Model):
    """A rule saying who must do a module by when: a department (with or without those beneath), a
    role (all managers), or named staff. Each person covered gets an Enrolment."""

    class Target(models.TextChoices):
        DEPARTMENT = "department", "A department"
        MANAGERS = "managers", "All managers"
        STAFF = "staff", "Named staff"

    class Status(models.TextChoices):
        PENDING = "pending", "Waiting to start"
        APPLYING = "applying", "Enrolling staff"
        APPLIED = "applied", "Done"
        FAILED = "failed", "Failed"

    module = models.ForeignKey(Module, on_delete=models.PROTECT, related_name="assignments")
    target = models.CharField(max_length=20, choices=Target.choices)
    department = models.ForeignKey(Department, on_delete=models.CASCADE, null=True, blank=True, related_name="+")
    include_subdepartments = models.BooleanField(default=True)
    staff = models.ManyToManyField(StaffProfile, blank=True, related_name="+")
    due_date = models.DateField()
    created_by = models.ForeignKey(User, on_delete=models.SET_NULL, null=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    withdrawn_at = models.DateTimeField(null=True, blank=True)
    # Enrolling a large population runs on the worker; its state is kept here for the page.
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.PENDING)
    enrolled_count = models.PositiveIntegerField(default=0)
    failure = models.TextField(blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self):
        return f"{self.module} by {self.due_date}"


class Enrolment(models.Model):
    """One person and one module: what they were asked to do and how far they are."""

    class Status(models.TextChoices):
        NOT_STARTED = "not-started", "Not started"
        IN_PROGRESS = "in-progress", "In progress"
        COMPLETED = "completed", "Completed"

    profile = models.ForeignKey(StaffProfile, on_delete=models.CASCADE, related_name="enrolments")
    module = models.ForeignKey(Module, on_delete=models.CASCADE, related_name="enrolments")
    assignments = models.ManyToManyField(Assignment, blank=True, related_name="enrolments")
    # Earliest due date of the active assignments covering this person; null when optional.
    due_date = models.DateField(null=True, blank=True)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.NOT_STARTED)
    current_lesson = models.ForeignKey(Lesson, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    started_at = models.DateTimeField(null=True, blank=True)
    completed_at = models.DateTimeField(null=True, blank=True)
    completed_version = models.PositiveIntegerField(null=True, blank=True)
    # The name is older than the rule: it is the percent of the module's questions right at the first try.
    best_score = models.PositiveSmallIntegerField(
        null=True, blank=True, help_text="Percent of the module's questions answered right at the first try.")
    confidence_before = models.PositiveSmallIntegerField(null=True, blank=True, validators=[MinValueValidator(1), MaxValueValidator(5)])
    confidence_after = models.PositiveSmallIntegerField(null=True, blank=True, validators=[MinValueValidator(1), MaxValueValidator(5)])

    class Meta:
        constraints = [models.UniqueConstraint(fields=["profile", "module"], name="unique_enrolment")]
        indexes = [models.Index(fields=["module", "status"]), models.Index(fields=["due_date"])]

    def __str__(self):
        return f"{self.profile} - {self.module}"

    @property
    def assigned(self) -> bool:
        return self.due_date is not None


class LessonProgress(models.Model):
    enrolment = models.ForeignKey(Enrolment, on_delete=models.CASCADE, related_name="lesson_progress")
    lesson = models.ForeignKey(Lesson, on_delete=models.CASCADE, related_name="+")
    lesson_hash = models.CharField(max_length=64, help_text="The lesson's content hash when it was completed.")
    completed_at = models.DateTimeField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["enrolment", "lesson"], name="unique_lesson_progress")]

    def __str__(self):
        return f"{self.enrolment} - {self.lesson}"


class QuestionAnswer(models.Model):
    """The scored answer to one question: the first try (a later try teaches but does not change it).
    `attempts` counts the tries so far; the right answer is shown after the second. A retake of the
    module deletes these rows, so the next try is a first try again (CheckAttempt keeps the history)."""

    enrolment = models.ForeignKey(Enrolment, on_delete=models.CASCADE, related_name="answers")
    question = models.ForeignKey(Question, on_delete=models.CASCADE, related_name="+")
    chosen = models.JSONField(default=list)
    correct = models.BooleanField(default=False)
    attempts = models.PositiveSmallIntegerField(default=1)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["enrolment", "question"], name="unique_question_answer")]

    def __str__(self):
        return f"{self.enrolment} - {self.question_id}"


class CheckAttempt(models.Model):
    """One submission of a lesson's knowledge check as the learner saw it, kept for review: per question,
    the option ids in the order shown, those chosen, whether that was right, and which try it was.
    `number` counts this person's submissions of this lesson's check (across retakes) and seeds the
    order the options are shown in (courses.option_order)."""

    enrolment = models.ForeignKey(Enrolment, on_delete=models.CASCADE, related_name="check_attempts")
    lesson = models.ForeignKey(Lesson, on_delete=models.CASCADE, related_name="+")
    number = models.PositiveSmallIntegerField()
    submitted_at = models.DateTimeField(default=timezone.now)
    # [{"question": id, "shown": [option ids], "chosen": [option ids], "correct": bool, "try": n}]
    answers = models.JSONField(default=list)

    class Meta:
        ordering = ["enrolment", "lesson", "number"]
        constraints = [models.UniqueConstraint(fields=["enrolment", "lesson", "number"], name="unique_check_attempt")]

    def __str__(self):
        return f"{self.enrolment} - {self.lesson_id} #{self.number}"


class SubmissionToken(models.Model):
    """One per rendered knowledge-check form: a replayed or double-clicked submission finds its token
    used and changes nothing."""

    token = models.CharField(max_length=64, unique=True)
    enrolment = models.ForeignKey(Enrolment, on_delete=models.CASCADE, related_name="+")
    # The lesson and the attempt number the form was shown for, so the order of options recorded with the
    # answers is the order the learner saw (null for tokens issued before this was kept).
    lesson = models.ForeignKey(Lesson, on_delete=models.CASCADE, null=True, blank=True, related_name="+")
    attempt = models.PositiveSmallIntegerField(null=True, blank=True)
    used_at = models.DateTimeField(null=True, blank=True)
    # One row per lesson page shown, so old ones are purged daily (courses.tasks.submission_tokens_purge).
    issued_at = models.DateTimeField(default=timezone.now, db_index=True)

    def __str__(self):
        return self.token


def _certificate_code() -> str:
    return secrets.token_hex(6).upper()


class Certificate(models.Model):
    enrolment = models.OneToOneField(Enrolment, on_delete=models.CASCADE, related_name="certificate")
    code = models.CharField(max_length=20, unique=True, default=_certificate_code)
    name = models.CharField(max_length=300)
    module_title = models.CharField(max_length=200)
    module_version = models.PositiveIntegerField()
    issued_at = models.DateTimeField(auto_now_add=True)

    def __str__(self):
        return f"{self.name}: {self.module_title} ({self.code})"

