"""Reports through Celery: the real broker (Redis) and a real worker (a thread of this process), against
the test database (PostgreSQL). The page's form queues the task after the commit; the progress URL is
polled as the page polls it; a duplicated task leaves one file.

Skipped on SQLite and without Redis. Locally, for example:
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/tandem_rep REDIS_URL=redis://127.0.0.1:6379/7 \\
        .venv/bin/pytest tests/adoption/test_reports_task.py
"""

import os
import random
import time

import pytest
from django.core.files.storage import storages
from django.urls import reverse
from django.utils import timezone

from adoption import tasks
from adoption.models import Report
from organisation.models import AuditEvent
from tests.adoption import builders
from tests.conftest import requires_postgres
from tests.factories import build_org

pytestmark = [
    requires_postgres,
    pytest.mark.skipif(not os.environ.get("REDIS_URL"), reason="needs Redis (REDIS_URL)"),
    pytest.mark.django_db(transaction=True),
]
TIMEOUT = 90


def wait_for(client, report_id, statuses=("ready", "failed")):
    url = reverse("adoption:report_progress", args=[report_id])
    deadline, seen = time.monotonic() + TIMEOUT, []
    while time.monotonic() < deadline:
        data = client.get(url).json()
        assert 0 <= data["done"] <= max(data["total"], 1)
        seen.append(data)
        if data["status"] in statuses:
            return data, seen
        time.sleep(0.05)
    pytest.fail(f"the report did not finish in {TIMEOUT}s; progress seen: {seen[-5:]}")


def test_hr_asks_for_a_report_and_the_worker_compiles_it(client, real_worker):
    org = build_org()
    rng = random.Random(3)
    depts = builders.tree(8, rng)
    builders.learning(builders.staff(depts, 1200, rng), rng)
    client.force_login(org.hr)
    today = timezone.localdate()
    response = client.post(reverse("adoption:reports"), {
        "scope": "organisation", "format": "xlsx", "start": today.replace(day=1).isoformat(), "end": today.isoformat()})
    assert response.status_code == 302
    report = Report.objects.get()
    data, seen = wait_for(client, report.pk)
    assert data["status"] == "ready", Report.objects.get().failure
    report.refresh_from_db()
    assert report.rows == 1200 + 7  # the builders' staff and build_org's
    assert any(s["status"] == "running" and s["done"] > 0 for s in seen) or len(seen) < 3
    response = client.get(reverse("adoption:report_download", args=[report.pk]))
    assert response.status_code == 200
    assert b"".join(response.streaming_content)[:2] == b"PK"  # a zip: an XLSX file
    assert AuditEvent.objects.filter(action="report.download", actor=org.hr).count() == 1


def test_a_duplicated_task_leaves_one_file(client, real_worker):
    org = build_org()
    client.force_login(org.hr)
    today = timezone.localdate()
    from adoption import services_reports

    report = services_reports.report_request(actor=org.hr, department=None, format="csv", start=today, end=today,
                                             queue=False)
    tasks.report_compile.delay(str(report.pk))
    tasks.report_compile.delay(str(report.pk))
    data, _ = wait_for(client, report.pk)
    assert data["status"] == "ready"
    time.sleep(1)  # let the second task finish too
    store = storages["reports"]
    names = [n for n in store.listdir("")[1] if n.startswith(str(report.pk))]
    assert names == [f"{report.pk}.csv"]
    report.refresh_from_db()
    assert report.status == Report.Status.READY and report.attempts in (1, 2)
