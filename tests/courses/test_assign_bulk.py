"""Bulk enrolment: batches, one transaction each, no duplicates however often (or however concurrently)
it runs. The concurrency test needs PostgreSQL (SQLite serialises writers, so it proves nothing there)."""

import threading
from datetime import date, timedelta

import pytest
from django.contrib.auth.hashers import make_password
from django.db import connection

from courses.models import Assignment, Enrolment, Module
from courses.services import assignments as services
from organisation.models import StaffProfile, User
from tests.conftest import requires_postgres

DUE = date(2030, 6, 30)


def add_staff(department, n, prefix=None) -> list[int]:
    """n active staff in a department, made in bulk (make_staff would take a query per row)."""
    prefix = prefix or f"B{department.pk}X"
    password = make_password("x")
    User.objects.bulk_create([User(username=f"{prefix}{i:05d}", first_name="Bulk", last_name=f"{i:05d}",
                                   password=password) for i in range(n)])
    users = dict(User.objects.filter(username__startswith=prefix).values_list("username", "pk"))
    StaffProfile.objects.bulk_create([StaffProfile(user_id=pk, staff_number=name, department=department)
                                      for name, pk in users.items()])
    return list(StaffProfile.objects.filter(staff_number__startswith=prefix).values_list("pk", flat=True))


def counts():
    return Enrolment.objects.count(), Enrolment.assignments.through.objects.count()


@pytest.fixture
def module(db):
    return Module.objects.create(slug="m1", title="Module one", summary="s", confidence_question="q", published=True)


def test_batches_enrol_everyone_once_and_a_rerun_adds_nothing(org, module, monkeypatch):
    monkeypatch.setattr(services, "BATCH", 40)
    add_staff(org.waste, 150)
    a = Assignment.objects.create(module=module, target="department", department=org.environment, due_date=DUE,
                                  created_by=org.hr)
    services.assignment_apply(assignment_id=a.pk)
    assert counts() == (152, 152)
    a.refresh_from_db()
    assert (a.status, a.enrolled_count) == ("applied", 152)
    # Re-running: nothing created and no enrolment rewritten (the due-date UPDATE touches only wrong rows).
    sooner = Assignment.objects.create(module=module, target="department", department=org.parks, due_date=DUE,
                                       created_by=org.hr)
    services.assignment_apply(assignment_id=a.pk)
    assert counts() == (152, 152)
    assert services._refresh_due_dates(Enrolment.objects.all()) == 0  # every due date already right
    assert Enrolment.objects.filter(due_date=DUE).count() == 152
    # A sooner assignment moves the due date of those it covers, and only theirs.
    Assignment.objects.filter(pk=sooner.pk).update(due_date=DUE - timedelta(days=7))
    services.assignment_apply(assignment_id=sooner.pk)
    assert Enrolment.objects.filter(due_date=DUE).count() == 152  # parks has no staff
    Assignment.objects.filter(pk=sooner.pk).update(department=org.waste)
    services.assignment_apply(assignment_id=sooner.pk)
    assert Enrolment.objects.filter(due_date=DUE - timedelta(days=7)).count() == 151
    assert counts() == (152, 303)


@requires_postgres
@pytest.mark.django_db(transaction=True)
def test_applying_twice_on_postgresql_creates_nothing_new(org, module, monkeypatch):
    monkeypatch.setattr(services, "BATCH", 100)
    add_staff(org.waste, 450)
    a = Assignment.objects.create(module=module, target="department", department=org.council, due_date=DUE,
                                  created_by=org.hr)
    services.assignment_apply(assignment_id=a.pk)
    first = counts()
    assert first == (457, 457)
    services.assignment_apply(assignment_id=a.pk)
    assert counts() == first
    a.refresh_from_db()
    assert (a.status, a.enrolled_count) == ("applied", 457)


@requires_postgres
@pytest.mark.django_db(transaction=True)
def test_two_workers_applying_at_once_make_no_duplicates(org, module, monkeypatch):
    """A duplicated task message run by two workers at the same moment: ON CONFLICT DO NOTHING and the
    unique constraints keep one enrolment per person, and neither run fails."""
    monkeypatch.setattr(services, "BATCH", 50)
    add_staff(org.waste, 400)
    a = Assignment.objects.create(module=module, target="department", department=org.waste, due_date=DUE,
                                  created_by=org.hr)
    barrier = threading.Barrier(2)
    errors = []

    def run():
        try:
            barrier.wait(timeout=10)
            services.assignment_apply(assignment_id=a.pk)
        except Exception as exc:  # noqa: BLE001  (reported below)
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert errors == []
    assert counts() == (401, 401)
    a.refresh_from_db()
    assert (a.status, a.enrolled_count) == ("applied", 401)
