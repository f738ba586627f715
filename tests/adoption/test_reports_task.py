"""Reports through Celery: the real broker (Redis) and a real worker (a thread of this process), against
the test database (PostgreSQL). The page's form queues the task after the commit; the progress URL is
polled as the page polls it; a duplicated task leaves one file.

Skipped on SQLite and without Redis. Locally, for example:
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/tandem_rep REDIS_URL=redis://127.0.0.1:6379/7 \\
        .venv/bin/pytest tests/adoption/test_reports_task.py
"""

import os
import random
import signal
import subprocess
import sys
import time
from datetime import timedelta

import pytest
from django.conf import settings
from django.core.files.storage import storages
from django.db import connection
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


def start_worker_process(reports_root) -> subprocess.Popen:
    """A worker in its own process (solo pool: the process that compiles is the one killed), on the test
    database and broker, storing reports in the test's folder."""
    db = connection.settings_dict
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings",
           "DATABASE_URL": f"postgres://{db['USER']}@{db['HOST']}:{db['PORT']}/{db['NAME']}",
           "REPORTS_ROOT": str(reports_root), "TANDEM_DEMO": "0"}
    return subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "config", "worker", "--pool=solo", "--loglevel=WARNING",
         "--without-heartbeat", "--without-gossip", "--without-mingle"],
        env=env, cwd=settings.BASE_DIR, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def wait_until(check, what: str, timeout=TIMEOUT):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if check():
            return
        time.sleep(0.02)
    pytest.fail(f"timed out waiting for {what}")


def test_a_worker_killed_mid_compile_ends_failed_with_why_and_a_retry_makes_one_file(tmp_path, settings):
    """SIGKILL while compiling: the report stays 'compiling' only until the sweep sees its heartbeat
    stop, then fails with the reason; Retry compiles it again under the same name."""
    from config import celery_app

    org = build_org()
    rng = random.Random(5)
    depts = builders.tree(10, rng)
    profiles = builders.staff(depts, 4000, rng)
    for _ in range(4):
        builders.learning(profiles, rng)
    celery_app.control.purge()
    settings.STORAGES = {**settings.STORAGES, "reports": {  # this process reads the worker's folder
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": str(tmp_path), "allow_overwrite": True}}}
    today = timezone.localdate()
    from adoption import services_reports

    report = services_reports.report_request(actor=org.hr, department=None, format="xlsx", start=today,
                                             end=today, queue=False)
    worker = start_worker_process(tmp_path)
    try:
        tasks.report_compile.delay(str(report.pk))
        wait_until(lambda: Report.objects.get(pk=report.pk).status == Report.Status.RUNNING, "the report to start")
        worker.send_signal(signal.SIGKILL)
        worker.wait(10)
        report.refresh_from_db()
        assert report.status == Report.Status.RUNNING  # killed before it finished
        assert list(tmp_path.iterdir()) == []  # nothing half-written in the storage
        later = timezone.now() + services_reports.STALE_HEARTBEAT + timedelta(minutes=1)
        assert services_reports.reports_sweep(now=later)["failed"] == 1
        report.refresh_from_db()
        assert report.status == Report.Status.FAILED and "stopped before it finished" in report.failure

        worker = start_worker_process(tmp_path)
        services_reports.report_retry(actor=org.hr, report=report)  # queues the task after its commit
        wait_until(lambda: Report.objects.get(pk=report.pk).status == Report.Status.READY, "the retry to finish")
        assert [p.name for p in tmp_path.iterdir()] == [f"{report.pk}.xlsx"]
    finally:
        worker.kill()
        worker.wait(10)
        celery_app.control.purge()
