"""The ballot box (DESIGN.md): the order and the transaction in which anonymous responses are stored say
nothing about who sent them. Checked on the stored rows as someone reading the database would: SQLite's
rowid order, PostgreSQL's xmin (the id of the transaction that wrote a row) and ctid (where it lies)."""

import os
import threading
import time
from datetime import timedelta

import pytest
from django.contrib import admin
from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from surveys import services, tasks
from surveys.models import Answer, HeldResponse, Participation, Response, Survey, Wave
from tests.conftest import requires_postgres, uses_postgres
from tests.factories import make_staff
from tests.surveys.conftest import make_survey, make_wave

requires_sqlite = pytest.mark.skipif(uses_postgres(), reason="SQLite's rowid")


def sheet(survey, i: int) -> dict:
    """Submitter i's answers: a pair of agreement scores no other submitter (of up to 25) gives."""
    first, second = survey.questions.filter(type="agree5").order_by("order")
    return {first.pk: {"number": i // 5 + 1}, second.pk: {"number": i % 5 + 1}}


def who(survey, response: Response) -> int:
    """Which submitter a stored response came from (the inverse of `sheet`)."""
    first, second = survey.questions.filter(type="agree5").order_by("order")
    numbers = dict(response.answers.values_list("question_id", "number"))
    return (numbers[first.pk] - 1) * 5 + numbers[second.pk] - 1


def open_wave_for(org, count: int, survey=None) -> tuple[Wave, list]:
    """An open anonymous wave (N=5) and `count` people invited to it, besides build_org's seven."""
    people = [make_staff(org.finance) for _ in range(count)]
    wave = services.wave_open(wave_id=make_wave(survey or make_survey()).pk)
    assert wave.min_group_size == 5
    return wave, people


def submit_all(wave, people) -> None:
    for i, person in enumerate(people):
        services.response_submit(profile=person, wave=wave, answers=sheet(wave.survey, i))


def close(wave) -> Wave:
    Wave.objects.filter(pk=wave.pk).update(closes_at=timezone.now() - timedelta(seconds=1))
    return services.wave_close(wave_id=wave.pk)


# --- Holding and moving ------------------------------------------------------------------------------------------

def test_a_submit_holds_the_sheet_and_stores_nothing_yet(org):
    wave, people = open_wave_for(org, 4)
    submit_all(wave, people)
    assert HeldResponse.objects.filter(wave=wave).count() == 4 and not Response.objects.exists()
    assert Participation.objects.filter(wave=wave, responded=True).count() == 4
    # Fewer than N held: a sweep leaves them, as a batch of four would be too small to hide in.
    assert services.held_responses_move(wave_id=wave.pk) == 0
    assert HeldResponse.objects.count() == 4 and not Response.objects.exists()


def test_a_batch_of_at_least_n_is_stored_and_leaves_the_box_empty(org):
    wave, people = open_wave_for(org, 6)
    submit_all(wave, people)
    assert services.held_responses_move(wave_id=wave.pk) == 6
    assert not HeldResponse.objects.exists()
    assert Response.objects.filter(wave=wave, anonymous=True, profile=None).count() == 6
    assert sorted(who(wave.survey, r) for r in Response.objects.all()) == list(range(6))
    assert Answer.objects.filter(response__wave=wave).count() == 12


def test_running_the_task_twice_moves_nothing_twice(org):
    wave, people = open_wave_for(org, 7)
    submit_all(wave, people)
    tasks.held_responses_move.apply(args=[wave.pk])  # through Celery's task machinery, in this process
    tasks.held_responses_move.apply(args=[wave.pk])
    assert Response.objects.filter(wave=wave).count() == 7 and not HeldResponse.objects.exists()
    assert services.held_responses_move(wave_id=wave.pk, everything=True) == 0
    assert Response.objects.filter(wave=wave).count() == 7
    # A wave that has gone (a queued task outliving it) is nothing to do, not an error.
    assert services.held_responses_move(wave_id=wave.pk + 1000) == 0


def test_a_move_is_queued_after_the_submit_that_fills_a_batch_commits(org, django_capture_on_commit_callbacks):
    wave, people = open_wave_for(org, 5)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        submit_all(wave, people[:4])
    assert callbacks == []  # four held: not yet a batch
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        submit_all(wave, people[4:])
    assert len(callbacks) == 1 and not Response.objects.exists()  # queued only once the submit commits


@pytest.mark.skipif(not os.environ.get("REDIS_URL"), reason="needs Redis (REDIS_URL)")
@pytest.mark.django_db(transaction=True)
def test_a_worker_stores_the_batch_that_a_submit_completes(real_worker, ran_tasks):
    """Through the real broker and a real worker: the fifth submit's commit queues the move."""
    from tests.factories import build_org

    org = build_org()
    wave, people = open_wave_for(org, 5)
    submit_all(wave, people)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and Response.objects.filter(wave=wave).count() < 5:
        time.sleep(0.2)
    assert Response.objects.filter(wave=wave).count() == 5 and not HeldResponse.objects.exists()
    moves = [(args, eager) for name, args, eager, _ in ran_tasks if name == "surveys.tasks.held_responses_move"]
    assert moves == [([wave.pk], False)]


def test_beat_sweeps_every_box_that_makes_a_batch(org):
    big, people = open_wave_for(org, 5)
    small = services.wave_open(wave_id=make_wave(make_survey()).pk)
    submit_all(big, people)
    submit_all(small, people[:2])
    tasks.held_responses_sweep.apply()
    assert Response.objects.filter(wave=big).count() == 5
    assert HeldResponse.objects.filter(wave=small).count() == 2 and not Response.objects.filter(wave=small).exists()


def test_beat_runs_the_sweep_every_five_minutes():
    from django.conf import settings

    entry = settings.CELERY_BEAT_SCHEDULE["surveys-store-held-responses"]
    assert entry == {"task": "surveys.tasks.held_responses_sweep", "schedule": 300.0}
    assert tasks.held_responses_sweep.name == entry["task"]


@pytest.mark.django_db(transaction=True)
def test_a_batch_is_stored_all_or_nothing():
    """One transaction per batch: a sheet that cannot be stored leaves every sheet in the box (the test
    commits, so a batch written in several transactions would leave some responses stored)."""
    from tests.factories import build_org

    org = build_org()
    wave, people = open_wave_for(org, 6)
    submit_all(wave, people)
    broken = HeldResponse.objects.filter(wave=wave).first()
    broken.sheet["answers"].append(dict(broken.sheet["answers"][0]))  # the same question twice
    broken.save()
    with pytest.raises(IntegrityError):
        services.held_responses_move(wave_id=wave.pk)
    assert HeldResponse.objects.filter(wave=wave).count() == 6
    assert not Response.objects.exists() and not Answer.objects.exists()


def test_named_responses_are_stored_at_once(org):
    wave, people = open_wave_for(org, 2, survey=make_survey(mode=Survey.Mode.NAMED))
    submit_all(wave, people)
    assert not HeldResponse.objects.exists()
    assert set(Response.objects.values_list("profile", "anonymous")) == {(p.pk, False) for p in people}


def test_the_box_is_not_in_the_admin():
    """A held sheet is one sent moments ago: showing it would pair it with whoever just finished."""
    assert HeldResponse not in admin.site._registry


# --- Closing ------------------------------------------------------------------------------------------------------

def test_closing_empties_the_box_before_deciding_the_release(org):
    wave, people = open_wave_for(org, 3)
    submit_all(wave, people)
    assert services.held_responses_move(wave_id=wave.pk) == 0  # three: too few for a batch
    wave = close(wave)
    assert wave.status == Wave.Status.CLOSED
    assert not HeldResponse.objects.exists() and Response.objects.filter(wave=wave).count() == 3
    assert wave.released["figures"]["counts"]["org"] == 3


def test_results_after_close_count_every_response_exactly_once(org):
    wave, people = open_wave_for(org, 16)
    submit_all(wave, people[:7])
    assert services.held_responses_move(wave_id=wave.pk) == 7
    for i, person in enumerate(people[7:], start=7):
        services.response_submit(profile=person, wave=wave, answers=sheet(wave.survey, i))
    assert services.held_responses_move(wave_id=wave.pk) == 9
    services.response_submit(profile=org.staff.profile, wave=wave, answers=sheet(wave.survey, 16))
    services.response_submit(profile=org.frontline.profile, wave=wave, answers=sheet(wave.survey, 17))
    wave = close(wave)
    stored = sorted(who(wave.survey, r) for r in Response.objects.filter(wave=wave).prefetch_related("answers"))
    assert stored == list(range(18))
    assert wave.released["figures"]["counts"]["org"] == 18
    assert Participation.objects.filter(wave=wave, responded=True).count() == 18
    assert not HeldResponse.objects.exists()


def test_a_submit_that_arrives_as_the_wave_closes_is_refused_and_undone(org):
    """The page read the wave while it was open; it closed before the sheet was written. The write checks
    the wave under its lock (the one the close holds), so nothing joins a box that has been emptied."""
    wave, people = open_wave_for(org, 1)
    stale = Wave.objects.get(pk=wave.pk)
    close(wave)
    assert stale.status == Wave.Status.OPEN
    with pytest.raises(services.WaveNotOpen):
        services.response_submit(profile=people[0], wave=stale, answers=sheet(wave.survey, 0))
    assert not HeldResponse.objects.exists() and not Response.objects.exists()
    assert not Participation.objects.get(wave=wave, profile=people[0]).responded


# --- No link, held by the database ------------------------------------------------------------------------------

def _response(wave, **fields) -> Response:
    return Response(wave=wave, department_id=wave.participation.first().department_id, work_pattern="office",
                    contract="full-time", has_work_email=True, **fields)


def test_the_database_refuses_a_person_on_an_anonymous_response(org):
    wave = services.wave_open(wave_id=make_wave(make_survey()).pk)
    with pytest.raises(IntegrityError), transaction.atomic():
        _response(wave, anonymous=True, profile=org.staff.profile).save()
    stored = _response(wave, anonymous=True)
    stored.save()
    with pytest.raises(IntegrityError), transaction.atomic():
        Response.objects.filter(pk=stored.pk).update(profile=org.staff.profile)
    with pytest.raises(IntegrityError), transaction.atomic():
        Response.objects.bulk_create([_response(wave, anonymous=True, profile=org.staff.profile)])
    # A named response carries its person.
    _response(wave, anonymous=False, profile=org.staff.profile).save()
    assert Response.objects.filter(profile=org.staff.profile).count() == 1


# --- The order of writing ---------------------------------------------------------------------------------------

@requires_sqlite
def test_sqlite_rowid_order_of_stored_responses_is_not_submit_order(org):
    wave, people = open_wave_for(org, 20)
    submit_all(wave, people)  # submitter i's sheet is unique, so a stored response says who sent it
    assert services.held_responses_move(wave_id=wave.pk) == 20
    rows = {r.pk: r for r in Response.objects.prefetch_related("answers")}
    with connection.cursor() as cursor:
        cursor.execute("SELECT rowid, id FROM surveys_response ORDER BY rowid")
        order = [who(wave.survey, rows[Response._meta.pk.to_python(pk)]) for _, pk in cursor.fetchall()]
    assert sorted(order) == list(range(20))
    assert order != list(range(20)), "stored in the order they were sent"
    # Answers too: their rowids follow the shuffled responses, not the submits.
    with connection.cursor() as cursor:
        cursor.execute("SELECT response_id FROM surveys_answer ORDER BY rowid")
        answer_order = list(dict.fromkeys(Response._meta.pk.to_python(pk) for (pk,) in cursor.fetchall()))
    assert [who(wave.survey, rows[pk]) for pk in answer_order] == order


@requires_postgres
@pytest.mark.django_db(transaction=True)
def test_postgres_transaction_ids_and_places_of_stored_responses_carry_no_order():
    from tests.factories import build_org

    org = build_org()
    wave, people = open_wave_for(org, 18)
    submit_all(wave, people[:12])  # each submit commits: participation, then the held sheet
    assert services.held_responses_move(wave_id=wave.pk) == 12
    submit_all(wave, people[12:])  # (sheets 0-5 again: `who` is checked on the first batch only)
    assert services.held_responses_move(wave_id=wave.pk) == 6
    with connection.cursor() as cursor:
        cursor.execute("SELECT xmin::text::bigint FROM surveys_participation WHERE wave_id = %s AND responded",
                       [wave.pk])
        participation = sorted(x for (x,) in cursor.fetchall())
        cursor.execute("SELECT xmin::text::bigint, count(*) FROM surveys_response GROUP BY 1 ORDER BY 1")
        batches = cursor.fetchall()
        cursor.execute("SELECT count(DISTINCT xmin::text) FROM surveys_answer")
        answer_xmins = cursor.fetchone()[0]
        cursor.execute("SELECT id FROM surveys_response WHERE xmin::text::bigint = %s ORDER BY ctid", [batches[0][0]])
        first_batch = [pk for (pk,) in cursor.fetchall()]
    assert len(participation) == 18 and len(set(participation)) == 18  # one transaction per submit, as before
    # One transaction id per batch, shared by all its responses and answers, after every submit it holds.
    assert [n for _, n in batches] == [12, 6] and answer_xmins == 2
    assert batches[0][0] > max(participation[:12]) and batches[1][0] > max(participation)
    # Where the rows lie in the table is shuffled too.
    rows = {r.pk: r for r in Response.objects.prefetch_related("answers")}
    order = [who(wave.survey, rows[pk]) for pk in first_batch]
    assert sorted(order) == list(range(12)) and order != list(range(12))


@requires_postgres
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("close_too", [False, True])
def test_postgres_sweeps_and_a_close_at_once_move_each_sheet_once(close_too):
    from tests.factories import build_org

    org = build_org()
    wave, people = open_wave_for(org, 10)
    submit_all(wave, people)
    if close_too:
        Wave.objects.filter(pk=wave.pk).update(closes_at=timezone.now() - timedelta(seconds=1))
    barrier = threading.Barrier(4)
    moved, errors = [], []

    def run(i):
        try:
            barrier.wait()
            if close_too and i == 3:
                services.wave_close(wave_id=wave.pk)
            else:
                moved.append(services.held_responses_move(wave_id=wave.pk))
        except Exception as error:  # noqa: BLE001 - reported below (a deadlock, say)
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    assert Response.objects.filter(wave=wave).count() == 10 and not HeldResponse.objects.exists()
    if close_too:
        wave.refresh_from_db()
        assert wave.status == Wave.Status.CLOSED and wave.released["figures"]["counts"]["org"] == 10
    else:
        assert sorted(moved) == [0, 0, 0, 10]  # one sweep took the whole box; the others found it empty


@pytest.mark.django_db(transaction=True)
def test_the_migration_marks_existing_responses_and_removes_a_person_from_an_anonymous_one():
    from django.db.migrations.executor import MigrationExecutor

    from tests.factories import build_org

    before, after = [("surveys", "0002_release_at_the_level_of_people")], [("surveys", "0003_ballot_box_and_anonymous_responses")]
    executor = MigrationExecutor(connection)
    executor.migrate(before)
    try:
        old = executor.loader.project_state(before).apps
        org = build_org()
        OldSurvey, OldWave, OldResponse = (old.get_model("surveys", m) for m in ("Survey", "Wave", "Response"))
        rows = {}
        for mode in ("anonymous", "named"):
            survey = OldSurvey.objects.create(title=mode, mode=mode)
            now = timezone.now()
            wave = OldWave.objects.create(survey=survey, name="W", opens_at=now, closes_at=now, mode=mode)
            for with_person in (False, True):
                rows[mode, with_person] = OldResponse.objects.create(
                    wave=wave, department_id=org.finance.pk, work_pattern="office", contract="full-time",
                    has_work_email=True, profile_id=org.staff.profile.pk if with_person else None).pk
    finally:
        executor = MigrationExecutor(connection)
        executor.loader.build_graph()
        executor.migrate(after)
    stored = {key: Response.objects.get(pk=pk) for key, pk in rows.items()}
    assert {key: r.anonymous for key, r in stored.items()} == {
        ("anonymous", False): True, ("anonymous", True): True, ("named", False): False, ("named", True): False}
    # The link that should never have been stored is gone; a named response keeps its person.
    assert stored["anonymous", True].profile_id is None
    assert stored["named", True].profile_id == org.staff.profile.pk
