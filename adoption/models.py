import uuid

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone

from adoption.nudges import DIVISIONS, OUTBOX_LABELS, RULE_LABELS, WEEKDAYS, NudgeRules
from adoption.readiness import COMPONENTS, DEFAULT_WEIGHTS
from organisation.models import Department, StaffProfile, User

_weight = {"validators": [MaxValueValidator(100)]}


class ReadinessWeights(models.Model):
    """The council's readiness weights (one row, pk=1), whole numbers that add up to 100."""

    learning = models.PositiveSmallIntegerField(default=DEFAULT_WEIGHTS["learning"], **_weight,
                                                verbose_name="learning completed", help_text="Assigned modules completed.")
    knowledge = models.PositiveSmallIntegerField(default=DEFAULT_WEIGHTS["knowledge"], **_weight,
                                                 verbose_name="knowledge checks", help_text="Knowledge-check scores.")
    adkar = models.PositiveSmallIntegerField(default=DEFAULT_WEIGHTS["adkar"], **_weight,
                                             verbose_name="readiness for change (ADKAR model)",
                                             help_text="The ADKAR questions of the latest closed survey wave.")
    participation = models.PositiveSmallIntegerField(default=DEFAULT_WEIGHTS["participation"], **_weight,
                                                     verbose_name="survey participation", help_text="That wave's response rate.")
    confidence = models.PositiveSmallIntegerField(default=DEFAULT_WEIGHTS["confidence"], **_weight,
                                                  verbose_name="confidence uplift", help_text="Confidence after a module minus before.")
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "readiness weights"
        verbose_name_plural = "readiness weights"

    def __str__(self):
        return ", ".join(f"{k} {v}" for k, v in self.as_dict().items())

    def as_dict(self) -> dict[str, int]:
        return {c.key: getattr(self, c.key) for c in COMPONENTS}

    def clean(self):
        values = self.as_dict()
        if any(v is None for v in values.values()):
            return
        total = sum(values.values())
        if total != 100:
            raise ValidationError(f"The weights must add up to 100; these add up to {total}.")

    @classmethod
    def load(cls) -> "ReadinessWeights":
        obj, _ = cls.objects.get_or_create(pk=1)
        return obj


class ReadinessSnapshot(models.Model):
    """A department's readiness on one day (department None: the whole organisation). One per
    department and day: taking snapshots twice in a day changes nothing."""

    department = models.ForeignKey(Department, on_delete=models.CASCADE, null=True, blank=True,
                                   related_name="readiness_snapshots")
    date = models.DateField()
    score = models.FloatField(null=True, blank=True, help_text="Empty when there was not enough data.")
    headcount = models.PositiveIntegerField(default=0)
    components = models.JSONField(default=dict, help_text="{component: {value, n}} for the parts present.")
    barrier = models.CharField(max_length=20, blank=True)
    weights = models.JSONField(default=dict)
    backfilled = models.BooleanField(default=False, help_text="Worked out later from the records of that day.")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["department", "date"], name="one_snapshot_per_department_day"),
            models.UniqueConstraint(fields=["date"], condition=models.Q(department__isnull=True),
                                    name="one_organisation_snapshot_per_day"),
        ]
        indexes = [models.Index(fields=["date"])]
        ordering = ["date"]

    def __str__(self):
        return f"{self.department or 'Organisation'} {self.date}: {self.score}"


# --- Nudges (adoption.nudges holds the rules; adoption.services_nudges plans and sends) ---------------

class NudgeSettings(models.Model):
    """The council's nudge rules (one row, pk=1): each on or off, with its numbers."""

    due_soon = models.BooleanField("remind when a module is due soon", default=True)
    due_soon_days = models.PositiveSmallIntegerField(
        "days before the due date", default=7, validators=[MinValueValidator(1), MaxValueValidator(60)])
    overdue = models.BooleanField("remind when a module is overdue", default=True)
    overdue_every_days = models.PositiveSmallIntegerField(
        "repeat every (days)", default=7, validators=[MinValueValidator(1), MaxValueValidator(90)])
    overdue_max_times = models.PositiveSmallIntegerField(
        "at most (times)", default=3, validators=[MinValueValidator(1), MaxValueValidator(20)])
    survey_open = models.BooleanField("tell people when a survey opens", default=True)
    survey_closing = models.BooleanField("remind people who have not answered before a survey closes", default=True)
    survey_closing_days = models.PositiveSmallIntegerField(
        "days before it closes", default=2, validators=[MinValueValidator(1), MaxValueValidator(30)])
    inactive = models.BooleanField("remind people who have done no learning for a while", default=True)
    inactive_weeks = models.PositiveSmallIntegerField(
        "weeks without learning", default=4, validators=[MinValueValidator(1), MaxValueValidator(52)])
    daily_hour = models.PositiveSmallIntegerField(
        "hour of the day to send (UK time, 0-23)", default=9, validators=[MaxValueValidator(23)])
    weekly_cap = models.PositiveSmallIntegerField(
        "at most this many reminders a person a week", default=2, validators=[MinValueValidator(1), MaxValueValidator(10)])
    digest = models.BooleanField("send managers a weekly digest of their team", default=True)
    digest_weekday = models.PositiveSmallIntegerField(
        "day of the week for the digest", choices=list(WEEKDAYS.items()), default=0,
        help_text="On a bank holiday it goes on the next working day.")
    division = models.CharField("bank holidays of", max_length=30, choices=list(DIVISIONS.items()),
                                default="england-and-wales")
    mandatory_modules = models.JSONField(
        default=list, blank=True, help_text="Slugs of the modules whose reminders staff cannot turn off.")
    last_planned_on = models.DateField(null=True, blank=True, editable=False)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "nudge settings"
        verbose_name_plural = "nudge settings"

    def __str__(self):
        return "Nudge settings"

    @classmethod
    def load(cls) -> "NudgeSettings":
        obj, _ = cls.objects.get_or_create(pk=1)
        return obj

    def rules(self) -> NudgeRules:
        return NudgeRules(
            due_soon=self.due_soon, due_soon_days=self.due_soon_days, overdue=self.overdue,
            overdue_every_days=self.overdue_every_days, overdue_max_times=self.overdue_max_times,
            survey_open=self.survey_open, survey_closing=self.survey_closing,
            survey_closing_days=self.survey_closing_days, inactive=self.inactive,
            inactive_weeks=self.inactive_weeks, weekly_cap=self.weekly_cap, digest=self.digest,
            digest_weekday=self.digest_weekday, division=self.division,
            mandatory_modules=frozenset(self.mandatory_modules or ()),
        )


class Outbox(models.Model):
    """One intended message. The key (person, rule, subject, period) is unique, so planning twice, or a
    duplicated task, never makes a second row; a row is sent once, by whoever claims it."""

    class Status(models.TextChoices):
        QUEUED = "queued", "Queued"
        SENDING = "sending", "Sending"
        SENT = "sent", "Sent"
        FAILED = "failed", "Failed"
        SKIPPED = "skipped", "Skipped"  # its reason had gone by the time it was to be sent

    profile = models.ForeignKey(StaffProfile, on_delete=models.CASCADE, related_name="+")
    rule = models.CharField(max_length=30, choices=list(OUTBOX_LABELS.items()))
    subject = models.CharField(max_length=120, help_text="What it is about: module:<slug>, wave:<id>, learning.")
    period = models.CharField(max_length=60, help_text="Which occurrence of the reminder.")
    planned_on = models.DateField(db_index=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.QUEUED)
    attempts = models.PositiveSmallIntegerField(default=0)
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField(blank=True)
    skip_reason = models.CharField(max_length=200, blank=True,
                                   help_text="Why it was not sent after all (the person opted out or left, or "
                                             "the module was finished, the survey answered or closed).")
    why = models.CharField(max_length=400)
    mandatory = models.BooleanField(default=False)
    to = models.EmailField(max_length=254)
    email_subject = models.CharField(max_length=200)
    text = models.TextField()
    html = models.TextField()
    requested_by = models.ForeignKey(User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
                                     help_text="Who asked for a one-off reminder.")
    created_at = models.DateTimeField(auto_now_add=True)
    claimed_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = "outbox message"
        constraints = [models.UniqueConstraint(fields=["profile", "rule", "subject", "period"],
                                               name="one_nudge_per_key")]
        indexes = [models.Index(fields=["status", "id"]), models.Index(fields=["profile", "planned_on"])]
        ordering = ["-id"]

    def __str__(self):
        return f"{self.rule} {self.subject} {self.period} to {self.profile_id}: {self.status}"


class NudgeOptOut(models.Model):
    """A person turned a rule off (reminders about mandatory modules are sent regardless)."""

    profile = models.ForeignKey(StaffProfile, on_delete=models.CASCADE, related_name="+")
    rule = models.CharField(max_length=30, choices=list(RULE_LABELS.items()))
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["profile", "rule"], name="one_opt_out_per_rule")]

    def __str__(self):
        return f"{self.profile_id} off {self.rule}"


# --- Reports (adoption.reports builds them; adoption.services_reports requests, compiles and expires) --------

class ReportFormat(models.TextChoices):
    PDF = "pdf", "PDF (a document for leadership and elected members)"
    XLSX = "xlsx", "Spreadsheet (XLSX: a summary, a sheet per directorate and per module)"
    CSV = "csv", "CSV (every member of staff, by module)"


class ReportSchedule(models.Model):
    """A report HR wants compiled regularly: beat creates one Report per period (the unique constraint on
    Report makes a second run of the same day a no-op) and each recipient gets an email with a link that
    needs sign-in, never the file."""

    class Frequency(models.TextChoices):
        WEEKLY = "weekly", "Weekly, on the first working day of the week (covers the week before)"
        MONTHLY = "monthly", "Monthly, on the first working day of the month (covers the month before)"
        QUARTERLY = "quarterly", "Quarterly, on the first working day of January, April, July and October (covers the quarter before)"

    name = models.CharField(max_length=120)
    frequency = models.CharField(max_length=10, choices=Frequency.choices, default=Frequency.MONTHLY)
    format = models.CharField(max_length=5, choices=ReportFormat.choices, default=ReportFormat.PDF)
    department = models.ForeignKey(Department, on_delete=models.CASCADE, null=True, blank=True, related_name="+",
                                   help_text="Empty: the whole organisation.")
    recipients = models.ManyToManyField(StaffProfile, related_name="+")
    active = models.BooleanField(default=True)
    created_by = models.ForeignKey(User, on_delete=models.SET_NULL, null=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name", "pk"]

    def __str__(self):
        return self.name


class Report(models.Model):
    """One report asked for (by a person, or by a schedule). Its file lives in the "reports" storage under
    a name fixed by its id, so a retried or duplicated task overwrites rather than adds a second file."""

    class Status(models.TextChoices):
        QUEUED = "queued", "Queued"
        RUNNING = "running", "Compiling"
        READY = "ready", "Ready"
        FAILED = "failed", "Failed"
        EXPIRED = "expired", "Expired"

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    requested_by = models.ForeignKey(User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    schedule = models.ForeignKey(ReportSchedule, on_delete=models.SET_NULL, null=True, blank=True,
                                 related_name="reports")
    whole_organisation = models.BooleanField(default=False)
    department = models.ForeignKey(Department, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    scope_label = models.CharField(max_length=200, help_text="The scope's name when it was asked for.")
    format = models.CharField(max_length=5, choices=ReportFormat.choices)
    period_start = models.DateField()
    period_end = models.DateField()
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.QUEUED)
    failure = models.TextField(blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    file_name = models.CharField(max_length=200, blank=True)
    size = models.PositiveIntegerField(default=0)
    rows = models.PositiveIntegerField(default=0, help_text="Staff rows in the file.")
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    queued_at = models.DateTimeField(default=timezone.now, help_text="When it was last queued (asked for, retried).")
    started_at = models.DateTimeField(null=True, blank=True)
    heartbeat_at = models.DateTimeField(null=True, blank=True, help_text="The compiling worker's last sign of life.")
    finished_at = models.DateTimeField(null=True, blank=True)
    expires_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(fields=["schedule", "period_start"], condition=models.Q(schedule__isnull=False),
                                    name="one_report_per_schedule_period"),
            models.CheckConstraint(condition=models.Q(period_start__lte=models.F("period_end")),
                                   name="report_period_in_order"),
        ]
        indexes = [models.Index(fields=["status", "expires_at"])]

    def __str__(self):
        return f"{self.scope_label} {self.period_start}..{self.period_end} ({self.format}): {self.status}"

    @property
    def download_name(self) -> str:
        slug = "".join(ch if ch.isalnum() else "-" for ch in self.scope_label.lower()).strip("-")
        slug = "-".join(p for p in slug.split("-") if p)[:60] or "report"
        return f"progress-report-{slug}-{self.period_start}-to-{self.period_end}.{self.format}"
