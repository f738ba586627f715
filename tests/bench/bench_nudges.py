"""Nudges for a large council: every member of staff (30,000 by default) with a module due soon, half of
them also an open survey they have not answered. Figures: the daily plan (queries and wall time, the
outbox rows it writes), the same plan again (nothing new), and sending a batch of outbox rows through the
test settings' in-memory email backend (the cost on our side of each message, without a mail server).

Run by tests/bench/run.py (`make bench`), or alone: python -m tests.bench.bench_nudges [--rows N]
"""

import sys
import tempfile
import time
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from django.db import connection
from django.db.models import Avg
from django.db.models.functions import Length
from django.test.utils import CaptureQueriesContext

THU = date(2026, 12, 3)
SEND = 2_000


def _make(rows: int):
    from courses.models import Enrolment, Module
    from organisation.models import Department, StaffProfile, User
    from surveys.models import Participation, Survey, Wave

    department = Department.objects.create(code="BENCH-NUDGES", name="Nudges bench")
    module = Module.objects.create(slug="bench-nudges", title="Using AI safely at work", summary="s",
                                   confidence_question="q", published=True)
    users = User.objects.bulk_create([User(username=f"NB{i:06d}", email=f"nb{i:06d}@example.org", first_name="Nia")
                                      for i in range(rows)], batch_size=2000)
    profiles = StaffProfile.objects.bulk_create([StaffProfile(user=u, staff_number=u.username, department=department)
                                                 for u in users], batch_size=2000)
    Enrolment.objects.bulk_create([Enrolment(profile=p, module=module, due_date=date(2026, 12, 7)) for p in profiles],
                                  batch_size=2000)
    closes = datetime(2026, 12, 11, 17, tzinfo=ZoneInfo("Europe/London"))
    wave = Wave.objects.create(survey=Survey.objects.create(title="Staff pulse"), name="Bench", status="open",
                               opens_at=closes - timedelta(days=10), closes_at=closes)
    Participation.objects.bulk_create([
        Participation(wave=wave, profile=p, department=department, work_pattern="office", contract="full-time",
                      has_work_email=True) for p in profiles[::2]], batch_size=2000)


def run(*, rows: int, database: str) -> None:
    from adoption import services_nudges as services
    from adoption.models import Outbox

    _make(rows)
    print(f"\nNudges: {rows:,} staff with a module due soon, {rows // 2:,} with an unanswered survey ({database})")
    for label in ("plan", "plan again"):
        with CaptureQueriesContext(connection) as ctx:
            start, cpu = time.perf_counter(), time.process_time()
            planned = services.nudges_plan(today=THU)
            took, cpu = time.perf_counter() - start, time.process_time() - cpu
        print(f"  {label}: {planned:,} new rows in {took:.1f} s ({cpu:.1f} s of this process's CPU), "
              f"{len(ctx.captured_queries)} queries")
    print(f"  outbox rows: {Outbox.objects.count():,}")
    ids = services.queued_ids(limit=SEND)
    start, cpu = time.perf_counter(), time.process_time()
    result = services.outbox_send(ids=ids)
    took, cpu = time.perf_counter() - start, time.process_time() - cpu
    print(f"  send {len(result.sent):,} (in-memory backend): {took:.1f} s, {1000 * took / max(1, len(ids)):.1f} ms "
          f"each ({1000 * cpu / max(1, len(ids)):.1f} ms of this process's CPU; the rest is waiting for the database)")
    size = Outbox.objects.aggregate(text=Avg(Length("text")), html=Avg(Length("html")))
    print(f"  stored per row: {size['text']:.0f} characters of text and {size['html']:.0f} of HTML")


def main(argv=None) -> int:
    import argparse

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=30_000)
    args = parser.parse_args(argv)
    from tests.bench.run import throwaway_database

    with tempfile.TemporaryDirectory(prefix="tandem-bench-") as tmpdir, throwaway_database(tmpdir) as database:
        run(rows=args.rows, database=database)
    return 0


if __name__ == "__main__":
    sys.exit(main())
