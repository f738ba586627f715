import os

import pytest
from django.core.cache import cache

from tests.clients import Client
from tests.factories import build_org


@pytest.fixture
def client():
    """Django's test client, whose force_login includes the MFA step for accounts with an
    authenticator (tests/clients.py)."""
    return Client()


@pytest.fixture(autouse=True)
def _clear_cache():
    # Rate-limit counters and task progress live in the cache: each test starts clean.
    cache.clear()
    yield


@pytest.fixture
def org(db):
    return build_org()


def uses_postgres() -> bool:
    return os.environ.get("DATABASE_URL", "").startswith(("postgres", "postgresql"))


requires_postgres = pytest.mark.skipif(not uses_postgres(), reason="needs PostgreSQL (DATABASE_URL)")


@pytest.fixture
def ran_tasks():
    """The tasks a worker ran in this test: (task name, args, eager?, thread)."""
    import threading

    from celery import signals

    seen = []

    def record(sender=None, args=None, **kwargs):
        seen.append((sender.name, list(args), bool(sender.request.is_eager), threading.current_thread().name))

    signals.task_prerun.connect(record, weak=False)
    yield seen
    signals.task_prerun.disconnect(record)


@pytest.fixture
def real_worker():
    """A real Celery worker in a thread, on the real broker (Redis in CI), with an empty queue: tasks
    other tests queued after their commits are not this test's."""
    from celery.contrib.testing.worker import start_worker

    from config import celery_app

    assert celery_app.conf.broker_url == os.environ["REDIS_URL"]
    assert celery_app.conf.broker_url.startswith("redis://")
    assert not celery_app.conf.task_always_eager
    celery_app.control.purge()
    with start_worker(celery_app, perform_ping_check=False, shutdown_timeout=30) as w:
        yield w
