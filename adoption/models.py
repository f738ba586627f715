from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator
from django.db import models

from adoption.readiness import COMPONENTS, DEFAULT_WEIGHTS
from organisation.models import Department

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
