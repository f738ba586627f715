"""Writes for adoption: readiness snapshots and the council's readiness weights."""

from datetime import date, timedelta

from django.db import transaction
from django.utils import timezone

from adoption.models import ReadinessSnapshot, ReadinessWeights
from adoption.selectors import Table, readiness_table
from organisation.models import Department
from organisation.services import audit_record


def _snapshot(row, day: date, weights: dict, backfilled: bool) -> ReadinessSnapshot:
    r = row.result
    return ReadinessSnapshot(
        department=row.department, date=day, score=r.score, headcount=row.headcount,
        components={c.key: {"value": round(c.value, 2), "n": c.n} for c in r.present},
        barrier=r.barrier.element if r.barrier else "", weights=weights, backfilled=backfilled,
    )


def snapshots_take(*, day: date | None = None, table: Table | None = None, backfilled: bool = False) -> int:
    """Store today's readiness for every department and the organisation. Idempotent: a department that
    already has a snapshot for the day keeps it (unique per department and day). Returns how many were
    written. Bulk reads (readiness_table) and one bulk insert."""
    day = day or timezone.localdate()
    if table is None and ReadinessSnapshot.objects.filter(date=day).count() > Department.objects.count():
        return 0  # every department and the organisation already have this day's: nothing to work out
    table = table or readiness_table(as_of=day)
    rows = [table.organisation, *table.rows]
    with transaction.atomic():
        have = set(ReadinessSnapshot.objects.filter(date=day).values_list("department_id", flat=True))
        new = [_snapshot(r, day, table.weights, backfilled) for r in rows if r.pk not in have]
        ReadinessSnapshot.objects.bulk_create(new, batch_size=500, ignore_conflicts=True)
    return len(new)


def snapshots_backfill(*, days: int, today: date | None = None) -> int:
    """Snapshots for each of the last `days` days that has none, worked out from the records of that day
    (marked as backfilled). Returns how many were written."""
    today = today or timezone.localdate()
    have = set(ReadinessSnapshot.objects.filter(department__isnull=True, date__gte=today - timedelta(days=days))
               .values_list("date", flat=True))
    written = 0
    for offset in range(days, 0, -1):
        day = today - timedelta(days=offset)
        if day not in have:
            written += snapshots_take(day=day, backfilled=True)
    return written


def weights_update(*, actor, weights: ReadinessWeights) -> ReadinessWeights:
    with transaction.atomic():
        weights.full_clean()
        weights.save()
        audit_record(actor=actor, action="readiness weights changed", target=str(weights))
    return weights
