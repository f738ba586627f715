"""On SQLite (no row locks) a sender claims an outbox row with one UPDATE ... WHERE status = 'queued'.
Two real processes on one SQLite file, each trying to claim every row: no row is claimed by both, and
every row is claimed by one of them (issue 13, "an equivalent safe claim on SQLite")."""

import multiprocessing
import os
import time

ROWS = 120


def _django(path):
    os.environ["DATABASE_URL"] = f"sqlite:///{path}"
    os.environ["DJANGO_SETTINGS_MODULE"] = "config.settings_test"
    import django

    django.setup()


def _prepare(path):
    _django(path)
    from datetime import date

    from django.core.management import call_command

    from adoption.models import Outbox
    from organisation.models import Department
    from tests.factories import make_staff

    call_command("migrate", verbosity=0)
    profile = make_staff(Department.objects.create(name="Finance"))
    Outbox.objects.bulk_create(
        Outbox(profile=profile, rule="due-soon", subject=f"module:m{i}", period="p", planned_on=date(2026, 12, 3),
               why="because", to="a@example.org", email_subject="s", text="t", html="h") for i in range(ROWS))


def _claim_all(path, reverse, start, out):
    _django(path)
    from django.db import transaction
    from django.utils import timezone

    from adoption import services_nudges as services
    from adoption.models import Outbox

    ids = sorted(Outbox.objects.values_list("id", flat=True), reverse=reverse)
    start.wait()  # both begin together
    mine = []
    for pk in ids:
        with transaction.atomic():
            if services._claim_by_update(pk, timezone.now()) is not None:
                mine.append(pk)
        time.sleep(0.002)  # outside the claim: lets the other process in, so the two interleave
    out.put(mine)


def _run(ctx, target, *args):
    p = ctx.Process(target=target, args=args)
    p.start()
    return p


def test_two_processes_never_claim_the_same_row(tmp_path):
    path = tmp_path / "claims.sqlite3"
    ctx = multiprocessing.get_context("spawn")  # fresh interpreters: no Django state or connection shared
    prep = _run(ctx, _prepare, str(path))
    prep.join(180)
    assert prep.exitcode == 0
    start, out = ctx.Barrier(2), ctx.Queue()
    # One walks the rows forwards and one backwards, so they meet in the middle and contend there; a
    # pair walking the same way contends on every row (the next test).
    workers = [_run(ctx, _claim_all, str(path), reverse, start, out) for reverse in (False, True)]
    claimed = [out.get(timeout=180) for _ in workers]
    for w in workers:
        w.join(60)
        assert w.exitcode == 0
    a, b = map(set, claimed)
    assert not a & b
    assert len(a | b) == ROWS and len(claimed[0]) + len(claimed[1]) == ROWS
    assert a and b  # both took part (the pause between claims makes them interleave)


def test_two_processes_walking_the_same_way_still_share_no_row(tmp_path):
    path = tmp_path / "claims.sqlite3"
    ctx = multiprocessing.get_context("spawn")
    prep = _run(ctx, _prepare, str(path))
    prep.join(180)
    assert prep.exitcode == 0
    start, out = ctx.Barrier(2), ctx.Queue()
    workers = [_run(ctx, _claim_all, str(path), False, start, out) for _ in range(2)]
    claimed = [out.get(timeout=180) for _ in workers]
    for w in workers:
        w.join(60)
        assert w.exitcode == 0
    a, b = map(set, claimed)
    # Walking in step, one process may win every row and the other lose every one: either way each row
    # was fought over, and none is claimed twice.
    assert not a & b and len(a | b) == ROWS
