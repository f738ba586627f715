import os

import pytest
from django.core.cache import cache

from tests.factories import build_org


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
