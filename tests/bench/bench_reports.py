"""Progress reports for a large council: 30,000 staff (by default) with 8 modules assigned to everyone
(240,000 enrolments), a department tree of 300. Run by tests/bench/run.py (`make bench`).

Figures, for the CSV (every member of staff by module, streamed from the database) and the XLSX (the same
rows in write-only sheets, plus the summary): wall time, and the peak of Python memory (tracemalloc, in a
second run so tracing does not slow the timed one) for a tenth of the staff and for all of them, so you
can see whether memory grows with staff. Beside them, on PostgreSQL, a raw `COPY (SELECT ...) TO STDOUT`
of the same rows (staff joined to their assigned enrolments): the floor for getting the data out.
"""

import os
import random
import tempfile
import time
from collections import Counter

from django.db import connection

from tests.bench import measure

COPY_SQL = """
COPY (
  SELECT p.staff_number, u.first_name, u.last_name, d.name, p.work_pattern, p.contract, p.has_work_email,
         e.module_id, e.due_date, e.started_at, e.completed_at
  FROM organisation_staffprofile p
  JOIN organisation_user u ON u.id = p.user_id
  JOIN organisation_department d ON d.id = p.department_id
  LEFT JOIN courses_enrolment e ON e.profile_id = p.id AND e.due_date IS NOT NULL
  WHERE p.active AND p.department_id = ANY(%s)
  ORDER BY d.name, d.id, u.last_name, u.first_name, p.id
) TO STDOUT WITH (FORMAT csv)
"""


def run(*, people: int = 30_000, departments: int = 300, modules: int = 8, database: str = "") -> None:
    from django.utils import timezone

    from adoption import reports
    from organisation.models import Department
    from organisation.selectors import subtree_ids
    from tests.adoption import builders

    print(f"\nReports: {people:,} staff in {departments:,} departments, {modules} modules each ({database})")
    rng = random.Random(11)
    start = time.perf_counter()
    depts = builders.tree(departments, rng, prefix="R")
    profiles = builders.staff(depts, people, rng, prefix="RS")
    for _ in range(modules):
        builders.learning(profiles, rng)
    print(f"  set-up: {time.perf_counter() - start:.1f} s")
    root = depts[0]
    ids = subtree_ids(root)
    # A smaller scope for comparison: the biggest department whose subtree holds no more than a tenth
    # (staff counted from the profiles made above, rolled up each department's path: one query).
    direct = Counter(p.department_id for p in profiles)
    counts = Counter()
    for d in Department.objects.with_tree_fields().filter(pk__in=ids):
        for ancestor in d.tree_path:
            counts[ancestor] += direct[d.pk]
    small = Department.objects.get(pk=max((pk for pk, n in counts.items() if n <= people // 10),
                                          key=lambda pk: counts[pk]))
    today = timezone.localdate()
    begin = today.replace(day=1)

    def csv_for(department):
        scope = reports.scope_for(department)

        def go():
            with tempfile.NamedTemporaryFile("w", encoding="utf-8", newline="", suffix=".csv") as fh:
                rows = reports.write_csv(fh, scope, start=begin, end=today)
                fh.flush()
                return rows, os.path.getsize(fh.name)
        return go

    def xlsx_for(department):
        scope = reports.scope_for(department)

        def go():
            with tempfile.TemporaryDirectory() as tmp:
                path = os.path.join(tmp, "r.xlsx")
                rows = reports.write_xlsx(path, scope, start=begin, end=today)
                return rows, os.path.getsize(path)
        return go

    print(f"  {'':<44} {'staff':>8} {'seconds':>8} {'MB':>7} {'peak Python MB':>15}")
    for label, department in ((f"CSV, {small.name} (a tenth)", small), ("CSV, everyone", root)):
        (rows, size), seconds = measure.timed(csv_for(department))
        peak = measure.peak(csv_for(department))
        print(f"  {label:<44} {rows:>8,} {seconds:>8.2f} {size / 1e6:>7.1f} {peak / 1e6:>15.1f}")
    for label, department in ((f"XLSX, {small.name} (a tenth)", small), ("XLSX, everyone", root)):
        (rows, size), seconds = measure.timed(xlsx_for(department))
        peak = measure.peak(xlsx_for(department))
        print(f"  {label:<44} {rows:>8,} {seconds:>8.2f} {size / 1e6:>7.1f} {peak / 1e6:>15.1f}")

    if connection.vendor == "postgresql":
        def copy():
            n = 0
            with connection.cursor() as cursor, cursor.cursor.copy(COPY_SQL, [ids]) as copy:
                for chunk in copy:
                    n += len(chunk)
            return n
        size, seconds = measure.timed(copy)
        print(f"  {'PostgreSQL COPY of the same rows, everyone':<44} {people:>8,} {seconds:>8.2f} {size / 1e6:>7.1f}"
              f" {measure.peak(copy) / 1e6:>15.1f}")
    else:
        print("  (PostgreSQL's COPY is compared when DATABASE_URL is a PostgreSQL server)")
