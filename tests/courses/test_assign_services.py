"""courses.services.assignments: who an assignment enrols, due dates, withdrawal, joiners and movers."""

from datetime import date, timedelta
from unittest import mock

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from courses.models import Assignment, Enrolment, Module
from courses.services import assignments as services
from organisation.events import staff_changed
from organisation.models import AuditEvent, StaffProfile
from tests.factories import make_staff

DUE = date(2030, 6, 30)


def make_module(slug="m1", title="Module one", published=True) -> Module:
    return Module.objects.create(slug=slug, title=title, summary="s", confidence_question="q", published=published)


def enrolled(module) -> set[str]:
    return set(Enrolment.objects.filter(module=module).values_list("profile__user__first_name", flat=True))


def assign(actor, module, **kwargs) -> Assignment:
    kwargs.setdefault("due_date", DUE)
    return services.assignment_create(actor=actor, module=module, **kwargs)


@pytest.fixture
def module(db):
    return make_module()


# --- Who is enrolled ---------------------------------------------------------------------------------

def test_department_with_subdepartments_enrols_everyone_beneath(org, module):
    a = assign(org.env_manager, module, target="department", department=org.environment)
    assert enrolled(module) == {"Dave", "Morgan"}  # Waste (Dave) and Environment itself (Morgan)
    assert (a.status, a.enrolled_count) == ("applied", 2)
    assert set(Enrolment.objects.filter(module=module).values_list("due_date", flat=True)) == {DUE}
    assert {e.assignments.get() for e in Enrolment.objects.filter(module=module)} == {a}


def test_department_without_subdepartments_enrols_its_own_staff_only(org, module):
    assign(org.hr, module, target="department", department=org.environment, include_subdepartments=False)
    assert enrolled(module) == {"Morgan"}


def test_all_managers(org, module):
    assign(org.hr, module, target="managers")
    assert enrolled(module) == {"Morgan", "Ruth"}


def test_named_staff(org, module):
    a = assign(org.hr, module, target="staff", staff=[org.staff.profile, org.frontline.profile])
    assert enrolled(module) == {"Sam", "Dave"}
    assert set(a.staff.all()) == {org.staff.profile, org.frontline.profile}


def test_leavers_are_not_enrolled(org, module):
    StaffProfile.objects.filter(pk=org.frontline.profile.pk).update(active=False)
    assign(org.hr, module, target="department", department=org.environment)
    assert enrolled(module) == {"Morgan"}


def test_creating_is_audited(org, module):
    a = assign(org.hr, module, target="department", department=org.waste)
    event = AuditEvent.objects.get(action="module assigned")
    assert (event.actor, event.target) == (org.hr, "Module one")
    assert event.detail == {"assignment": a.pk, "to": "Waste Collection and the teams beneath it",
                            "due": "2030-06-30", "staff": 1}


# --- Scope and rules ---------------------------------------------------------------------------------

def test_manager_cannot_assign_outside_their_departments(org, module):
    with pytest.raises(PermissionDenied):
        assign(org.env_manager, module, target="department", department=org.finance)
    with pytest.raises(PermissionDenied):
        assign(org.env_manager, module, target="staff", staff=[org.staff.profile])
    assert not Assignment.objects.exists()


def test_only_hr_assigns_to_all_managers(org, module):
    with pytest.raises(PermissionDenied):
        assign(org.env_manager, module, target="managers")
    with pytest.raises(PermissionDenied):
        assign(org.staff, module, target="department", department=org.finance)


def test_unpublished_modules_cannot_be_assigned(org):
    with pytest.raises(ValidationError):
        assign(org.hr, make_module(published=False), target="department", department=org.waste)


def test_named_staff_needs_someone(org, module):
    with pytest.raises(ValidationError):
        assign(org.hr, module, target="staff", staff=[])


# --- Due dates and idempotence ------------------------------------------------------------------------

def test_due_date_is_the_earliest_of_active_assignments(org, module):
    later = assign(org.hr, module, target="department", department=org.council, due_date=DUE)
    sooner = assign(org.env_manager, module, target="department", department=org.waste, due_date=DUE - timedelta(days=30))
    dave = Enrolment.objects.get(module=module, profile=org.frontline.profile)
    assert dave.due_date == DUE - timedelta(days=30)
    assert set(dave.assignments.all()) == {later, sooner}
    assert Enrolment.objects.get(module=module, profile=org.staff.profile).due_date == DUE
    # A later assignment does not push an earlier due date back.
    assign(org.hr, module, target="staff", staff=[org.frontline.profile], due_date=DUE + timedelta(days=30))
    dave.refresh_from_db()
    assert dave.due_date == DUE - timedelta(days=30)


def test_applying_again_creates_nothing_new(org, module):
    a = assign(org.hr, module, target="department", department=org.council)
    before = (Enrolment.objects.count(), Enrolment.assignments.through.objects.count())
    again = services.assignment_apply(assignment_id=a.pk)
    assert (Enrolment.objects.count(), Enrolment.assignments.through.objects.count()) == before
    assert (again.status, again.enrolled_count) == ("applied", before[0])


def test_applying_again_picks_up_people_added_since(org, module):
    a = assign(org.hr, module, target="department", department=org.waste)
    make_staff(org.waste, first="Newbie")  # no signal: e.g. added in the admin
    services.assignment_apply(assignment_id=a.pk)
    assert enrolled(module) == {"Dave", "Newbie"}
    a.refresh_from_db()
    assert a.enrolled_count == 2


def test_existing_progress_is_kept_when_assigned(org, module):
    started = Enrolment.objects.create(profile=org.frontline.profile, module=module, status="in-progress",
                                       started_at=timezone.now())
    assign(org.hr, module, target="department", department=org.waste)
    started.refresh_from_db()
    assert (started.status, started.due_date) == ("in-progress", DUE)
    assert Enrolment.objects.filter(module=module).count() == 1


def test_large_populations_are_queued_after_commit(org, module, settings, django_capture_on_commit_callbacks):
    settings.ASSIGNMENT_SYNC_MAX_STAFF = 1
    with mock.patch("courses.tasks.assignment_apply.delay") as delay:
        with django_capture_on_commit_callbacks(execute=False) as callbacks:
            a = assign(org.hr, module, target="department", department=org.environment)  # 2 people
        assert (a.status, Enrolment.objects.count()) == ("pending", 0)
        delay.assert_not_called()  # not before the assignment commits
        for callback in callbacks:
            callback()
    delay.assert_called_once_with(a.pk)


def test_withdrawn_assignment_is_not_applied(org, module):
    a = Assignment.objects.create(module=module, target="department", department=org.waste, due_date=DUE,
                                  withdrawn_at=timezone.now())
    services.assignment_apply(assignment_id=a.pk)
    assert not Enrolment.objects.exists()


def test_a_failure_is_recorded_and_a_retry_resumes(org, module, django_capture_on_commit_callbacks):
    a = Assignment.objects.create(module=module, target="department", department=org.environment, due_date=DUE,
                                  created_by=org.hr)
    services.assignment_fail(assignment_id=a.pk, message="OperationalError('gone')")
    a.refresh_from_db()
    assert (a.status, a.failure) == ("failed", "OperationalError('gone')")
    with pytest.raises(PermissionDenied):
        services.assignment_retry(actor=org.res_manager, assignment=a)
    with mock.patch("courses.tasks.assignment_apply.delay") as delay, \
            django_capture_on_commit_callbacks(execute=True):
        assert services.assignment_retry(actor=org.hr, assignment=a) is True
        assert services.assignment_retry(actor=org.hr, assignment=a) is False  # a double click queues once
    delay.assert_called_once_with(a.pk)
    a.refresh_from_db()
    assert (a.status, a.failure) == ("pending", "")


# --- Withdrawing --------------------------------------------------------------------------------------

def test_withdrawing_removes_only_untouched_enrolments_covered_by_nothing_else(org, module):
    env = assign(org.env_manager, module, target="department", department=org.environment, due_date=DUE)
    other = assign(org.hr, module, target="staff", staff=[org.env_manager.profile], due_date=DUE + timedelta(days=10))
    parks = make_staff(org.parks, first="Pat")
    services.assignment_apply(assignment_id=env.pk)  # Pat is enrolled too
    Enrolment.objects.filter(profile=parks).update(status="in-progress", started_at=timezone.now())

    result = services.assignment_withdraw(actor=org.env_manager, assignment=env)

    assert result == services.Withdrawal(removed=1, kept=2)
    assert enrolled(module) == {"Morgan", "Pat"}  # Dave had not started and had nothing else: removed
    morgan = Enrolment.objects.get(module=module, profile=org.env_manager.profile)
    assert morgan.due_date == DUE + timedelta(days=10)  # from the remaining assignment
    pat = Enrolment.objects.get(module=module, profile=parks)
    assert (pat.status, pat.due_date) == ("in-progress", None)  # history kept, now optional
    assert set(pat.assignments.all()) == {env}  # the link stays as history
    env.refresh_from_db()
    assert env.withdrawn_at is not None
    assert other.withdrawn_at is None
    event = AuditEvent.objects.get(action="assignment withdrawn")
    assert event.detail == {"assignment": env.pk, "removed": 1, "kept": 2}


def test_withdrawing_twice_does_nothing_more(org, module):
    a = assign(org.hr, module, target="department", department=org.waste)
    assert services.assignment_withdraw(actor=org.hr, assignment=a).removed == 1
    assert services.assignment_withdraw(actor=org.hr, assignment=a) == services.Withdrawal(0, 0)


def test_a_manager_withdraws_only_what_they_assigned(org, module):
    a = assign(org.hr, module, target="department", department=org.waste)
    with pytest.raises(PermissionDenied):
        services.assignment_withdraw(actor=org.env_manager, assignment=a)
    mine = assign(org.env_manager, module, target="department", department=org.parks)
    services.assignment_withdraw(actor=org.env_manager, assignment=mine)


def test_withdrawn_assignments_give_joiners_nothing(org, module):
    a = assign(org.hr, module, target="department", department=org.waste)
    services.assignment_withdraw(actor=org.hr, assignment=a)
    newbie = make_staff(org.waste, first="Newbie")
    staff_changed.send(sender=None, joined=[newbie.pk], moved=[], left=[])
    assert not Enrolment.objects.filter(profile=newbie).exists()


# --- Joiners, movers, leavers and new managers ----------------------------------------------------------

def test_joiners_get_assignments_covering_their_department(org, module):
    second = make_module("m2", "Module two")
    third = make_module("m3", "Module three")
    assign(org.hr, module, target="department", department=org.council)                  # all, beneath too
    assign(org.hr, second, target="department", department=org.environment, include_subdepartments=False)
    assign(org.hr, third, target="department", department=org.waste, due_date=DUE - timedelta(days=1))
    newbie = make_staff(org.waste, first="Newbie")
    staff_changed.send(sender=None, joined=[newbie.pk], moved=[], left=[])
    assert dict(Enrolment.objects.filter(profile=newbie).values_list("module__slug", "due_date")) == {
        "m1": DUE, "m3": DUE - timedelta(days=1)}
    # Heard twice (a repeated signal): nothing new.
    staff_changed.send(sender=None, joined=[newbie.pk], moved=[], left=[])
    assert Enrolment.objects.filter(profile=newbie).count() == 2
    assert Assignment.objects.get(module=third).enrolled_count == 2


def test_someone_moving_in_gets_the_department_assignment_and_keeps_the_old(org, module):
    second = make_module("m2", "Module two")
    assign(org.hr, module, target="department", department=org.waste)
    assign(org.hr, second, target="department", department=org.parks)
    dave = org.frontline.profile
    dave.department = org.parks
    dave.save()
    staff_changed.send(sender=None, joined=[], moved=[dave.pk], left=[])
    assert set(Enrolment.objects.filter(profile=dave).values_list("module__slug", flat=True)) == {"m1", "m2"}


def test_leavers_keep_their_history(org, module):
    assign(org.hr, module, target="department", department=org.waste)
    StaffProfile.objects.filter(pk=org.frontline.profile.pk).update(active=False)
    staff_changed.send(sender=None, joined=[], moved=[], left=[org.frontline.profile.pk])
    assert Enrolment.objects.filter(profile=org.frontline.profile).count() == 1


def test_a_new_manager_gets_the_all_managers_assignment(org, module):
    assign(org.hr, module, target="managers")
    org.finance.managers.add(org.staff)
    assert enrolled(module) == {"Morgan", "Ruth", "Sam"}
    org.frontline.managed_departments.add(org.waste)  # from the other side of the relation
    assert enrolled(module) == {"Morgan", "Ruth", "Sam", "Dave"}


def test_the_receiver_is_connected_for_real_imports(org, module, django_capture_on_commit_callbacks):
    """The import announces joiners after it commits; courses enrols them (connected in CoursesConfig.ready)."""
    from organisation import importing
    from organisation.models import StaffImport
    from tests.organisation.staff_csv import row_from_profile, staff_row, to_csv

    assign(org.hr, module, target="department", department=org.environment)
    rows = [row_from_profile(p) for p in StaffProfile.objects.all()] + [staff_row("J0001", first="Joiner", dept="ENV-PARKS")]
    imp = StaffImport.objects.create(filename="x.csv", content=to_csv(rows), row_count=len(rows),
                                     status=StaffImport.Status.APPLYING)
    with mock.patch("organisation.tasks.invitations_send.delay"), django_capture_on_commit_callbacks(execute=True):
        importing.staff_import_apply(import_id=imp.pk)
    assert enrolled(module) == {"Dave", "Morgan", "Joiner"}


def test_many_joiners_are_enrolled_in_batches(org, module, monkeypatch):
    monkeypatch.setattr(services, "BATCH", 2)
    assign(org.hr, module, target="department", department=org.parks)
    joiners = [make_staff(org.parks, first=f"J{i}").pk for i in range(5)]
    assert services.assignments_for_staff_apply(profile_ids=joiners) == 5
    assert services.assignments_for_staff_apply(profile_ids=joiners) == 0
    assert Enrolment.objects.filter(profile__in=joiners).count() == 5
