"""The team progress page and its CSV export: who sees which department, per-person status, the overdue
list, completion per team and per module (overdue a state of its own: the states add up to the number
assigned), the status filter, pagination, a query count that does not grow with the team or the number
of teams, and an export that is audited and safe to open in a spreadsheet."""

import csv
import io
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from courses.models import Enrolment, Module
from courses.selectors.progress import Breakdown, TeamRow
from organisation.models import AuditEvent
from tests.factories import make_department, make_staff


@pytest.fixture
def modules(db):
    return [Module.objects.create(slug=f"m{i}", title=f"Module {i}", summary="s", confidence_question="q",
                                  published=True, order=i) for i in (1, 2)]


def enrol(profile, module, *, due=None, status="not-started", score=None):
    return Enrolment.objects.create(profile=profile, module=module, due_date=due, status=status, best_score=score)


@pytest.fixture
def team(org, modules):
    """Waste: Dave overdue with module 1, completed module 2. Environment: Morgan in progress with module 1.
    Finance (outside the environment manager's scope): Sam not started."""
    today = timezone.localdate()
    m1, m2 = modules
    enrol(org.frontline.profile, m1, due=today - timedelta(days=3))
    enrol(org.frontline.profile, m2, due=today + timedelta(days=30), status="completed", score=90)
    enrol(org.env_manager.profile, m1, due=today + timedelta(days=10), status="in-progress")
    enrol(org.staff.profile, m1, due=today + timedelta(days=10))
    return today


def rows(response, name):
    return [(p.full_name, p.state, p.completed, p.assigned) for p in response.context[name]]


def test_a_manager_sees_their_departments(client, org, team):
    client.force_login(org.env_manager)
    response = client.get(reverse("courses:team"))
    assert response.status_code == 200
    people = {name.split()[0]: (state, done, of) for name, state, done, of in rows(response, "people")}
    assert people == {"Dave": ("overdue", 1, 2), "Morgan": ("in-progress", 0, 1)}
    assert [(e.profile.user.first_name, e.module.title) for e in response.context["overdue"]] == [("Dave", "Module 1")]
    assert response.context["overdue_count"] == 1
    assert response.context["modules"] == [
        {"pk": Module.objects.get(slug="m1").pk, "title": "Module 1", "assigned": 2, "completed": 0,
         "in_progress": 1, "not_started": 0, "overdue": 1, "rate": 0},
        {"pk": Module.objects.get(slug="m2").pk, "title": "Module 2", "assigned": 1, "completed": 1,
         "in_progress": 0, "not_started": 0, "overdue": 0, "rate": 100},
    ]
    page = response.content.decode()
    assert "All your departments" in page and "Sam" not in page


def test_completion_by_team_splits_the_managers_department(client, org, team):
    """The manager's one department is split into its teams, plus the staff directly in it; overdue is
    its own state, so each row's states add up to what is assigned."""
    client.force_login(org.env_manager)
    response = client.get(reverse("courses:team"))
    assert response.context["split"] == org.environment
    assert response.context["teams"] == [
        TeamRow("Parks", org.parks.pk, Breakdown()),
        TeamRow("Waste Collection", org.waste.pk, Breakdown(assigned=2, completed=1, overdue=1)),
        TeamRow("Environment", None, Breakdown(assigned=1, in_progress=1), direct=True),
    ]
    total = response.context["teams_total"]
    assert total == Breakdown(assigned=3, completed=1, in_progress=1, overdue=1)
    assert total.rate == 33
    for row in response.context["teams"]:
        f = row.figures
        assert f.completed + f.in_progress + f.not_started + f.overdue == f.assigned
    page = response.content.decode()
    assert "Staff directly in Environment" in page
    assert f'href="?department={org.waste.pk}"' in page
    assert "a due date has passed and the module is not completed" in page


def test_completion_by_team_for_hr_and_for_one_team(client, org, team, modules):
    client.force_login(org.hr)
    response = client.get(reverse("courses:team"))
    assert response.context["split"] == org.council
    assert [(r.name, r.figures.assigned, r.figures.not_started) for r in response.context["teams"]] == [
        ("Environment", 3, 0), ("Resources", 1, 1)]  # nothing assigned directly in the council: no row
    # A team without teams beneath it has one row, its own staff; a module filter narrows every row.
    response = client.get(reverse("courses:team"), {"department": org.waste.pk, "module": modules[0].pk})
    assert response.context["teams"] == [TeamRow("Waste Collection", None, Breakdown(assigned=1, overdue=1), direct=True)]


def test_a_manager_of_two_departments_sees_a_row_for_each(client, org, team):
    org.resources.managers.add(org.env_manager)
    client.force_login(org.env_manager)
    response = client.get(reverse("courses:team"))
    assert response.context["split"] is None
    assert [(r.name, r.figures.assigned) for r in response.context["teams"]] == [("Environment", 3), ("Resources", 1)]
    assert response.context["teams_total"].assigned == 4


def test_the_status_filter_chooses_people_and_export_rows(client, org, team, modules):
    client.force_login(org.hr)
    response = client.get(reverse("courses:team"), {"state": "overdue"})
    assert [r[:2] for r in rows(response, "people")] == [(org.frontline.profile.full_name, "overdue")]
    assert "People: overdue" in response.content.decode()
    response = client.get(reverse("courses:team"), {"state": "not-started"})
    assert [r[:2] for r in rows(response, "people")] == [(org.staff.profile.full_name, "not-started")]
    assert 'value="not-started" selected' in response.content.decode()
    table = export(client, state="overdue")
    assert [(r[1], r[5], r[6]) for r in table[1:]] == [("Dave", "Module 1", "Overdue")]
    assert AuditEvent.objects.filter(action="course progress exported").first().detail["status"] == "overdue"
    # An unknown status is ignored, and the other filters still apply.
    response = client.get(reverse("courses:team"), {"state": "late", "module": modules[1].pk})
    assert response.status_code == 200 and response.context["module"] == modules[1]
    assert response.context["state"] is None


def test_one_department_and_one_module(client, org, team, modules):
    client.force_login(org.env_manager)
    response = client.get(reverse("courses:team"), {"department": org.waste.pk, "module": modules[1].pk})
    assert [r[:2] for r in rows(response, "people")] == [(org.frontline.profile.full_name, "completed")]
    assert response.context["overdue_count"] == 0
    assert "Waste Collection and the teams beneath it" in response.content.decode()


def test_a_department_outside_the_managers_scope_is_404(client, org, team):
    client.force_login(org.env_manager)
    for department in (org.finance.pk, 999999, "x"):
        assert client.get(reverse("courses:team"), {"department": department}).status_code == 404
        assert client.get(reverse("courses:team_export"), {"department": department}).status_code == 404
    assert not AuditEvent.objects.filter(action="course progress exported").exists()


def test_hr_sees_every_department(client, org, team):
    client.force_login(org.hr)
    response = client.get(reverse("courses:team"))
    states = {name.split()[0]: state for name, state, *_ in rows(response, "people")}
    assert states["Sam"] == "not-started" and states["Dave"] == "overdue"
    assert states["Helen"] == "none"  # nothing assigned
    assert "The whole organisation" in response.content.decode()
    assert client.get(reverse("courses:team"), {"department": org.finance.pk}).status_code == 200


def test_the_people_table_is_paginated_and_keeps_the_filters(client, org, team, modules):
    for i in range(55):
        make_staff(org.waste, first="Extra", last=f"Z{i:02d}")
    client.force_login(org.env_manager)
    response = client.get(reverse("courses:team"), {"department": org.waste.pk, "module": modules[0].pk})
    people = response.context["people"]
    assert (len(people.object_list), people.paginator.count, people.paginator.num_pages) == (50, 56, 2)
    assert f'href="?department={org.waste.pk}&amp;module={modules[0].pk}&amp;page=2"' in response.content.decode()
    second = client.get(reverse("courses:team"), {"department": org.waste.pk, "module": modules[0].pk, "page": 2})
    assert len(second.context["people"].object_list) == 6


def _grow_team(org, modules, size):
    today = timezone.localdate()
    for i in range(size):
        p = make_staff(org.waste if i % 2 else org.parks, first=f"Grow{i}")
        enrol(p, modules[0], due=today - timedelta(days=1 + i % 3), status=["not-started", "in-progress"][i % 2])
        enrol(p, modules[1], due=today + timedelta(days=5), status="completed" if i % 3 else "in-progress", score=80)


def test_the_query_count_does_not_grow_with_the_team(client, org, modules, django_assert_max_num_queries):
    """22 queries at any size: session, user, groups, is-manager, managed departments and their subtree (the
    manager's scope, once per request), department rows for the filter (visible ids, tree), the page's
    department ids, the teams' tree and their figures (one GROUP BY for every team), completion per
    module, overdue count, people count, the page's people ids, their figures, council settings, modules
    for the filter, overdue rows, the session's idle-timeout write."""
    client.force_login(org.env_manager)
    _grow_team(org, modules, 5)
    client.get(reverse("courses:team"))  # the first page view creates the council settings row
    with django_assert_max_num_queries(22) as small:
        assert client.get(reverse("courses:team")).status_code == 200
    _grow_team(org, modules, 120)
    with django_assert_max_num_queries(22) as large:
        assert client.get(reverse("courses:team")).status_code == 200
    assert len(large.captured_queries) == len(small.captured_queries)


@pytest.mark.parametrize("state", ["", "overdue"])
def test_the_query_count_does_not_grow_with_staff_or_teams(client, org, modules, state, django_assert_num_queries,
                                                           django_assert_max_num_queries):
    """20 staff in 2 teams and 200 staff in 8 teams: the same queries (with or without a status filter)."""
    client.force_login(org.env_manager)
    today = timezone.localdate()

    def grow(teams, staff):
        first = org.environment.children.count()
        new = [make_department(f"ENV-T{first + i}", f"Team {first + i}", org.environment) for i in range(teams)]
        for i in range(staff):
            p = make_staff(new[i % teams], first=f"Many{i}")
            enrol(p, modules[0], due=today - timedelta(days=1 + i % 3), status=["not-started", "in-progress"][i % 2])
            enrol(p, modules[1], due=today + timedelta(days=5), status="completed" if i % 3 else "in-progress")

    grow(2, 20)
    client.get(reverse("courses:team"))
    with django_assert_max_num_queries(22) as small:
        response = client.get(reverse("courses:team"), {"state": state} if state else {})
    assert len(response.context["teams"]) == 4  # waste, parks and the two new teams
    grow(6, 180)
    with django_assert_num_queries(len(small.captured_queries)):
        response = client.get(reverse("courses:team"), {"state": state} if state else {})
    assert len(response.context["teams"]) == 10
    assert response.context["teams_total"].assigned == 400


# --- The CSV export ----------------------------------------------------------------------------------------

def export(client, **params):
    response = client.get(reverse("courses:team_export"), params)
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"].startswith('attachment; filename="team-progress-')
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    return list(csv.reader(io.StringIO(text)))


def test_the_export_lists_every_enrolment_in_scope_and_is_audited(client, org, team, modules):
    client.force_login(org.env_manager)
    table = export(client)
    assert table[0] == ["Staff number", "First name", "Last name", "Department", "Work pattern", "Module", "Status",
                        "Due date", "Started", "Completed", "Best score (%)"]
    body = sorted((r[1], r[3], r[5], r[6], r[7], r[10]) for r in table[1:])
    today = team
    assert body == [
        ("Dave", "Waste Collection", "Module 1", "Overdue", (today - timedelta(days=3)).isoformat(), ""),
        ("Dave", "Waste Collection", "Module 2", "Completed", (today + timedelta(days=30)).isoformat(), "90"),
        ("Morgan", "Environment", "Module 1", "In progress", (today + timedelta(days=10)).isoformat(), ""),
    ]
    event = AuditEvent.objects.get(action="course progress exported")
    assert (event.actor, event.target, event.detail) == (org.env_manager, "All departments",
                                                         {"department": None, "module": None})
    export(client, department=org.waste.pk, module=modules[0].pk)
    event = AuditEvent.objects.filter(action="course progress exported").first()
    assert (event.target, event.detail) == ("Waste Collection", {"department": org.waste.pk, "module": modules[0].pk})


@pytest.mark.parametrize("dangerous", ["=HYPERLINK(\"http://evil\")", "+1+1", "-2+3", "@SUM(A1)", "\tcmd", "\rcmd"])
def test_the_export_is_safe_against_formula_injection(client, org, modules, dangerous):
    sly = make_staff(org.waste, first=dangerous, last="Plain")
    enrol(sly, modules[0], due=timezone.localdate())
    client.force_login(org.hr)
    table = export(client)
    row = next(r for r in table if r[2] == "Plain")
    assert row[1] == "'" + dangerous
    assert row[2] == "Plain"


def test_the_export_is_for_managers_and_hr_only(client, org, team):
    client.force_login(org.staff)
    assert client.get(reverse("courses:team_export")).status_code == 403
    assert not AuditEvent.objects.filter(action="course progress exported").exists()
