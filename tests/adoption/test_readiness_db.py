"""Readiness over the database: survey figures through the release (and no more), snapshots, the weights
form, scoping on the pages, and query counts that do not grow with staff or departments."""

import random
from datetime import timedelta

import pytest
from django.db import IntegrityError, connection, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from adoption import selectors, services, tasks
from adoption.models import ReadinessSnapshot, ReadinessWeights
from organisation.models import AuditEvent, CouncilSettings
from surveys import selectors as survey_selectors
from surveys.models import Response
from tests.adoption import builders
from tests.surveys.people_auditor import small_sets

pytestmark = pytest.mark.django_db


# --- Survey figures obey the wave's release ---------------------------------------------------------------

@pytest.mark.parametrize("seed", [1, 2, 3])
def test_survey_figures_come_only_from_released_cells(seed):
    """Random trees: a department's ADKAR part is there exactly when its results page shows its figures,
    with the same means; participation exactly when at least N were invited. The cells readiness reads,
    audited at the level of people with the tests' own auditor, isolate nobody."""
    rng = random.Random(seed)
    depts = builders.tree(14, rng)
    # Some departments with very few people, so that the release hides something.
    few = rng.sample(depts[1:], 4)
    profiles = builders.staff([d for d in depts if d not in few], 140, rng)
    profiles += builders.staff(few, 8, rng, prefix="F")
    builders.learning(profiles, rng)
    wave = builders.survey_wave(profiles, rng)
    release = survey_selectors.figures_release(wave)
    n = wave.min_group_size
    table = selectors.readiness_table()
    hidden = 0
    used = {"org"} if table.organisation.inputs.adkar else set()
    for row in table.rows:
        key = f"d{row.pk}"
        shown = survey_selectors.adkar_means(wave, row.department)
        if release.is_released(key):
            assert row.inputs.adkar is not None
            mine, theirs = row.inputs.adkar["means"], shown["means"]
            assert mine.keys() == theirs.keys()
            for element, (mean, responses) in theirs.items():
                assert mine[element][0] == pytest.approx(mean) and mine[element][1] == responses
            assert row.result.component("adkar").present
            used.add(key)
        else:
            hidden += 1
            assert isinstance(shown, survey_selectors.Suppressed)
            assert row.inputs.adkar is None and not row.result.component("adkar").present
            assert "hidden" in row.result.component("adkar").missing
        rate = survey_selectors.participation_rates(wave, [row.department])[0]
        if isinstance(rate["invited"], survey_selectors.Suppressed):
            assert not row.result.component("participation").present
        else:
            assert rate["invited"] >= n
            assert row.inputs.invited == rate["invited"] and row.inputs.responded == rate["responded"]
    assert hidden > 0, "the test needs a hidden department to mean anything"
    assert used <= release.released
    parent = {d.pk: d.parent_id for d in depts}
    rows = [{"department": r.department_id, "work_pattern": r.work_pattern, "contract": r.contract,
             "has_work_email": r.has_work_email, "grade_band": r.grade_band}
            for r in Response.objects.filter(wave=wave)]
    assert small_sets(rows, used, parent, n) == []


def test_a_department_made_after_the_wave_closed_gets_no_survey_figure_and_says_why():
    depts, profiles, wave = builders.organisation(3, 60, seed=5)
    small = builders.tree(1, random.Random(1), prefix="X")[0]
    small.parent = depts[0]
    small.save()
    table = selectors.readiness_table()
    row = table.row(small.pk)
    assert row.inputs.adkar is None
    assert row.result.component("adkar").missing.startswith("not part of")


# --- Snapshots -------------------------------------------------------------------------------------------

def test_snapshots_twice_in_a_day_change_nothing():
    depts, _, _ = builders.organisation(5, 60, seed=2, with_wave=False)
    assert services.snapshots_take() == len(depts) + 1  # each department and the organisation
    first = list(ReadinessSnapshot.objects.order_by("pk").values("department", "date", "score"))
    assert services.snapshots_take() == 0
    assert list(ReadinessSnapshot.objects.order_by("pk").values("department", "date", "score")) == first
    with pytest.raises(IntegrityError), transaction.atomic():
        ReadinessSnapshot.objects.create(department=None, date=timezone.localdate())


def test_the_task_is_idempotent_too():
    builders.organisation(4, 40, seed=3, with_wave=False)
    assert tasks.readiness_snapshots.apply().get() == 5
    assert tasks.readiness_snapshots.apply().get() == 0
    assert ReadinessSnapshot.objects.count() == 5


def test_backfill_fills_only_missing_days_from_that_days_records():
    builders.organisation(4, 80, seed=4, with_wave=False)
    today = timezone.localdate()
    services.snapshots_take(day=today - timedelta(days=3))
    written = services.snapshots_backfill(days=5)
    assert written == 4 * 5  # five days asked, one already there; 4 departments + organisation each
    assert ReadinessSnapshot.objects.filter(department=None).count() == 5
    assert services.snapshots_backfill(days=5) == 0
    org = {s.date: s for s in ReadinessSnapshot.objects.filter(department=None)}
    assert org[today - timedelta(days=5)].backfilled and not org[today - timedelta(days=3)].backfilled
    # Completion as the records show it that day: modules completed later do not count.
    table_then = selectors.readiness_table(as_of=today - timedelta(days=30))
    table_now = selectors.readiness_table()
    assert table_then.organisation.inputs.completed < table_now.organisation.inputs.completed


def test_the_trend_calls_a_change_only_beyond_the_noise():
    depts, _, _ = builders.organisation(3, 200, seed=6, with_wave=False)
    now = selectors.readiness_table().organisation
    then = timezone.localdate() - timedelta(days=30)
    ReadinessSnapshot.objects.create(department=None, date=then, score=now.score - 2, headcount=now.headcount)
    table = selectors.readiness_table()
    selectors.add_changes(table)
    assert table.organisation.change is not None and not table.organisation.change.clear
    ReadinessSnapshot.objects.filter(department=None, date=then).update(score=now.score - 25)
    table = selectors.readiness_table()
    selectors.add_changes(table)
    assert table.organisation.change.direction == "up"
    assert str(table.organisation.change).startswith("Up 25 since")


# --- Pages and scoping -----------------------------------------------------------------------------------

def test_a_manager_sees_only_their_departments_and_named_overdue_staff(client, org):
    from tests.factories import make_staff

    builders.learning([make_staff(org.waste, last=f"Waste{i}") for i in range(6)]
                      + [make_staff(org.finance, last=f"Finance{i}") for i in range(6)], random.Random(2))
    client.force_login(org.env_manager)
    page = client.get(reverse("adoption:readiness")).content.decode()
    assert "Waste Collection" in page and "Parks" in page
    assert reverse("adoption:readiness_department", args=[org.finance.pk]) not in page
    assert client.get(reverse("adoption:readiness_department", args=[org.finance.pk])).status_code == 404
    waste = client.get(reverse("adoption:readiness_department", args=[org.waste.pk])).content.decode()
    overdue_names = [f"Waste{i}" for i in range(6)]
    assert any(name in waste for name in overdue_names)
    assert not any(f"Finance{i}" in waste for i in range(6))


def test_bad_filter_values_are_field_errors_not_failures(client, org):
    client.force_login(org.hr)
    response = client.get(reverse("adoption:readiness"), {"sort": "salary", "directorate": "x"})
    assert response.status_code == 200
    assert "Select a valid choice" in response.content.decode()


def test_hr_filters_by_directorate(client, org):
    client.force_login(org.hr)
    page = client.get(reverse("adoption:readiness"), {"directorate": org.resources.pk}).content.decode()
    assert reverse("adoption:readiness_department", args=[org.finance.pk]) in page
    assert reverse("adoption:readiness_department", args=[org.waste.pk]) not in page


def test_weights_must_add_up_to_100_and_changes_are_audited(client, org):
    client.force_login(org.admin)
    url = reverse("adoption:weights")
    bad = {"learning": 50, "knowledge": 20, "adkar": 25, "participation": 15, "confidence": 10}
    response = client.post(url, bad)
    assert response.status_code == 200
    assert "The weights must add up to 100; these add up to 120." in response.content.decode()
    assert ReadinessWeights.load().learning == 30
    good = {**bad, "learning": 30, "knowledge": 40, "adkar": 5}
    assert client.post(url, good).status_code == 302
    assert ReadinessWeights.load().as_dict() == good
    assert AuditEvent.objects.filter(action="readiness weights changed", actor=org.admin).exists()
    client.force_login(org.hr)
    page = client.get(reverse("adoption:readiness")).content.decode()
    assert "knowledge checks 40" in page and "readiness for change (ADKAR) 5" in page


def test_home_pages_show_the_headline(client, org):
    builders.learning([org.staff.profile, org.frontline.profile], random.Random(1))
    client.force_login(org.hr)
    page = client.get("/").content.decode()
    assert "Across the organisation" in page and "Organisation readiness" in page
    client.force_login(org.env_manager)
    page = client.get("/").content.decode()
    assert "Readiness of your departments" in page and "Environment" in page


# --- Queries do not grow with staff or departments ----------------------------------------------------------

def _page_queries(client, org_depts, hr, manager) -> dict[str, int]:
    counts = {}
    pages = {
        "hr readiness": (hr, reverse("adoption:readiness")),
        "hr department": (hr, reverse("adoption:readiness_department", args=[org_depts[1].pk])),
        "hr home": (hr, "/"),
        "manager readiness": (manager, reverse("adoption:readiness")),
        "manager home": (manager, "/"),
    }
    for name, (user, url) in pages.items():
        client.force_login(user)
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(url).status_code == 200
        counts[name] = len(ctx.captured_queries)
    return counts


def _measure(client, departments, people, seed) -> dict[str, int]:
    from django.contrib.auth.models import Group

    from tests.factories import give_totp, make_staff

    with transaction.atomic():
        depts, _, _ = builders.organisation(departments, people, seed=seed, prefix=f"Q{departments}x{people}")
        hr = make_staff(depts[1], first="Hr").user
        hr.groups.add(Group.objects.get_or_create(name="HR")[0])
        give_totp(hr)
        manager = make_staff(depts[1], first="Manager").user
        manager.managed_departments.add(depts[1])
        services.snapshots_take(day=timezone.localdate() - timedelta(days=10))
        counts = _page_queries(client, depts, hr, manager)
        transaction.set_rollback(True)
    return counts


def test_pages_issue_the_same_queries_for_300_and_3000_staff_and_30_and_300_departments(client, settings):
    CouncilSettings.load()
    small = _measure(client, 30, 300, seed=1)
    more_staff = _measure(client, 30, 3000, seed=2)
    more_departments = _measure(client, 300, 3000, seed=3)
    assert small == more_staff == more_departments, (small, more_staff, more_departments)


def test_the_transparency_page_is_written_from_the_live_weights(client, org):
    ReadinessWeights.objects.update_or_create(pk=1, defaults={"learning": 45, "knowledge": 5})
    page = client.get(reverse("transparency")).content.decode()
    assert "<strong>Learning completed</strong> (weight 45)" in page
    assert "<strong>Knowledge checks</strong> (weight 5)" in page


def test_a_parent_weighs_its_teams_by_headcount(org):
    """Environment has Waste (10 people, every module done) and Parks (30 people, none done): its learning
    part is 10 of 40 = 25, the headcount-weighted mean of 100 and 0, not their plain mean of 50."""
    from courses.models import Enrolment, Module
    from tests.factories import make_staff

    module = Module.objects.create(slug="roll-up", title="Roll-up", summary="s", published=True)
    due = timezone.localdate() + timedelta(days=5)
    for department, people, done in ((org.waste, 10, True), (org.parks, 30, False)):
        for i in range(people):
            profile = make_staff(department, last=f"{department.code}{i}")
            Enrolment.objects.create(profile=profile, module=module, due_date=due,
                                     status=Enrolment.Status.COMPLETED if done else Enrolment.Status.NOT_STARTED,
                                     completed_at=timezone.now() if done else None)
    table = selectors.readiness_table()
    waste, parks, environment = (table.row(d.pk) for d in (org.waste, org.parks, org.environment))
    assert waste.result.component("learning").value == 100
    assert parks.result.component("learning").value == 0
    assert environment.result.component("learning").value == pytest.approx(100 * 10 / 40)
    assert environment.headcount == waste.headcount + parks.headcount + 1  # the manager's own record
