"""A large assignment goes through Celery: the real broker (Redis) and a real worker (in a thread of this
process), against the test database (PostgreSQL), with the status page polling the progress in the cache.

Skipped on SQLite and without Redis. Locally, for example:
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/tandem_assign REDIS_URL=redis://127.0.0.1:6379/5 \
        REDIS_CACHE_URL=redis://127.0.0.1:6379/6 .venv/bin/pytest tests/courses/test_assign_task.py
"""

import os
import threading
import time
from datetime import date

import pytest
from django.db import OperationalError
from django.urls import reverse

from courses import tasks
from courses.models import Assignment, Enrolment, Module
from courses.services import assignments as services
from tests.conftest import requires_postgres
from tests.courses.test_assign_bulk import add_staff

pytestmark = [
    requires_postgres,
    pytest.mark.skipif(not os.environ.get("REDIS_URL"), reason="needs Redis (REDIS_URL)"),
    pytest.mark.django_db(transaction=True),
]

PEOPLE = 300
TIMEOUT = 60


@pytest.fixture
def module(db):
    return Module.objects.create(slug="m1", title="Module one", summary="s", confidence_question="q", published=True)


@pytest.fixture
def worker(settings, monkeypatch, real_worker):
    settings.ASSIGNMENT_SYNC_MAX_STAFF = 50  # anything bigger goes to the worker
    monkeypatch.setattr(services, "BATCH", 70)  # several batches, the last one short
    return real_worker


def wait_for(client, assignment, statuses):
    """Poll the progress URL, as the status page does, until the assignment reaches one of `statuses`."""
    url = reverse("courses:assignment_progress", args=[assignment.pk])
    deadline = time.monotonic() + TIMEOUT
    seen = []
    while time.monotonic() < deadline:
        data = client.get(url).json()
        assert set(data) == {"status", "stage", "done", "total", "unit"}
        assert data["done"] >= 0 and (data["total"] == 0 or data["done"] <= data["total"])
        seen.append(data)
        if data["status"] in statuses:
            return data, seen
        time.sleep(0.02)
    pytest.fail(f"the assignment did not reach {statuses} in {TIMEOUT}s; progress seen: {seen[-5:]}")


def counts():
    return Enrolment.objects.count(), Enrolment.assignments.through.objects.count()


def test_a_large_assignment_is_enrolled_by_the_worker(client, org, module, worker, ran_tasks):
    add_staff(org.waste, PEOPLE)
    client.force_login(org.hr)
    response = client.post(reverse("courses:assign"), {
        "module": module.pk, "target": "department", "department": org.council.pk, "include_subdepartments": "on",
        "due_date": "2030-06-30"})
    assignment = Assignment.objects.get()
    assert response.status_code == 302
    total = PEOPLE + 7
    final, seen = wait_for(client, assignment, {"applied", "failed"})
    assert final == {"status": "applied", "stage": "Done", "done": total, "total": total, "unit": "people"}
    assert counts() == (total, total)
    assignment.refresh_from_db()
    assert (assignment.status, assignment.enrolled_count, assignment.failure) == ("applied", total, "")
    assert set(Enrolment.objects.values_list("due_date", flat=True)) == {date(2030, 6, 30)}
    # The task ran once, on the worker's thread, through the broker.
    runs = [(name, args, eager) for name, args, eager, _ in ran_tasks]
    assert runs == [("courses.tasks.assignment_apply", [assignment.pk], False)]
    assert {thread for *_, thread in ran_tasks} != {threading.current_thread().name}
    # Queueing it again (a duplicate message) enrols nobody twice.
    tasks.assignment_apply.delay(assignment.pk)
    deadline = time.monotonic() + TIMEOUT
    while len(ran_tasks) < 2 and time.monotonic() < deadline:
        time.sleep(0.05)
    time.sleep(0.3)
    assert counts() == (total, total)


def test_a_failure_is_recorded_and_trying_again_resumes(client, org, module, worker, monkeypatch):
    add_staff(org.waste, PEOPLE)
    real = services._enrol_batch
    calls = []

    def second_batch_fails(assignment, ids):
        calls.append(len(ids))
        if len(calls) == 2:
            raise RuntimeError("disk on fire")
        return real(assignment, ids)

    monkeypatch.setattr(services, "_enrol_batch", second_batch_fails)
    client.force_login(org.hr)
    client.post(reverse("courses:assign"), {"module": module.pk, "target": "department", "department": org.waste.pk,
                                            "include_subdepartments": "on", "due_date": "2030-06-30"})
    assignment = Assignment.objects.get()
    assert wait_for(client, assignment, {"applied", "failed"})[0]["status"] == "failed"
    assignment.refresh_from_db()
    assert (assignment.status, assignment.failure) == ("failed", "RuntimeError('disk on fire')")
    assert counts() == (70, 70)  # the first batch committed on its own; the failed one left nothing
    page = client.get(reverse("courses:assignment", args=[assignment.pk])).content.decode()
    assert "Enrolling stopped before everyone was enrolled" in page

    client.post(reverse("courses:assignment_retry", args=[assignment.pk]))
    assert wait_for(client, assignment, {"applied", "failed"})[0]["status"] == "applied"
    assert counts() == (PEOPLE + 1, PEOPLE + 1)


def test_a_dropped_database_connection_is_retried(client, org, module, worker, monkeypatch, ran_tasks):
    add_staff(org.parks, 100)
    monkeypatch.setattr(tasks.assignment_apply, "default_retry_delay", 0)
    real = services.assignment_apply
    failures = []

    def flaky(*, assignment_id):
        if not failures:
            failures.append(1)
            raise OperationalError("server closed the connection unexpectedly")
        return real(assignment_id=assignment_id)

    monkeypatch.setattr(services, "assignment_apply", flaky)
    assignment = Assignment.objects.create(module=module, target="department", department=org.parks,
                                           due_date=date(2030, 6, 30), created_by=org.hr)
    tasks.assignment_apply.delay(assignment.pk)
    client.force_login(org.hr)
    assert wait_for(client, assignment, {"applied", "failed"})[0]["status"] == "applied"
    assert counts() == (100, 100)
    assert [name for name, *_ in ran_tasks] == ["courses.tasks.assignment_apply"] * 2
