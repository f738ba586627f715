"""The organisation: departments (a tree), staff, council settings, sign-in slips, imports, audit."""

import uuid

from django.contrib.auth.models import AbstractUser
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator, RegexValidator
from django.db import models
from django.db.models.functions import Lower
from tree_queries.models import TreeNode


class User(AbstractUser):
    """A person who signs in. `username` is the staff number; `email` is blank for staff without
    a work email (they sign in with staff number and password)."""

    class Meta:
        constraints = [
            models.UniqueConstraint(
                Lower("email"), name="unique_user_email_ci", condition=~models.Q(email="")
            )
        ]

    def __str__(self):
        return self.get_full_name() or self.username


class Department(TreeNode):
    """A directorate, service or team. `parent` (from TreeNode) makes the tree; subtree queries are
    recursive CTEs run by the database (django-tree-queries), never Python recursion."""

    code = models.CharField(max_length=30, unique=True, help_text="The code the HR system uses.")
    name = models.CharField(max_length=200)
    managers = models.ManyToManyField(User, related_name="managed_departments", blank=True)

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name


class StaffProfile(models.Model):
    class WorkPattern(models.TextChoices):
        OFFICE = "office", "Office"
        HYBRID = "hybrid", "Hybrid"
        FRONTLINE = "frontline", "Frontline"

    class Contract(models.TextChoices):
        FULL_TIME = "full-time", "Full-time"
        PART_TIME = "part-time", "Part-time"

    user = models.OneToOneField(User, on_delete=models.CASCADE, related_name="profile")
    staff_number = models.CharField(
        max_length=20,
        unique=True,
        validators=[RegexValidator(r"^[A-Za-z0-9-]+$", "Letters, digits and hyphens only.")],
    )
    department = models.ForeignKey(Department, on_delete=models.PROTECT, related_name="staff")
    line_manager = models.ForeignKey(
        "self", on_delete=models.SET_NULL, null=True, blank=True, related_name="reports"
    )
    job_title = models.CharField(max_length=200, blank=True)
    grade_band = models.CharField(max_length=50, blank=True)
    work_pattern = models.CharField(max_length=20, choices=WorkPattern.choices, default=WorkPattern.OFFICE)
    contract = models.CharField(max_length=20, choices=Contract.choices, default=Contract.FULL_TIME)
    # Stored (not derived from user.email) so segment aggregates need no join; kept in step by services.
    has_work_email = models.BooleanField(default=True)
    start_date = models.DateField(null=True, blank=True)
    active = models.BooleanField(default=True)
    # When the "set your password" invitation was sent (staff with a work email); never sent twice.
    invited_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["user__last_name", "user__first_name"]
        indexes = [models.Index(fields=["department", "active"])]

    def __str__(self):
        return f"{self.user} ({self.staff_number})"

    @property
    def full_name(self):
        return self.user.get_full_name() or self.staff_number


class EqualityData(models.Model):
    """Optional equality monitoring data, held only with recorded consent. Never shown for an
    individual (not in the admin, not on any page): used only in aggregates above the minimum group."""

    PREFER_NOT = "prefer-not-to-say"

    profile = models.OneToOneField(StaffProfile, on_delete=models.CASCADE, related_name="equality")
    consent_recorded_at = models.DateTimeField()
    age_band = models.CharField(max_length=30, blank=True)
    sex = models.CharField(max_length=30, blank=True)
    ethnicity_group = models.CharField(max_length=60, blank=True)
    disability = models.CharField(max_length=30, blank=True)

    def __str__(self):
        return "Equality data (not shown for individuals)"


hex_colour = RegexValidator(r"^#[0-9a-fA-F]{6}$", "Enter a colour as # and six hex digits, like #1d70b8.")


def contrast_with_white(hex_value: str) -> float:
    """WCAG contrast ratio of white text on this colour."""

    def channel(c: int) -> float:
        c = c / 255
        return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (int(hex_value[i:i + 2], 16) for i in (1, 3, 5))
    luminance = 0.2126 * channel(r) + 0.7152 * channel(g) + 0.0722 * channel(b)
    return 1.05 / (luminance + 0.05)


class CouncilSettings(models.Model):
    """The council's configuration: one row (pk=1), created on first use."""

    name = models.CharField(max_length=200, default="Your Council")
    logo = models.ImageField(upload_to="branding/", blank=True)
    colour = models.CharField(max_length=7, default="#1d4f76", validators=[hex_colour])
    min_group_size = models.PositiveSmallIntegerField(
        default=5,
        validators=[MinValueValidator(3)],
        help_text="No figure about fewer people than this is ever shown. Never below 3.",
    )
    min_comment_group_size = models.PositiveSmallIntegerField(
        default=10, help_text="Free-text comments are shown only for groups at least this large."
    )
    trust_idp_mfa = models.BooleanField(
        default=False,
        help_text="Trust Microsoft Entra ID's own MFA for HR and admins signing in with it.",
    )

    class Meta:
        verbose_name = "council settings"
        verbose_name_plural = "council settings"

    def __str__(self):
        return self.name

    def clean(self):
        if self.colour and hex_colour.regex.match(self.colour) and contrast_with_white(self.colour) < 4.5:
            raise ValidationError({"colour": "White text on this colour would be hard to read (contrast "
                                             f"{contrast_with_white(self.colour):.1f}:1; it must be at least 4.5:1). "
                                             "Choose a darker colour."})
        if self.min_group_size is not None and self.min_group_size < 3:
            raise ValidationError({"min_group_size": "The minimum group cannot be below 3."})
        if (
            self.min_comment_group_size is not None
            and self.min_group_size is not None
            and self.min_comment_group_size < self.min_group_size
        ):
            raise ValidationError(
                {"min_comment_group_size": "The comment threshold cannot be below the minimum group."}
            )

    @classmethod
    def load(cls) -> "CouncilSettings":
        obj, _ = cls.objects.get_or_create(pk=1)
        return obj


class CouncilValue(models.Model):
    """One of the council's own values, in its own words; modules and questions can be tagged with it."""

    name = models.CharField(max_length=100, unique=True)
    description = models.TextField(blank=True)
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["order", "name"]

    def __str__(self):
        return self.name


class SignInCode(models.Model):
    """A one-time set-up code printed on a sign-in slip for staff without a work email.
    Only a hash is stored; the code is shown once, on the slip."""

    profile = models.ForeignKey(StaffProfile, on_delete=models.CASCADE, related_name="sign_in_codes")
    code_hash = models.CharField(max_length=64, unique=True)
    created_by = models.ForeignKey(User, on_delete=models.SET_NULL, null=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True)
    revoked = models.BooleanField(default=False)

    def __str__(self):
        return f"Sign-in code for {self.profile_id}, expires {self.expires_at:%Y-%m-%d}"


class StaffImport(models.Model):
    """One upload of the HR system's CSV: validated in full, previewed, then applied in one transaction.
    Progress of a long run is published in the cache (see organisation.importing), not here, because
    the run's own transaction is still open while it works."""

    class Status(models.TextChoices):
        VALIDATING = "validating", "Checking the file"
        INVALID = "invalid", "Problems found"
        READY = "ready", "Ready to apply"
        APPLYING = "applying", "Applying"
        APPLIED = "applied", "Applied"
        FAILED = "failed", "Failed"

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    created_by = models.ForeignKey(User, on_delete=models.SET_NULL, null=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    filename = models.CharField(max_length=255)
    content = models.TextField()
    complete_file = models.BooleanField(default=False)
    row_count = models.PositiveIntegerField(default=0)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.VALIDATING)
    errors = models.JSONField(default=list, blank=True)
    summary = models.JSONField(default=dict, blank=True)
    failure = models.TextField(blank=True)
    applied_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self):
        return f"{self.filename} ({self.get_status_display()})"

    @property
    def error_count(self) -> int:
        """Every problem found; `errors` keeps only the first (organisation.importing.ERROR_LIMIT)."""
        return max((self.summary or {}).get("error_count", 0), len(self.errors or []))

    @property
    def errors_not_listed(self) -> int:
        return self.error_count - len(self.errors or [])

    @property
    def nothing_to_change(self) -> bool:
        """A checked file that matches the records: nobody new, updated or leaving (nothing to apply)."""
        s = self.summary or {}
        return self.status in {self.Status.READY, self.Status.APPLIED} and not (
            s.get("new_count") or s.get("updated_count") or s.get("leaver_count"))


class AuditEvent(models.Model):
    """Who did what to staff data, and every HR import and export."""

    actor = models.ForeignKey(User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    actor_label = models.CharField(max_length=200, blank=True)
    action = models.CharField(max_length=60)
    target = models.CharField(max_length=200, blank=True)
    detail = models.JSONField(default=dict, blank=True)
    at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-at", "-id"]

    def __str__(self):
        return f"{self.at:%Y-%m-%d %H:%M} {self.actor_label} {self.action} {self.target}"
