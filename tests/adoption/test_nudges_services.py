"""Nudges over the database (any database; the real-worker tests are in test_nudges_exactly_once.py):
planning into the outbox, sending through Django's email backend, failures, unsubscribing, the pages."""

import smtplib
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from adoption import services_nudges as services
from adoption.models import NudgeOptOut, NudgeSettings, Outbox
from courses.models import Enrolment, Module
from organisation.models import AuditEvent
from surveys.models import Participation, Survey, Wave
from tests.factories import make_staff

THU = date(2026, 12, 3)
LONDON = ZoneInfo("Europe/London")
pytestmark = pytest.mark.django_db


@pytest.fixture
def safe(db):
    return Module.objects.create(slug="using-ai-safely", title="Using AI safely at work", summary="s",
                                 confidence_question="q", published=True)


def enrol(profile, module, due, status=Enrolment.Status.NOT_STARTED):
    return Enrolment.objects.create(profile=profile, module=module, due_date=due, status=status)


def wave_for(profiles, *, closes=datetime(2026, 12, 11, 17, 0, tzinfo=LONDON), responded=()):
    survey = Survey.objects.create(title="Staff pulse")
    wave = Wave.objects.create(survey=survey, name="December", opens_at=closes - timedelta(days=10), closes_at=closes,
                               status=Wave.Status.OPEN)
    Participation.objects.bulk_create([
        Participation(wave=wave, profile=p, responded=p in responded, department=p.department,
                      work_pattern=p.work_pattern, contract=p.contract, has_work_email=p.has_work_email)
        for p in profiles])
    return wave


def test_planning_queues_each_message_once_with_its_why(org, safe):
    enrol(org.staff.profile, safe, date(2026, 12, 7))
    enrol(org.frontline.profile, safe, date(2026, 12, 7))  # no email: reached through the manager's digest
    assert services.nudges_plan(today=THU) == 1
    row = Outbox.objects.get()
    assert (row.profile, row.rule, row.subject, row.period, row.status) == (
        org.staff.profile, "due-soon", "module:using-ai-safely", "due-2026-12-07", "queued")
    assert row.why == "because 'Using AI safely at work' is due on 7 December"
    assert row.to == org.staff.email
    assert "Why you got this: because 'Using AI safely at work' is due on 7 December." in row.text
    assert "http://127.0.0.1:8000/learning/using-ai-safely/" in row.text
    assert "/notifications/unsubscribe/" in row.text and "/notifications/unsubscribe/" in row.html
    # Planning again, the same day or the next, adds nothing: the key is the same.
    assert services.nudges_plan(today=THU) == 0
    assert services.nudges_plan(today=date(2026, 12, 4)) == 0
    assert Outbox.objects.count() == 1


def test_nothing_planned_at_weekends_and_completed_or_answered_things_are_left_alone(org, safe):
    enrol(org.staff.profile, safe, date(2026, 12, 7))
    assert services.nudges_plan(today=date(2026, 12, 5)) == 0  # Saturday
    Enrolment.objects.update(status=Enrolment.Status.COMPLETED)
    assert services.nudges_plan(today=THU) == 0
    wave_for([org.staff.profile], responded=[org.staff.profile])
    assert services.nudges_plan(today=THU) == 0


def test_survey_reminders_go_only_to_those_who_have_not_answered(org):
    answered = make_staff(org.finance, first="Ann").user
    wave = wave_for([org.staff.profile, answered.profile], responded=[answered.profile])
    services.nudges_plan(today=THU)
    assert list(Outbox.objects.values_list("profile", "rule", "subject")) == [
        (org.staff.profile.pk, "survey-open", f"wave:{wave.pk}")]


def test_planning_reads_in_a_fixed_number_of_queries(org, safe):
    def plan_queries(n):
        Outbox.objects.all().delete()
        for _ in range(n):
            enrol(make_staff(org.finance).user.profile, safe, date(2026, 12, 7))
        with CaptureQueriesContext(connection) as ctx:
            services.nudges_plan(today=THU)
        assert Outbox.objects.count() == Enrolment.objects.count()
        return len(ctx.captured_queries)

    plan_queries(1)  # creates the settings rows
    assert plan_queries(3) == plan_queries(40)


def test_the_weekly_cap_counts_what_was_planned_earlier_in_the_week(org, safe):
    NudgeSettings.objects.create(pk=1, weekly_cap=1)
    other = Module.objects.create(slug="prompting", title="Prompting", summary="s", confidence_question="q")
    enrol(org.staff.profile, safe, date(2026, 12, 2))  # overdue on Thursday
    assert services.nudges_plan(today=date(2026, 12, 1)) == 1  # Tuesday: due soon
    enrol(org.staff.profile, other, date(2026, 12, 9))
    assert services.nudges_plan(today=THU) == 0  # one already this week
    assert services.nudges_plan(today=date(2026, 12, 7)) == 1  # Monday: a new week, the overdue one first
    assert Outbox.objects.order_by("id").last().rule == "overdue"


def test_opt_outs_and_mandatory_modules(org, safe):
    NudgeSettings.objects.create(pk=1, mandatory_modules=["using-ai-safely"])
    other = Module.objects.create(slug="prompting", title="Prompting", summary="s", confidence_question="q")
    NudgeOptOut.objects.create(profile=org.staff.profile, rule="due-soon")
    enrol(org.staff.profile, safe, date(2026, 12, 7))
    enrol(org.staff.profile, other, date(2026, 12, 7))
    services.nudges_plan(today=THU)
    row = Outbox.objects.get()
    assert (row.subject, row.mandatory) == ("module:using-ai-safely", True)
    assert "mandatory training, so its reminders cannot be turned off" in row.text
    assert "/notifications/unsubscribe/" not in row.text


def sent_rows(org, safe):
    enrol(org.staff.profile, safe, date(2026, 12, 7))
    services.nudges_plan(today=THU)
    return list(Outbox.objects.values_list("id", flat=True))


def test_sending_uses_the_email_backend_with_text_html_and_one_click_unsubscribe(org, safe):
    ids = sent_rows(org, safe)
    result = services.outbox_send(ids=ids)
    assert result.sent == ids and result.retry == result.failed == []
    [message] = mail.outbox
    assert message.to == [org.staff.email]
    assert message.subject == "Your Council: 'Using AI safely at work' is due on 7 December"
    assert message.alternatives[0][1] == "text/html"
    assert message.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    link = message.extra_headers["List-Unsubscribe"].strip("<>")
    assert link.startswith("http://127.0.0.1:8000/notifications/unsubscribe/")
    row = Outbox.objects.get()
    assert (row.status, row.attempts, row.sent_at is not None) == ("sent", 1, True)
    # A duplicated task sends nothing.
    assert services.outbox_send(ids=ids).sent == []
    assert len(mail.outbox) == 1


def test_a_claimed_row_is_not_sent_by_another_sender(org, safe):
    ids = sent_rows(org, safe)
    Outbox.objects.update(status="sending")
    assert services.outbox_send(ids=ids).sent == []
    assert mail.outbox == []


def test_failures_retry_with_backoff_then_fail_with_the_reason(org, safe, monkeypatch, settings):
    settings.NUDGE_SEND_MAX_ATTEMPTS = 3
    ids = sent_rows(org, safe)

    def refuse(self, messages):
        raise smtplib.SMTPRecipientsRefused({org.staff.email: (550, b"no such mailbox")})

    monkeypatch.setattr("django.core.mail.backends.locmem.EmailBackend.send_messages", refuse)
    result = services.outbox_send(ids=ids)
    assert result.retry == ids
    row = Outbox.objects.get()
    assert (row.status, row.attempts) == ("queued", 1)
    assert "no such mailbox" in row.last_error
    assert row.next_attempt_at is not None
    assert services.outbox_send(ids=ids).retry == ids  # not due again yet: skipped, and to be tried later
    assert Outbox.objects.get().attempts == 1
    for _ in range(2):
        Outbox.objects.update(next_attempt_at=None)
        result = services.outbox_send(ids=ids)
    assert result.failed == ids
    row.refresh_from_db()
    assert (row.status, row.attempts) == ("failed", 3)


def test_a_mail_server_that_is_down_stops_the_batch(org, safe, monkeypatch):
    enrol(make_staff(org.finance).user.profile, safe, date(2026, 12, 7))
    ids = sent_rows(org, safe)
    assert len(ids) == 2

    def down(self, messages):
        raise ConnectionRefusedError(111, "Connection refused")

    monkeypatch.setattr("django.core.mail.backends.locmem.EmailBackend.send_messages", down)
    result = services.outbox_send(ids=ids)
    assert sorted(result.retry) == sorted(ids)
    assert sorted(Outbox.objects.values_list("attempts", flat=True)) == [0, 1]  # the second was not tried


def test_stale_sqlite_claims_are_failed_not_resent(org, safe):
    sent_rows(org, safe)
    Outbox.objects.update(status="sending", claimed_at=datetime(2026, 12, 3, 9, 0, tzinfo=LONDON))
    assert services.outbox_release_stale(now=datetime(2026, 12, 3, 9, 30, tzinfo=LONDON)) == 1
    row = Outbox.objects.get()
    assert row.status == "failed" and "may or may not have been delivered" in row.last_error


def test_hr_resends_a_failed_message(client, org, safe, django_capture_on_commit_callbacks, monkeypatch):
    sent_rows(org, safe)
    row = Outbox.objects.get()
    Outbox.objects.update(status="failed", attempts=5, last_error="refused")
    queued = []
    monkeypatch.setattr("adoption.tasks.outbox_send.delay", lambda ids: queued.append(ids))
    client.force_login(org.hr)
    page = client.get(reverse("adoption:outbox") + "?status=failed").content.decode()
    assert "refused" in page and "Send again" in page
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("adoption:outbox_resend", args=[row.pk]))
    assert response.status_code == 302
    row.refresh_from_db()
    assert (row.status, row.attempts) == ("queued", 0)
    assert queued == [[row.pk]]
    assert AuditEvent.objects.filter(action="nudge.resend").count() == 1


def test_unsubscribe_confirms_on_get_and_one_click_post_needs_no_sign_in(client, org):
    token = services.unsubscribe_token(org.staff.profile.pk, "inactive")
    url = reverse("adoption:unsubscribe", args=[token])
    page = client.get(url)
    assert page.status_code == 200 and "Stop reminders about no learning for a while" in page.content.decode()
    assert not NudgeOptOut.objects.exists()  # a link scanner's GET changes nothing
    response = client.post(url, "List-Unsubscribe=One-Click", content_type="application/x-www-form-urlencoded")
    assert response.status_code == 200
    assert list(NudgeOptOut.objects.values_list("profile", "rule")) == [(org.staff.profile.pk, "inactive")]
    assert client.post(url).status_code == 200  # twice: still one
    assert NudgeOptOut.objects.count() == 1
    assert client.get(reverse("adoption:unsubscribe", args=[token[:-2] + "xx"])).status_code == 404
    assert client.post(reverse("adoption:unsubscribe", args=["not-a-token"])).status_code == 404


def test_my_notifications_shows_history_and_saves_preferences(client, org, safe):
    sent_rows(org, safe)
    client.force_login(org.staff)
    page = client.get(reverse("adoption:notifications")).content.decode()
    assert "Because &#x27;Using AI safely at work&#x27; is due on 7 December" in page
    client.post(reverse("adoption:notifications"), {"rules_on": ["overdue", "due-soon"]})
    assert set(NudgeOptOut.objects.values_list("rule", flat=True)) == {"survey-closing", "survey-open", "inactive"}
    client.post(reverse("adoption:notifications"), {"rules_on": ["overdue", "due-soon", "inactive"]})
    assert set(NudgeOptOut.objects.values_list("rule", flat=True)) == {"survey-closing", "survey-open"}


def test_hr_changes_the_settings(client, org, safe):
    client.force_login(org.hr)
    data = {"due_soon": "on", "due_soon_days": 5, "overdue": "on", "overdue_every_days": 7, "overdue_max_times": 2,
            "survey_closing_days": 2, "inactive_weeks": 4, "daily_hour": 10, "weekly_cap": 1, "division": "scotland",
            "mandatory_modules": ["using-ai-safely"], "digest_weekday": 3}
    page = client.get(reverse("adoption:nudge_settings")).content.decode()
    assert "send managers a weekly digest of their team" in page.lower() and "Thursday" in page
    assert client.post(reverse("adoption:nudge_settings"), data).status_code == 302
    config = NudgeSettings.load()
    assert (config.due_soon_days, config.survey_open, config.weekly_cap, config.division, config.mandatory_modules) == (
        5, False, 1, "scotland", ["using-ai-safely"])
    assert (config.digest, config.digest_weekday) == (False, 3)
    assert client.post(reverse("adoption:nudge_settings"), {**data, "digest": "on"}).status_code == 302
    assert NudgeSettings.load().rules().digest is True
    bad = client.post(reverse("adoption:nudge_settings"), {**data, "daily_hour": 24})
    assert bad.status_code == 200 and "govuk-error-summary" in bad.content.decode()


def test_the_daily_run_plans_once_at_the_configured_hour(org, safe):
    NudgeSettings.objects.create(pk=1, daily_hour=9)
    enrol(org.staff.profile, safe, date(2026, 12, 7))
    assert services.nudges_run(now=datetime(2026, 12, 3, 8, 5, tzinfo=LONDON)) == []
    ids = services.nudges_run(now=datetime(2026, 12, 3, 9, 5, tzinfo=LONDON))
    assert len(ids) == 1
    assert services.nudges_run(now=datetime(2026, 12, 3, 10, 5, tzinfo=LONDON)) == []  # once a day
    assert NudgeSettings.load().last_planned_on == THU


@pytest.fixture
def thursday(monkeypatch):
    """The one-off reminder refuses weekends and bank holidays: pin 'today' to an ordinary Thursday."""
    monkeypatch.setattr("django.utils.timezone.localdate", lambda *a, **k: THU)


def test_a_manager_reminds_chosen_overdue_people_in_their_scope(client, org, safe, thursday,
                                                                django_capture_on_commit_callbacks, monkeypatch):
    mine = enrol(org.frontline.profile, safe, date(2026, 11, 20))  # Waste: no email
    waste_with_email = enrol(make_staff(org.waste, first="Wes").user.profile, safe, date(2026, 11, 20))
    theirs = enrol(org.staff.profile, safe, date(2026, 11, 20))  # Finance: outside the manager's scope
    queued = []
    monkeypatch.setattr("adoption.tasks.outbox_send.delay", lambda ids: queued.append(ids))
    client.force_login(org.env_manager)
    team = client.get(reverse("courses:team")).content.decode()
    assert f'value="{waste_with_email.pk}"' in team and "Remind the people ticked" in team
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("adoption:team_remind"),
                               {"enrolment": [mine.pk, waste_with_email.pk, theirs.pk], "query": "module=1"})
    assert response.status_code == 302 and response["Location"] == "/courses/team/?module=1"
    row = Outbox.objects.get()
    assert (row.profile_id, row.requested_by, row.period) == (waste_with_email.profile_id, org.env_manager,
                                                              "asked-2026-12-03")
    assert row.why.startswith(f"because {org.env_manager.get_full_name()} asked for a reminder: "
                              "'Using AI safely at work' was due on 20 November")
    assert queued == [[row.pk]]
    page = client.get(response["Location"]).content.decode()
    assert "1 reminder queued; 1 without an email address (remind them in person)" in page
    # Asking again the same day (or HR asking too) sends nothing more.
    client.force_login(org.hr)
    client.post(reverse("adoption:team_remind"), {"enrolment": [waste_with_email.pk]})
    assert Outbox.objects.count() == 1


def test_one_off_reminders_respect_the_cap_and_choices(org, safe, thursday):
    NudgeSettings.objects.create(pk=1, weekly_cap=1)
    e = enrol(org.staff.profile, safe, date(2026, 11, 20))
    services.nudges_plan(today=THU)  # the overdue rule's own reminder uses this week's one
    result = services.nudge_remind_overdue(actor=org.hr, enrolments=[e], today=THU)
    assert (result.queued, result.held_back) == (0, 1)
    Outbox.objects.all().delete()
    NudgeOptOut.objects.create(profile=org.staff.profile, rule="overdue")
    assert services.nudge_remind_overdue(actor=org.hr, enrolments=[e], today=THU).held_back == 1


def test_the_outbox_pages_keep_the_status_filter(client, org):
    Outbox.objects.bulk_create([
        Outbox(profile=org.staff.profile, rule="overdue", subject=f"module:m{i}", period="p", planned_on=THU,
               status="failed", why="because", to="a@example.org", email_subject="s", text="t", html="h")
        for i in range(60)])
    client.force_login(org.hr)
    page = client.get(reverse("adoption:outbox") + "?status=failed").content.decode()
    assert "?status=failed&amp;page=2" in page
    assert "Failed: 60" in page


def _rows(org, n, *, mine=False):
    """n outbox rows: to HR themselves (their notifications page) or to n new people (the outbox)."""
    people = [org.hr.profile] * n if mine else [make_staff(org.finance).user.profile for _ in range(n)]
    start = Outbox.objects.count()
    Outbox.objects.bulk_create([
        Outbox(profile=p, rule="overdue", subject=f"module:m{start + i}", period="p", planned_on=THU, status="failed",
               why="because", to="a@example.org", email_subject="s", text="t", html="h", requested_by=org.hr)
        for i, p in enumerate(people)])


@pytest.mark.parametrize("url_name", ["adoption:outbox", "adoption:notifications"])
def test_list_pages_take_the_same_queries_however_many_rows(client, org, url_name):
    client.force_login(org.hr)
    url = reverse(url_name)
    mine = url_name == "adoption:notifications"

    def queries():
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(url).status_code == 200
        return len(ctx.captured_queries)

    queries()  # the first request of a session does a few things once
    _rows(org, 2, mine=mine)
    few = queries()
    _rows(org, 30, mine=mine)
    assert queries() == few
    if mine:
        assert client.get(url).content.decode().count("Because") == 32
