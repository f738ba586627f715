"""The staff import at the size of a large council: a generated file (deterministic), checked, applied, and
imported again unchanged. Run by tests/bench/run.py (`make bench`), which sets up the database first.

Figures: wall time of each step, and the peak of Python memory (tracemalloc) in a second run of the
same step, so that tracing does not slow the timed run.
"""

import csv
import io
import random
from datetime import date, timedelta

from django.db import transaction

from organisation import importing
from organisation.demo import FIRST, FRONTLINE_JOBS, GRADES, LAST, OFFICE_JOBS, TREE
from organisation.models import Department, StaffImport, StaffProfile
from tests.bench import measure

SEED = 2026


def generate(rows: int, seed: int = SEED) -> str:
    """A staff file shaped like the demo council, scaled to `rows` people: every department's first person
    heads it and is managed by the head of the parent department; everyone else reports to their head.
    About a third frontline (most without a work email), a fifth part-time."""
    rng = random.Random(seed)
    weights = [count for *_, count in TREE]
    total = sum(weights)
    sizes = [max(1, round(rows * w / total)) for w in weights]
    sizes[-1] += rows - sum(sizes)
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(importing.ALL_COLUMNS)
    heads: dict[str, str] = {}
    number = 100000
    for (code, _, parent, frontline_share, _), size in zip(TREE, sizes, strict=True):
        for i in range(size):
            number += 1
            staff_number = f"E{number}"
            frontline = rng.random() < frontline_share
            has_email = rng.random() < (0.3 if frontline else 0.97)
            first, last = rng.choice(FIRST), rng.choice(LAST)
            if i == 0:
                heads[code] = staff_number
                manager = heads.get(parent, "")
            else:
                manager = heads[code]
            jobs = next((j for k, j in FRONTLINE_JOBS.items() if k in code), ["Support Worker"]) if frontline else OFFICE_JOBS
            writer.writerow([
                staff_number, first, last, code,
                "frontline" if frontline else rng.choice(["office", "hybrid", "hybrid"]),
                "part-time" if rng.random() < (0.3 if frontline else 0.12) else "full-time",
                f"{first}.{last}.{number}@example.org".lower().replace("'", "") if has_email else "",
                rng.choice(jobs), rng.choices(GRADES, weights=[30, 35, 20, 10, 5])[0], manager,
                (date(2026, 4, 1) - timedelta(days=rng.randint(30, 9000))).strftime(rng.choice(["%Y-%m-%d", "%d/%m/%Y"])),
            ])
    return out.getvalue()


def _apply(text: str, *, rollback: bool = False) -> StaffImport:
    imp = StaffImport.objects.create(filename="bench.csv", content=text, row_count=text.count("\n") - 1,
                                     status=StaffImport.Status.APPLYING)
    if not rollback:
        return importing.staff_import_apply(import_id=imp.pk)
    with transaction.atomic():
        result = importing.staff_import_apply(import_id=imp.pk)
        transaction.set_rollback(True)
    return result


def run(*, rows: int, database: str) -> None:
    for code, name, parent, _, _ in TREE:
        Department.objects.create(code=code, name=name, parent=Department.objects.filter(code=parent).first())
    (text, generate_s) = measure.timed(lambda: generate(rows))
    results = []

    plan, seconds = measure.timed(lambda: importing.build_plan(text, complete_file=True))
    assert not plan.errors, plan.errors[:5]
    results.append((f"check, {len(plan.new):,} new (build_plan)", seconds,
                    measure.peak(lambda: importing.build_plan(text, complete_file=True))))

    peak = measure.peak(lambda: _apply(text, rollback=True))
    imp, seconds = measure.timed(lambda: _apply(text))
    assert imp.status == StaffImport.Status.APPLIED and StaffProfile.objects.count() == rows, imp.errors[:5]
    results.append((f"apply, {imp.summary['new_count']:,} new (check again + write)", seconds, peak))

    plan, seconds = measure.timed(lambda: importing.build_plan(text, complete_file=True))
    assert (len(plan.new), len(plan.updated), plan.unchanged) == (0, 0, rows)
    results.append((f"re-import check, {plan.unchanged:,} unchanged", seconds,
                    measure.peak(lambda: importing.build_plan(text, complete_file=True))))

    peak = measure.peak(lambda: _apply(text, rollback=True))
    imp, seconds = measure.timed(lambda: _apply(text))
    assert (imp.summary["new_count"], imp.summary["updated_count"]) == (0, 0)
    results.append(("re-import apply, nothing to change", seconds, peak))

    print(f"\nStaff import: {rows:,} rows ({len(text.encode()) / 1e6:.1f} MB, generated in {generate_s:.1f} s), "
          f"on {database}")
    width = max(len(r[0]) for r in results)
    print(f"{'step':<{width}}  {'time':>8}  {'peak memory':>12}")
    for label, seconds, peak in results:
        print(f"{label:<{width}}  {seconds:>6.2f} s  {peak / 2**20:>9.1f} MB")
