"""Assigning a module to a large council: every member of staff (30,000 by default) enrolled in batches, as
the worker does it; the same again (nothing new to do); the team progress page's reads over everyone; and
withdrawing the assignment. Run by tests/bench/run.py (`make bench`) after the import benchmark, whose
staff it uses (it makes its own when run on an empty database).

Figures: wall time of each step, and the peak of Python memory (tracemalloc) in a second run of the same
step rolled back, so that tracing does not slow the timed run.
"""

import tracemalloc
from datetime import date

from django.contrib.auth.models import Group
from django.db import connection, transaction

from courses.models import Assignment, Enrolment, Module
from courses.selectors import progress
from courses.services import assignments as services
from organisation.demo import TREE
from organisation.models import Department, StaffProfile, User
from organisation.roles import HR_GROUP
from tests.bench import measure


def _peak(fn) -> int:
    """Peak Python memory of fn run inside a transaction that is then rolled back."""
    tracemalloc.start()
    try:
        with transaction.atomic():
            fn()
            transaction.set_rollback(True)
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def _ensure_staff(rows: int) -> None:
    if not Department.objects.exists():
        for code, name, parent, _, _ in TREE:
            Department.objects.create(code=code, name=name, parent=Department.objects.filter(code=parent).first())
    missing = rows - StaffProfile.objects.filter(active=True).count()
    if missing <= 0:
        return
    departments = list(Department.objects.values_list("pk", flat=True))
    User.objects.bulk_create([User(username=f"BA{i:06d}", password="!") for i in range(missing)], batch_size=2000)
    ids = User.objects.filter(username__startswith="BA").values_list("pk", "username")
    StaffProfile.objects.bulk_create([StaffProfile(user_id=pk, staff_number=name, department_id=departments[i % len(departments)])
                                      for i, (pk, name) in enumerate(ids)], batch_size=2000)


def _counts() -> tuple[int, int]:
    return Enrolment.objects.count(), Enrolment.assignments.through.objects.count()


def _queries(fn) -> int:
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as ctx:
        fn()
    return len(ctx.captured_queries)


def run(*, rows: int, database: str) -> None:
    _ensure_staff(rows)
    staff = StaffProfile.objects.filter(active=True).count()
    hr, _ = User.objects.get_or_create(username="bench-hr", defaults={"password": "!"})
    Group.objects.get_or_create(name=HR_GROUP)[0].user_set.add(hr)
    module = Module.objects.create(slug="bench-module", title="Bench module", summary="s", confidence_question="q",
                                   published=True)
    root = Department.objects.get(parent__isnull=True)
    assignment = Assignment.objects.create(module=module, target="department", department=root, due_date=date(2030, 6, 30),
                                           created_by=hr)
    results = []

    peak = _peak(lambda: services.assignment_apply(assignment_id=assignment.pk))
    Assignment.objects.filter(pk=assignment.pk).update(status=Assignment.Status.PENDING, enrolled_count=0)
    _, seconds = measure.timed(lambda: services.assignment_apply(assignment_id=assignment.pk))
    after_first = _counts()
    assert after_first == (staff, staff), after_first
    batches = -(-staff // services.BATCH)
    results.append((f"apply: {staff:,} enrolled, {batches} batches of {services.BATCH:,}", seconds, peak))

    peak = _peak(lambda: services.assignment_apply(assignment_id=assignment.pk))
    _, seconds = measure.timed(lambda: services.assignment_apply(assignment_id=assignment.pk))
    assert _counts() == after_first  # nothing new
    rewritten = services._refresh_due_dates(Enrolment.objects.all())
    assert rewritten == 0
    results.append(("apply again: nothing new, no row rewritten", seconds, peak))

    ids = list(Department.objects.values_list("pk", flat=True))

    def team_page():
        progress.team_breakdown(ids, None)
        progress.module_completion(ids)
        progress.overdue_enrolments(ids).count()
        list(progress.overdue_enrolments(ids)[:25])
        progress.team_people(ids)

    queries = _queries(team_page)
    peak = _peak(team_page)
    _, seconds = measure.timed(team_page)
    results.append((f"team progress reads, whole organisation ({queries} queries)", seconds, peak))

    def figures():
        progress.completion_by_department(ids)
        progress.completion_by_attribute(ids, "work_pattern")

    peak = _peak(figures)
    _, seconds = measure.timed(figures)
    results.append(("completion by department subtree + by work pattern", seconds, peak))

    peak = _peak(lambda: services.assignment_withdraw(actor=hr, assignment=Assignment.objects.get(pk=assignment.pk)))
    result, seconds = measure.timed(lambda: services.assignment_withdraw(actor=hr, assignment=Assignment.objects.get(pk=assignment.pk)))
    assert result.removed == staff and _counts() == (0, 0)
    results.append((f"withdraw: {result.removed:,} not-started enrolments removed", seconds, peak))

    print(f"\nAssigning a module to everyone: {staff:,} staff, on {database}")
    width = max(len(r[0]) for r in results)
    print(f"{'step':<{width}}  {'time':>8}  {'peak memory':>12}")
    for label, seconds, peak in results:
        print(f"{label:<{width}}  {seconds:>6.2f} s  {peak / 2**20:>9.1f} MB")
