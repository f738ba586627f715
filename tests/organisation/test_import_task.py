"""A large staff import goes through Celery: the real broker (Redis) and a real worker (in a thread of this
process), against the test database (PostgreSQL), with the page polling the progress in the cache.

Skipped on SQLite and without Redis. Locally, for example:
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/tandem_imp REDIS_URL=redis://127.0.0.1:6379/3 \
        .venv/bin/pytest tests/organisation/test_import_task.py
The cache and the broker share REDIS_URL, and tests/conftest.py clears the cache before each test, which
empties the broker too: so the worker is started (declaring its queue) before anything is queued."""

import os
import threading
import time
from concurrent.futures import ThreadPoolExecutor

import pytest
from allauth.account.models import EmailAddress
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.urls import reverse

from organisation import importing
from organisation.models import AuditEvent, StaffImport, StaffProfile
from tests.clients import Client
from tests.conftest import requires_postgres
from tests.organisation.staff_csv import counts, staff_row, to_csv

pytestmark = [
    requires_postgres,
    pytest.mark.skipif(not os.environ.get("REDIS_URL"), reason="needs Redis (REDIS_URL)"),
    pytest.mark.django_db(transaction=True),
]

ROWS = 300
TIMEOUT = 60


def big_file():
    """ROWS new people in three teams, each managed by the first person of the file."""
    teams = ["ENV-WASTE", "ENV-PARKS", "RES-FIN"]
    rows = [staff_row("B0000", first="Boss", dept="ENV")]
    for i in range(1, ROWS):
        frontline = teams[i % 3] != "RES-FIN"
        rows.append(staff_row(f"B{i:04d}", first=f"Person{i}", dept=teams[i % 3], manager="B0000",
                              pattern="frontline" if frontline else "office",
                              email="" if i % 4 == 0 else f"b{i:04d}@example.org"))
    return to_csv(rows).encode()


@pytest.fixture
def worker(settings, real_worker):
    settings.STAFF_IMPORT_SYNC_MAX_ROWS = 50  # the page hands anything bigger to the worker
    return real_worker


def wait_for(client, imp, statuses):
    """Poll the progress URL, as the page does, until the import reaches one of `statuses`."""
    url = reverse("organisation:import_progress", args=[imp.pk])
    deadline = time.monotonic() + TIMEOUT
    seen = []
    while time.monotonic() < deadline:
        response = client.get(url)
        assert response.status_code == 200
        data = response.json()
        assert set(data) == {"status", "stage", "done", "total"}
        assert 0 <= data["done"] <= data["total"]
        seen.append(data)
        if data["status"] in statuses:
            return data
        time.sleep(0.05)
    pytest.fail(f"the import did not reach {statuses} in {TIMEOUT}s; progress seen: {seen[-5:]}")


def click_confirm_twice_at_once(user, url):
    """A double click: two requests for the same confirm, at the same moment, from two threads."""
    barrier = threading.Barrier(2)

    def click(_):
        client = Client()
        client.force_login(user)
        try:
            barrier.wait(timeout=10)
            return client.post(url).status_code
        finally:
            connection.close()

    with ThreadPoolExecutor(2) as pool:
        return list(pool.map(click, range(2)))


def test_large_import_is_checked_and_applied_by_the_worker(client, org, worker, ran_tasks):
    client.force_login(org.hr)
    before = counts()
    response = client.post(reverse("organisation:import"),
                           {"file": SimpleUploadedFile("big.csv", big_file(), content_type="text/csv")})
    imp = StaffImport.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("organisation:import_detail", args=[imp.pk])
    assert imp.row_count == ROWS

    assert wait_for(client, imp, {"ready", "invalid", "failed"}) == {
        "status": "ready", "stage": "Checked", "done": ROWS, "total": ROWS}
    imp.refresh_from_db()
    assert (imp.summary["new_count"], imp.summary["updated_count"], imp.errors) == (ROWS, 0, [])
    assert counts() == before  # checked, not yet applied

    confirm = reverse("organisation:import_confirm", args=[imp.pk])
    assert click_confirm_twice_at_once(org.hr, confirm) == [302, 302]
    assert wait_for(client, imp, {"applied", "invalid", "failed"}) == {
        "status": "applied", "stage": "Done", "done": ROWS, "total": ROWS}

    # Both tasks ran on the worker's thread, through the broker, once each.
    imports = [(name, args, eager) for name, args, eager, _ in ran_tasks if ".staff_import_" in name]
    assert imports == [
        ("organisation.tasks.staff_import_validate", [str(imp.pk)], False),
        ("organisation.tasks.staff_import_apply", [str(imp.pk), org.hr.pk], False),
    ]
    assert {thread for *_, thread in ran_tasks} != {threading.current_thread().name}
    # New staff with a work email were invited by the worker, after the import committed.
    deadline = time.monotonic() + TIMEOUT
    while time.monotonic() < deadline and not any(n.endswith("invitations_send") for n, *_ in ran_tasks):
        time.sleep(0.2)
    assert [n for n, *_ in ran_tasks if n.endswith("invitations_send")] == ["organisation.tasks.invitations_send"]

    with_email = sum(1 for i in range(ROWS) if i == 0 or i % 4)
    assert counts() == {"users": before["users"] + ROWS, "profiles": before["profiles"] + ROWS,
                        "emails": before["emails"] + with_email}
    boss = StaffProfile.objects.get(staff_number="B0000")
    assert StaffProfile.objects.filter(line_manager=boss).count() == ROWS - 1
    assert EmailAddress.objects.get(email="b0001@example.org").user.username == "B0001"
    applied = AuditEvent.objects.get(action="staff import applied")
    assert (applied.actor, applied.detail) == (org.hr, {"import": str(imp.pk), "new": ROWS, "updated": 0, "leavers": 0})

    page = client.get(reverse("organisation:import_detail", args=[imp.pk]))
    assert "What changed" in page.content.decode()


def test_a_failure_in_the_worker_marks_the_import_failed_and_writes_nothing(client, org, worker, monkeypatch):
    real_write = importing._write

    def write_then_fail(plan, *, import_id):
        real_write(plan, import_id=import_id)  # everything written, then the crash: all must roll back
        raise RuntimeError("disk on fire")

    monkeypatch.setattr(importing, "_write", write_then_fail)
    client.force_login(org.hr)
    before = counts()
    client.post(reverse("organisation:import"),
                {"file": SimpleUploadedFile("big.csv", big_file(), content_type="text/csv")})
    imp = StaffImport.objects.get()
    assert wait_for(client, imp, {"ready", "invalid", "failed"})["status"] == "ready"
    client.post(reverse("organisation:import_confirm", args=[imp.pk]))
    assert wait_for(client, imp, {"applied", "invalid", "failed"})["status"] == "failed"

    imp.refresh_from_db()
    assert (imp.status, imp.failure, imp.applied_at) == ("failed", "RuntimeError('disk on fire')", None)
    assert counts() == before
    assert not AuditEvent.objects.filter(action="staff import applied").exists()
    page = client.get(reverse("organisation:import_detail", args=[imp.pk])).content.decode()
    assert "The import failed. Nothing has been changed." in page
