"""Readiness for a large council: 600 departments and 20,000 staff (by default) with a module assigned to
everyone and a closed survey wave answered by about 70%: the whole organisation's readiness table, one
day's snapshots (and the same again: nothing new), and a 30-day backfill. Run by tests/bench/run.py
(`make bench`). Figures: wall time and query count of each step."""

import random
import time

from django.db import connection, reset_queries
from django.test.utils import CaptureQueriesContext


def _step(label: str, fn):
    with CaptureQueriesContext(connection) as ctx:
        start = time.perf_counter()
        result = fn()
        elapsed = time.perf_counter() - start
    print(f"  {label:<58} {elapsed:7.2f} s  {len(ctx.captured_queries):6,} queries")
    return result


def run(*, departments: int = 600, people: int = 20_000, database: str = "") -> None:
    from adoption import selectors, services
    from tests.adoption import builders

    print(f"\nReadiness: {departments:,} departments, {people:,} staff ({database})")
    rng = random.Random(7)
    start = time.perf_counter()
    depts = builders.tree(departments, rng, prefix="B")
    profiles = builders.staff(depts, people, rng, prefix="BS")
    builders.learning(profiles, rng)
    wave = builders.survey_wave(profiles, rng)
    print(f"  set-up (tree, staff, enrolments, a closed wave of {wave.responses.count():,} responses): "
          f"{time.perf_counter() - start:.1f} s")
    reset_queries()
    table = _step("readiness table for the whole organisation", selectors.readiness_table)
    scored = sum(1 for r in table.rows if r.score is not None)
    print(f"  departments with a score: {scored:,} of {len(table.rows):,}")
    written = _step("snapshots for today", services.snapshots_take)
    again = _step("snapshots for today again (changes nothing)", services.snapshots_take)
    print(f"  written: {written:,}, then {again:,}")
    backfilled = _step("backfill the last 30 days", lambda: services.snapshots_backfill(days=30))
    print(f"  backfilled: {backfilled:,} snapshots")
