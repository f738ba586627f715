"""Assignments: who must do a module by when, and the enrolments that follow from it.

Owns every write about assignments:
- `assignment_create`: HR (the whole organisation) or a manager (their own departments) assigns a module
  to a department (with or without the teams beneath it), to all managers (HR only) or to named staff,
  with a due date. Up to `ASSIGNMENT_SYNC_MAX_STAFF` people (default 2,000) are enrolled in the request;
  more are enrolled by the worker (`courses.tasks.assignment_apply`), queued after the assignment commits.
- `assignment_apply`: enrols everyone the assignment covers, `BATCH` people at a time, one transaction per
  batch. Idempotent: an enrolment is unique per person and module and its link to an assignment is unique,
  both inserted with ON CONFLICT DO NOTHING, so a re-run (a retried task, a duplicate) creates nothing new.
  Progress goes to the cache (`progress_get`), where the page's poller sees it while the work runs.
- `assignment_withdraw`: enrolments covered only by this assignment and not started are removed; every
  other enrolment keeps its history and its due date is worked out again from the remaining assignments.
- `assignments_for_staff_apply`: new joiners, people who moved department and new managers get the active
  assignments that now cover them (called by courses.receivers).
- Rules (one question each): `can_assign_to_managers`, `can_change` (withdraw or retry).

Invariant: `Enrolment.due_date` is the earliest due date of the *active* (not withdrawn) assignments linked
to the enrolment, or null (the module is optional for that person). `_refresh_due_dates` restores it with
one UPDATE for a whole batch.
"""

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Exists, F, Min, OuterRef, Q, QuerySet, Subquery
from django.utils import timezone

from courses.models import Assignment, Enrolment, Module
from organisation import roles
from organisation.models import Department, StaffProfile, User
from organisation.progress import TaskProgress
from organisation.scoping import visible_departments, visible_staff
from organisation.selectors import subtree_ids
from organisation.services import audit_record

BATCH = 2000
EnrolmentAssignment = Enrolment.assignments.through


def sync_max_staff() -> int:
    """Populations up to this size are enrolled in the request; larger ones by the worker."""
    return settings.ASSIGNMENT_SYNC_MAX_STAFF


# --- Rules -----------------------------------------------------------------------------------------

def can_assign_to_managers(user) -> bool:
    """"All managers" spans the whole organisation, so only HR (and admins) may use it."""
    return roles.is_hr(user)


def can_change(user, assignment: Assignment) -> bool:
    """May this user withdraw (or retry) this assignment? HR any; a manager only those they made (others
    in their scope they may see, not undo)."""
    return roles.is_hr(user) or (roles.is_manager(user) and assignment.created_by_id == user.pk)


# --- Who an assignment covers ------------------------------------------------------------------------

def covered_staff(assignment: Assignment) -> QuerySet[StaffProfile]:
    """Active staff the assignment covers now. (Scope was checked when it was made; a department's
    subtree never leaves the scope of whoever could see the department.)"""
    active = StaffProfile.objects.filter(active=True)
    if assignment.target == Assignment.Target.DEPARTMENT:
        ids = subtree_ids(assignment.department) if assignment.include_subdepartments else [assignment.department_id]
        return active.filter(department_id__in=ids)
    if assignment.target == Assignment.Target.MANAGERS:
        return active.filter(user_id__in=Department.managers.through.objects.values("user_id"))
    return active.filter(pk__in=assignment.staff.values("pk"))


# --- Progress (visible to a poller while batches commit) -----------------------------------------------

_progress = TaskProgress("assignment")
progress_set = _progress.set
progress_get = _progress.get


# --- Enrolling ---------------------------------------------------------------------------------------

def _refresh_due_dates(enrolments: QuerySet[Enrolment]) -> int:
    """One UPDATE: each enrolment's due date becomes the earliest of its active assignments (null when none
    is left). Rows already right are not written, so a re-run writes nothing."""
    earliest = (
        EnrolmentAssignment.objects.filter(enrolment_id=OuterRef("pk"), assignment__withdrawn_at__isnull=True)
        .values("enrolment_id").annotate(earliest=Min("assignment__due_date")).values("earliest")
    )
    return (
        enrolments.annotate(earliest=Subquery(earliest))
        .filter(Q(due_date__lt=F("earliest")) | Q(due_date__gt=F("earliest"))
                | Q(due_date__isnull=True, earliest__isnull=False) | Q(due_date__isnull=False, earliest__isnull=True))
        .update(due_date=Subquery(earliest))
    )


def _enrol_batch(assignment: Assignment, profile_ids: list[int]) -> bool:
    """Enrol one batch in one transaction. False (and nothing written) when the assignment has been
    withdrawn meanwhile: the row lock makes a withdrawal wait for a running batch, or the batch for it."""
    with transaction.atomic():
        if not list(Assignment.objects.select_for_update().filter(pk=assignment.pk, withdrawn_at__isnull=True)
                    .values_list("pk", flat=True)):
            return False
        Enrolment.objects.bulk_create(
            [Enrolment(profile_id=pid, module_id=assignment.module_id, due_date=assignment.due_date) for pid in profile_ids],
            ignore_conflicts=True,
        )
        enrolment_ids = list(
            Enrolment.objects.filter(module_id=assignment.module_id, profile_id__in=profile_ids).values_list("pk", flat=True)
        )
        EnrolmentAssignment.objects.bulk_create(
            [EnrolmentAssignment(enrolment_id=eid, assignment_id=assignment.pk) for eid in enrolment_ids],
            ignore_conflicts=True,
        )
        _refresh_due_dates(Enrolment.objects.filter(pk__in=enrolment_ids))
        Assignment.objects.filter(pk=assignment.pk).update(
            enrolled_count=EnrolmentAssignment.objects.filter(assignment_id=assignment.pk).count())
    return True


def _id_batches(staff: QuerySet[StaffProfile]):
    """Ids in batches by keyset (pk order): memory stays flat however large the population."""
    last = 0
    while True:
        ids = list(staff.filter(pk__gt=last).order_by("pk").values_list("pk", flat=True)[:BATCH])
        if not ids:
            return
        yield ids
        last = ids[-1]


def assignment_apply(*, assignment_id: int) -> Assignment:
    """Enrol everyone the assignment covers (see the module docstring). Safe to run again at any time:
    it adds only people not yet enrolled (joiners since, a batch a failure cut short)."""
    assignment = Assignment.objects.select_related("department").get(pk=assignment_id)
    if assignment.withdrawn_at is not None:
        return assignment
    Assignment.objects.filter(pk=assignment.pk).update(status=Assignment.Status.APPLYING, failure="")
    staff = covered_staff(assignment)
    total = staff.count()
    done = 0
    progress_set(assignment.pk, stage="Enrolling staff", done=0, total=total)
    for ids in _id_batches(staff):
        if not _enrol_batch(assignment, ids):
            break  # withdrawn while it ran: what was enrolled is cleaned up by the withdrawal
        done += len(ids)
        progress_set(assignment.pk, stage="Enrolling staff", done=min(done, total), total=total)
    else:
        Assignment.objects.filter(pk=assignment.pk).update(status=Assignment.Status.APPLIED)
        progress_set(assignment.pk, stage="Done", done=total, total=total)
    assignment.refresh_from_db()
    return assignment


def assignment_fail(*, assignment_id: int, message: str) -> None:
    """Record why the worker gave up. Batches already committed stay (running again resumes)."""
    Assignment.objects.filter(pk=assignment_id).exclude(status=Assignment.Status.APPLIED).update(
        status=Assignment.Status.FAILED, failure=message[:2000])


def assignment_retry(*, actor: User, assignment: Assignment) -> bool:
    """Queue a failed assignment again. False when it is not failed (a double click, or already running)."""
    if not can_change(actor, assignment):
        raise PermissionDenied("You cannot retry this assignment.")
    if assignment.withdrawn_at is not None:
        return False
    queued = Assignment.objects.filter(pk=assignment.pk, status=Assignment.Status.FAILED).update(
        status=Assignment.Status.PENDING, failure="")
    if queued:
        audit_record(actor=actor, action="assignment retried", target=str(assignment.module),
                     detail={"assignment": assignment.pk})
        _queue(assignment.pk)
    return bool(queued)


def _queue(assignment_id: int) -> None:
    from courses import tasks

    transaction.on_commit(lambda: tasks.assignment_apply.delay(assignment_id))


# --- Creating and withdrawing ---------------------------------------------------------------------------

def _describe(assignment: Assignment) -> str:
    if assignment.target == Assignment.Target.DEPARTMENT:
        beneath = " and the teams beneath it" if assignment.include_subdepartments else " only"
        return f"{assignment.department}{beneath}"
    if assignment.target == Assignment.Target.MANAGERS:
        return "all managers"
    return "named staff"


@transaction.atomic
def assignment_create(
    *,
    actor: User,
    module: Module,
    target: str,
    due_date: date,
    department: Department | None = None,
    include_subdepartments: bool = True,
    staff: Iterable[StaffProfile] = (),
) -> Assignment:
    """Assign a module. The caller fetched `department` and `staff` through the actor's scope (404 outside
    it); this checks again and refuses (PermissionDenied) anything outside the actor's rights."""
    staff = list(staff)
    if not (roles.is_hr(actor) or roles.is_manager(actor)):
        raise PermissionDenied("Only HR and managers assign modules.")
    if target == Assignment.Target.MANAGERS and not can_assign_to_managers(actor):
        raise PermissionDenied("Only HR can assign a module to all managers.")
    if target == Assignment.Target.DEPARTMENT:
        if department is None:
            raise ValidationError({"department": "Choose a department."})
        if not visible_departments(actor).filter(pk=department.pk).exists():
            raise PermissionDenied("That department is not one of yours.")
    else:
        department, include_subdepartments = None, False
    if target == Assignment.Target.STAFF:
        if not staff:
            raise ValidationError({"staff": "Name at least one member of staff."})
        ids = {p.pk for p in staff}
        if visible_staff(actor).filter(pk__in=ids, active=True).count() != len(ids):
            raise PermissionDenied("Those staff are not all in your departments.")
    else:
        staff = []
    if not module.published:
        raise ValidationError({"module": "This module is not published."})
    assignment = Assignment(module=module, target=target, department=department,
                            include_subdepartments=include_subdepartments, due_date=due_date, created_by=actor)
    assignment.full_clean()
    assignment.save()
    if staff:
        assignment.staff.set(staff)
    population = covered_staff(assignment).count()
    audit_record(actor=actor, action="module assigned", target=str(module), detail={
        "assignment": assignment.pk, "to": _describe(assignment), "due": due_date.isoformat(), "staff": population})
    if population <= sync_max_staff():
        assignment_apply(assignment_id=assignment.pk)
        assignment.refresh_from_db()
    else:
        _queue(assignment.pk)
    return assignment


@dataclass(frozen=True)
class Withdrawal:
    removed: int  # enrolments deleted: covered only by this assignment and never started
    kept: int     # enrolments kept (started, completed, or still covered by another assignment)


@transaction.atomic
def assignment_withdraw(*, actor: User, assignment: Assignment) -> Withdrawal:
    if not can_change(actor, assignment):
        raise PermissionDenied("You cannot withdraw this assignment.")
    locked = Assignment.objects.select_for_update().get(pk=assignment.pk)
    if locked.withdrawn_at is not None:
        return Withdrawal(removed=0, kept=0)
    locked.withdrawn_at = timezone.now()
    locked.save(update_fields=["withdrawn_at"])
    linked = Enrolment.objects.filter(pk__in=EnrolmentAssignment.objects.filter(assignment_id=locked.pk).values("enrolment_id"))
    still_assigned = EnrolmentAssignment.objects.filter(enrolment_id=OuterRef("pk"), assignment__withdrawn_at__isnull=True)
    removable = linked.filter(status=Enrolment.Status.NOT_STARTED, started_at__isnull=True).exclude(Exists(still_assigned))
    removed = removable.count()
    removable.delete()
    _refresh_due_dates(linked)
    kept = linked.count()
    audit_record(actor=actor, action="assignment withdrawn", target=str(locked.module), detail={
        "assignment": locked.pk, "removed": removed, "kept": kept})
    assignment.withdrawn_at = locked.withdrawn_at
    return Withdrawal(removed=removed, kept=kept)


# --- People whose place in the organisation changed --------------------------------------------------------

def assignments_for_staff_apply(*, profile_ids: Iterable[int]) -> int:
    """Give the given people every active assignment that covers them now (joiners, people who moved in,
    new managers). Returns how many enrolment links were made. Leaving removes nothing (history stays).
    Works through the people BATCH at a time, so a whole organisation's first import is fine too."""
    ids = list(profile_ids)
    active = list(Assignment.objects.filter(withdrawn_at__isnull=True).order_by("pk"))
    if not ids or not active:
        return 0
    return sum(_apply_to_people(ids[start:start + BATCH], active) for start in range(0, len(ids), BATCH))


def _apply_to_people(profile_ids: list[int], active: list[Assignment]) -> int:
    profiles = dict(StaffProfile.objects.filter(pk__in=profile_ids, active=True).values_list("pk", "department_id"))
    if not profiles:
        return 0
    # Each person's department and its ancestors (one recursive query): an assignment to a department
    # with its sub-departments covers everyone whose department has it as an ancestor.
    ancestors = {d.pk: d.tree_path for d in Department.objects.with_tree_fields().filter(pk__in=set(profiles.values()))}
    managers = set(StaffProfile.objects.filter(
        pk__in=profiles, user_id__in=Department.managers.through.objects.values("user_id")).values_list("pk", flat=True))
    named = defaultdict(set)
    for aid, pid in Assignment.staff.through.objects.filter(
            assignment__in=[a for a in active if a.target == Assignment.Target.STAFF], staffprofile_id__in=profiles
    ).values_list("assignment_id", "staffprofile_id"):
        named[aid].add(pid)
    before = EnrolmentAssignment.objects.filter(enrolment__profile_id__in=profiles).count()
    for assignment in active:
        if assignment.target == Assignment.Target.DEPARTMENT:
            ids = [pid for pid, dept_id in profiles.items()
                   if dept_id == assignment.department_id
                   or (assignment.include_subdepartments and assignment.department_id in ancestors[dept_id])]
        elif assignment.target == Assignment.Target.MANAGERS:
            ids = sorted(managers)
        else:
            ids = sorted(named[assignment.pk])
        if ids:
            _enrol_batch(assignment, ids)
    return EnrolmentAssignment.objects.filter(enrolment__profile_id__in=profiles).count() - before
