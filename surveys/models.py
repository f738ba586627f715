"""Surveys: questions, waves, responses and participation, built so that an anonymous answer cannot
be traced to a person by anyone using the site, its exports or the Django admin.

- An anonymous `Response` has no link to a user, no session, no IP and no time of its own: it carries
  its wave and coarse segments copied at submit time (department, work pattern, ...). Its key is a
  random UUID, as are its answers' keys, so ordering by key does not follow submission order. It says
  it is anonymous (`Response.anonymous`), and a database constraint refuses a person on it.
- Anonymous answer sheets go first into the ballot box (`HeldResponse`) and are stored as responses
  later, in shuffled batches of at least the minimum group (or all at close), so the order and the
  transaction in which responses are written say nothing about who sent them (surveys.services).
- Who took part is a `Participation` row, created for every invited person when the wave opens and
  flipped to responded on submit: no new row, no time, nothing that pairs it with a response.
- Mode and thresholds are copied onto the wave when it opens and cannot change after.
- Which figures may be shown is decided once, when the wave closes (`Wave.released`, see
  surveys.suppression), and every page and export reads that decision.
"""

import uuid

from django.core.validators import MinValueValidator
from django.db import models

from organisation.models import CouncilValue, Department, StaffProfile, User


class Survey(models.Model):
    class Mode(models.TextChoices):
        ANONYMOUS = "anonymous", "Anonymous"
        NAMED = "named", "Named"

    title = models.CharField(max_length=200)
    introduction = models.TextField(blank=True)
    mode = models.CharField(max_length=20, choices=Mode.choices, default=Mode.ANONYMOUS)
    template_key = models.CharField(max_length=50, blank=True, help_text="The shipped template it was copied from.")
    created_by = models.ForeignKey(User, on_delete=models.SET_NULL, null=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self):
        return self.title

    def introduction_paragraphs(self) -> list[str]:
        """The introduction as staff read it: paragraphs split at blank lines."""
        return [p.strip() for p in self.introduction.replace("\r\n", "\n").split("\n\n") if p.strip()]


class Section(models.Model):
    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="sections")
    order = models.PositiveSmallIntegerField(default=0)
    title = models.CharField(max_length=200)

    class Meta:
        ordering = ["survey", "order"]

    def __str__(self):
        return self.title


class Question(models.Model):
    class Type(models.TextChoices):
        AGREE5 = "agree5", "Agreement (5 points)"
        SCALE10 = "scale10", "0 to 10"
        SINGLE = "single", "Choose one"
        MULTIPLE = "multiple", "Choose any"
        TEXT = "text", "Free text"

    class Dimension(models.TextChoices):
        AWARENESS = "awareness", "Awareness"
        DESIRE = "desire", "Desire"
        KNOWLEDGE = "knowledge", "Knowledge"
        ABILITY = "ability", "Ability"
        REINFORCEMENT = "reinforcement", "Reinforcement"
        TRUST = "trust", "Trust"
        CONFIDENCE = "confidence", "Confidence"
        WORKLOAD = "workload", "Workload"

    ADKAR = ["awareness", "desire", "knowledge", "ability", "reinforcement"]

    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="questions")
    section = models.ForeignKey(Section, on_delete=models.CASCADE, related_name="questions")
    order = models.PositiveSmallIntegerField(default=0)
    text = models.CharField(max_length=500)
    help_text = models.CharField(max_length=300, blank=True)
    type = models.CharField(max_length=20, choices=Type.choices)
    required = models.BooleanField(default=True)
    # Choice questions: [{"id": "a", "text": "..."}, ...]; ids are stable across edits.
    choices = models.JSONField(default=list, blank=True)
    dimension = models.CharField(max_length=20, choices=Dimension.choices, blank=True)
    values = models.ManyToManyField(CouncilValue, blank=True, related_name="survey_questions")
    max_length = models.PositiveSmallIntegerField(default=2000)

    class Meta:
        ordering = ["survey", "section__order", "order"]

    def __str__(self):
        return self.text


class Wave(models.Model):
    """One run of a survey to a population, between two times."""

    class Status(models.TextChoices):
        SCHEDULED = "scheduled", "Scheduled"
        OPEN = "open", "Open"
        CLOSED = "closed", "Closed"

    survey = models.ForeignKey(Survey, on_delete=models.PROTECT, related_name="waves")
    name = models.CharField(max_length=100)
    opens_at = models.DateTimeField()
    closes_at = models.DateTimeField()
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.SCHEDULED)
    # Population: the whole organisation when no department is chosen.
    departments = models.ManyToManyField(Department, blank=True, related_name="+")
    include_subdepartments = models.BooleanField(default=True)
    # Fixed when the wave opens (copied from the survey and the council settings).
    mode = models.CharField(max_length=20, choices=Survey.Mode.choices, blank=True)
    min_group_size = models.PositiveSmallIntegerField(null=True, blank=True, validators=[MinValueValidator(3)])
    min_comment_group_size = models.PositiveSmallIntegerField(null=True, blank=True)
    invited_count = models.PositiveIntegerField(default=0)
    # Decided when the wave closes: which cells may be shown (surveys.suppression.Release as JSON).
    released = models.JSONField(null=True, blank=True)
    created_by = models.ForeignKey(User, on_delete=models.SET_NULL, null=True, related_name="+")

    class Meta:
        ordering = ["-opens_at"]

    def __str__(self):
        return f"{self.survey}: {self.name}"


class Participation(models.Model):
    """Who was invited and whether they have responded: for reminders and response rates. Created for
    everyone when the wave opens (with the segments they had then), so responding adds no row and no
    time. Never linked to a Response."""

    wave = models.ForeignKey(Wave, on_delete=models.CASCADE, related_name="participation")
    profile = models.ForeignKey(StaffProfile, on_delete=models.CASCADE, related_name="+")
    responded = models.BooleanField(default=False)
    department = models.ForeignKey(Department, on_delete=models.PROTECT, related_name="+")
    work_pattern = models.CharField(max_length=20)
    contract = models.CharField(max_length=20)
    has_work_email = models.BooleanField()
    grade_band = models.CharField(max_length=50, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["wave", "profile"], name="unique_participation")]

    def __str__(self):
        return f"{self.wave_id}: {self.profile_id}"


class Response(models.Model):
    """One submitted answer sheet. Anonymous responses carry no person and no time; named ones carry
    the profile (shown to HR, and to a manager for their own staff only)."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    wave = models.ForeignKey(Wave, on_delete=models.CASCADE, related_name="responses")
    profile = models.ForeignKey(StaffProfile, on_delete=models.CASCADE, null=True, blank=True, related_name="+",
                                help_text="Named surveys only; always empty for anonymous ones.")
    # Coarse segments copied at submit time, so reports never need the person.
    department = models.ForeignKey(Department, on_delete=models.PROTECT, related_name="+")
    work_pattern = models.CharField(max_length=20)
    contract = models.CharField(max_length=20)
    has_work_email = models.BooleanField()
    grade_band = models.CharField(max_length=50, blank=True)
    age_band = models.CharField(max_length=30, blank=True)
    sex = models.CharField(max_length=30, blank=True)
    ethnicity_group = models.CharField(max_length=60, blank=True)
    disability = models.CharField(max_length=30, blank=True)

    anonymous = models.BooleanField(help_text="Copied from the wave's mode: an anonymous response never has a person.")

    class Meta:
        constraints = [
            # "No link" held by the database itself, not only by the code that writes responses.
            models.CheckConstraint(condition=models.Q(anonymous=False) | models.Q(profile__isnull=True),
                                   name="anonymous_response_has_no_person"),
        ]

    def __str__(self):
        return str(self.id)


class HeldResponse(models.Model):
    """The ballot box: an anonymous answer sheet waiting to be stored as a Response with its Answers.

    It carries its wave and the sheet (segments and already-scrubbed answers) as JSON: no person, no
    time, a random key. `surveys.services.held_responses_move` stores held sheets in shuffled batches of
    at least the wave's minimum group (all of them when the wave closes) and deletes them in the same
    transaction. Not in the admin: a sheet here is one that was sent moments ago."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    wave = models.ForeignKey(Wave, on_delete=models.CASCADE, related_name="+")
    # {"segments": {"department_id": .., "work_pattern": .., ...},
    #  "answers": [{"question": id, "number": n, "choices": [..], "text": ".."}, ...]}
    sheet = models.JSONField()

    def __str__(self):
        return str(self.id)


class Answer(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    response = models.ForeignKey(Response, on_delete=models.CASCADE, related_name="answers")
    question = models.ForeignKey(Question, on_delete=models.CASCADE, related_name="answers")
    number = models.SmallIntegerField(null=True, blank=True, help_text="agree5: 1-5; scale10: 0-10.")
    choices = models.JSONField(default=list, blank=True)
    text = models.TextField(blank=True, help_text="Scrubbed of names, emails, phone numbers and staff numbers.")
    hidden = models.BooleanField(default=False, help_text="A comment HR has hidden (audited).")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["response", "question"], name="unique_answer")]

    def __str__(self):
        return str(self.id)
