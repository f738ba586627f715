"""The weekly manager digest over the database: who gets one, what it names (and never names), its links,
once a week, its queries, and that it leaves the reminders' weekly cap alone.

Monday 7 December 2026 is a working day (ISO week 2026-W50). The org (tests.factories.build_org):
council > (environment > waste, parks), (resources > finance); Morgan manages environment, Ruth manages
resources. Sam (finance) has an email; Dave (waste, frontline) has none.
"""

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from adoption import nudges
from adoption import services_nudges as services
from adoption.models import NudgeOptOut, NudgeSettings, Outbox
from courses.models import Enrolment, Module
from organisation.models import Department
from tests.factories import make_department, make_staff

MON = date(2026, 12, 7)
BASE = "http://127.0.0.1:8000"
pytestmark = pytest.mark.django_db


@pytest.fixture
def safe(db):
    return Module.objects.create(slug="using-ai-safely", title="Using AI safely at work", summary="s",
                                 confidence_question="q", published=True)


def enrol(profile, module, due, status=Enrolment.Status.NOT_STARTED):
    return Enrolment.objects.create(profile=profile, module=module, due_date=due, status=status)


@pytest.fixture
def team(org, safe):
    enrol(org.staff.profile, safe, date(2026, 11, 20))  # Sam, finance: overdue
    enrol(org.frontline.profile, safe, date(2026, 11, 27))  # Dave, waste, no email: overdue
    pat = make_staff(org.parks, first="Pat", last="Green", with_email=False)  # no email: due soon
    enrol(pat, safe, date(2026, 12, 10))
    kim = make_staff(org.parks, first="Kim", last="Lee")  # has an email and is only due soon: not named
    enrol(kim, safe, date(2026, 12, 10))
    done = make_staff(org.waste, first="Chris", last="Done")
    enrol(done, safe, date(2026, 11, 1), status=Enrolment.Status.COMPLETED)
    return org


def digest_for(user) -> Outbox:
    return Outbox.objects.get(profile=user.profile, rule="digest")


def test_each_manager_gets_one_digest_naming_only_their_own_staff(team):
    org = team
    assert services.digests_plan(today=MON) == 2
    morgan, ruth = digest_for(org.env_manager), digest_for(org.res_manager)
    assert (morgan.subject, morgan.period, morgan.to) == ("week", "2026-W50", org.env_manager.email)
    assert morgan.why == "because you manage Environment: this is your weekly summary"
    assert ruth.why == "because you manage Resources: this is your weekly summary"
    dave = org.frontline.get_full_name()
    sam = org.staff.get_full_name()
    env_url = BASE + reverse("organisation:department", args=[org.environment.pk])
    res_url = BASE + reverse("organisation:department", args=[org.resources.pk])
    for body in (morgan.text, morgan.html):
        assert f"{dave} (Waste Collection): 'Using AI safely at work', due 27 November" in body  # overdue, named
        assert "need a word in person or a printed slip" in body
        assert "Pat Green (Parks): 'Using AI safely at work', due 10 December" in body  # no email, due soon
        assert "Kim Lee" not in body and "Chris Done" not in body
        assert sam not in body  # another manager's staff
        assert env_url in body
        assert "/notifications/unsubscribe/" in body
        assert "this is your weekly summary" in body
    assert "Overdue training (1):" in morgan.text
    team_url = BASE + reverse("courses:team") + f"?department={org.environment.pk}&state=overdue"
    assert f"Remind them or see everyone overdue on team progress: {team_url}" in morgan.text
    assert f'<a href="{team_url.replace("&", "&amp;")}"' in morgan.html
    assert f"Print their slips from the department page: {env_url}" in morgan.text
    assert f'<a href="{env_url}" style="color:#1d70b8;">Print their slips from the Environment page</a>' in morgan.html
    assert "Readiness:" in morgan.text
    for body in (ruth.text, ruth.html):
        assert f"{sam} (Finance): 'Using AI safely at work', due 20 November" in body
        assert dave not in body and "Pat Green" not in body
        assert res_url in body
        assert "need a word in person" not in body  # no one without email in resources
    assert morgan.email_subject.endswith("Your team this week: 1 overdue")


def test_a_second_run_that_week_plans_nothing(team):
    assert services.digests_plan(today=MON) == 2
    assert services.digests_plan(today=MON) == 0
    assert services.digests_plan(today=date(2026, 12, 8)) == 0  # Tuesday: not the day
    assert Outbox.objects.filter(rule="digest").count() == 2


def test_a_missed_digest_day_is_caught_up_later_that_week_and_only_then(team):
    org = team
    assert services.digests_plan(today=date(2026, 12, 8)) == 2  # Monday's run did not queue them: Tuesday does
    assert {r.period for r in Outbox.objects.filter(rule="digest")} == {"2026-W50"}
    other = make_department("NEW", "New team", org.council)
    other.managers.add(make_staff(other, first="Nia").user)
    assert services.digests_plan(today=date(2026, 12, 9)) == 0  # the week's went: nothing is read again
    assert services.digests_plan(today=date(2026, 12, 14)) == 2  # the next Monday: a new week (Nia: nothing to tell)


def test_the_weekday_and_off_switch_come_from_the_settings(team):
    config = NudgeSettings.load()
    config.digest_weekday = 2
    config.save()
    assert services.digests_plan(today=MON) == 0
    assert services.digests_plan(today=date(2026, 12, 9)) == 2
    config.digest = False
    config.save()
    Outbox.objects.all().delete()
    assert services.digests_plan(today=date(2026, 12, 9)) == 0


def test_a_manager_who_turned_it_off_or_has_no_email_gets_none(team):
    org = team
    NudgeOptOut.objects.create(profile=org.env_manager.profile, rule="digest")
    org.res_manager.profile.has_work_email = False
    org.res_manager.profile.save()
    assert services.digests_plan(today=MON) == 0


def test_a_manager_of_a_department_and_one_inside_it_gets_one_section(team):
    org = team
    org.waste.managers.add(org.env_manager)
    services.digests_plan(today=MON)
    row = digest_for(org.env_manager)
    assert row.why == "because you manage Environment: this is your weekly summary"
    assert row.text.count(org.frontline.get_full_name() + " (Waste Collection):") == 2  # overdue, needs a word


def test_the_digest_does_not_use_the_weekly_cap(team):
    org = team
    config = NudgeSettings.load()
    config.weekly_cap = 1
    config.save()
    enrol(org.env_manager.profile, Module.objects.get(), date(2026, 12, 1))  # Morgan's own overdue module
    assert services.digests_plan(today=MON) == 2
    services.nudges_plan(today=MON)
    assert Outbox.objects.filter(profile=org.env_manager.profile, rule="overdue").exists()


def test_the_nudge_run_plans_the_digest_and_the_unsubscribe_link_turns_it_off(team, client):
    org = team
    ids = services.nudges_run(now=datetime(2026, 12, 7, 10, 0, tzinfo=ZoneInfo("Europe/London")))
    assert set(Outbox.objects.filter(rule="digest").values_list("pk", flat=True)) <= set(ids)
    row = digest_for(org.env_manager)
    token = services.unsubscribe_token(row.profile_id, "digest")
    assert services.read_unsubscribe_token(token) == (row.profile_id, "digest")
    page = client.get(reverse("adoption:unsubscribe", args=[token])).content.decode()
    assert "Stop the weekly manager digest" in page
    done = client.post(reverse("adoption:unsubscribe", args=[token])).content.decode()
    assert "You will not get the weekly manager digest any more." in done
    assert NudgeOptOut.objects.filter(profile=org.env_manager.profile, rule="digest").exists()


def test_planning_reads_in_a_fixed_number_of_queries(team, safe):
    def queries(extra):
        Outbox.objects.all().delete()
        for i in range(extra):
            dept = make_department(f"X{Department.objects.count()}-{i}", f"Team {i}", team.council)
            boss = make_staff(dept, first="Boss").user
            dept.managers.add(boss)
            enrol(make_staff(dept, first="Late").user.profile, safe, date(2026, 11, 2))
        with CaptureQueriesContext(connection) as ctx:
            planned = services.digests_plan(today=MON)
        assert planned == Department.objects.filter(managers__isnull=False).distinct().count()
        return len(ctx.captured_queries)

    queries(0)  # the first run makes the settings rows (get_or_create) and fills caches
    assert queries(1) == queries(4)


def test_readiness_is_shown_with_its_change_and_barrier(org):
    section = nudges.DepartmentDigest(
        org.environment.pk, "Environment", score=62.4, barrier="Knowledge",
        change="Up 6 since 1 September 2026 (beyond the noise of ±4; n 120 then, 130 now)")
    digest = nudges.Digest(org.env_manager.profile.pk, "2026-W50", "because you manage Environment: this is "
                           "your weekly summary", (section,))
    out = services.DigestRenderer(council_name="Northshire", today=MON)(digest, "Morgan")
    line = ("Readiness: 62 of 100. Up 6 since 1 September 2026 (beyond the noise of ±4; n 120 then, 130 now). "
            "Barrier point: Knowledge.")
    assert line in out["text"]
    assert "No one is overdue." in out["text"] and "No one is overdue." in out["html"]
    assert "<strong>Readiness:</strong> 62 of 100. Up 6 since 1 September 2026" in out["html"]
    assert "Barrier point: Knowledge." in out["html"]
    assert "need a word" not in out["text"]
    assert out["email_subject"] == "Northshire: Your team this week: 0 overdue"


def test_only_managers_are_offered_the_digest_on_their_preferences_page(org, client):
    client.force_login(org.staff)
    assert "Weekly manager digest" not in client.get(reverse("adoption:notifications")).content.decode()
    client.post(reverse("adoption:notifications"), {"rules_on": ["overdue"]})
    assert not NudgeOptOut.objects.filter(rule="digest").exists()  # not shown: left as it was
    client.force_login(org.env_manager)
    assert "Weekly manager digest" in client.get(reverse("adoption:notifications")).content.decode()
    client.post(reverse("adoption:notifications"), {"rules_on": ["overdue"]})
    assert NudgeOptOut.objects.filter(profile=org.env_manager.profile, rule="digest").exists()
    client.post(reverse("adoption:notifications"), {"rules_on": ["overdue", "digest"]})
    assert not NudgeOptOut.objects.filter(profile=org.env_manager.profile, rule="digest").exists()


def test_long_lists_are_cut_short_with_a_count_and_the_page(org, monkeypatch):
    monkeypatch.setattr(services, "DIGEST_LIST_LIMIT", 2)
    late = [nudges.Overdue(f"Person {i}", "M", date(2026, 11, 1)) for i in range(5)]
    section = nudges.DepartmentDigest(org.environment.pk, "Environment", overdue=late)
    digest = nudges.Digest(1, "2026-W50", "because you manage Environment: this is your weekly summary", (section,))
    out = services.DigestRenderer(council_name="Northshire", today=MON)(digest, "Morgan")
    assert "Overdue training (5):" in out["text"] and "Overdue training (5)" in out["html"]
    assert "Person 1:" in out["text"] and "Person 2:" not in out["text"]
    assert "And 3 more." in out["text"] and "<li>And 3 more.</li>" in out["html"]


def test_readiness_comes_from_the_runs_table_for_each_managed_department(team):
    from types import SimpleNamespace

    from adoption.readiness import Barrier, Change

    org = team
    change = Change(6.0, 4.0, date(2026, 9, 1), 120, 130)
    rows = [SimpleNamespace(pk=org.environment.pk, score=62.4, change=change,
                            result=SimpleNamespace(barrier=Barrier("knowledge", 2.8, 40))),
            SimpleNamespace(pk=org.waste.pk, score=10.0, change=None, result=SimpleNamespace(barrier=None))]
    services.digests_plan(today=MON, table=SimpleNamespace(rows=rows))
    text = digest_for(org.env_manager).text
    assert f"Readiness: 62 of 100. {change}. Barrier point: {Barrier('knowledge', 2.8, 40).label}." in text
    assert "10 of 100" not in text  # waste is inside environment: no section of its own
    assert "Readiness: not enough data yet." in digest_for(org.res_manager).text
