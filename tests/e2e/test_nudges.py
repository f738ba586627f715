"""Nudges in the browser: a reminder email looked at as HTML and as plain text; its unsubscribe link; a
person's notifications and choices; HR's settings (with errors) and outbox (resending a failed one); a
manager reminding overdue people from team progress. Every page is axe-checked and screenshotted."""

import re
from datetime import date, timedelta

import pytest
from django.core import mail
from django.utils import timezone
from playwright.sync_api import expect

from adoption import services_nudges as services
from adoption.models import NudgeOptOut, Outbox
from courses.models import Enrolment, Module
from tests.e2e.conftest import check_page, shoot, sign_in, sign_out, totp_secret
from tests.factories import PASSWORD, build_org, make_staff


def _planned_reminder(org):
    """A due-soon reminder for Sam, planned for the next working day and sent (to the in-memory backend)."""
    from adoption.nudges import is_working_day

    module = Module.objects.create(slug="using-ai-safely", title="Using AI safely at work", summary="s",
                                   confidence_question="q", published=True)
    day = timezone.localdate()
    while not is_working_day(day):
        day += timedelta(days=1)
    Enrolment.objects.create(profile=org.staff.profile, module=module, due_date=day + timedelta(days=3))
    services.nudges_plan(today=day)
    services.outbox_send(ids=services.queued_ids())
    return module, Outbox.objects.get()


@pytest.mark.django_db(transaction=True)
def test_a_reminder_its_unsubscribe_link_and_my_notifications(page, live_server):
    org = build_org()
    _, row = _planned_reminder(org)
    [message] = mail.outbox

    page.set_content(message.alternatives[0][0])  # the email as HTML, as a mail client shows it
    expect(page.get_by_role("heading", level=1)).to_contain_text("Using AI safely at work")
    expect(page.get_by_text("Why you got this:")).to_be_visible()
    check_page(page, "nudge-email-html")
    page.set_content(f"<!DOCTYPE html><html lang='en-GB'><head><title>Plain text</title></head><body><main>"
                     f"<pre>{message.body}</pre></main></body></html>")
    shoot(page, "nudge-email-text")
    assert "Why you got this: because 'Using AI safely at work' is due on" in message.body

    link = re.search(r"(/notifications/unsubscribe/[^/\s]+/)", message.body).group(1)
    page.goto(live_server.url + link)  # no sign-in: the signed link is enough
    expect(page.get_by_role("heading", level=1)).to_have_text("Stop reminders about modules due soon")
    check_page(page, "nudge-unsubscribe")
    page.get_by_role("button", name="Stop these reminders").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Reminders stopped")
    check_page(page, "nudge-unsubscribed")
    assert list(NudgeOptOut.objects.values_list("rule", flat=True)) == ["due-soon"]

    sign_in(page, live_server, org.staff.email, PASSWORD)
    page.goto(f"{live_server.url}/notifications/")
    expect(page.get_by_role("table")).to_contain_text("Using AI safely at work")
    expect(page.get_by_label("Modules due soon")).not_to_be_checked()
    check_page(page, "nudge-notifications")
    page.get_by_label("Modules due soon").check()
    page.get_by_role("button", name="Save choices").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text("Your reminder choices are saved.")
    assert not NudgeOptOut.objects.exists()
    row.refresh_from_db()
    assert row.status == "sent"


@pytest.mark.django_db(transaction=True)
def test_hr_settings_and_outbox_and_a_manager_reminds_overdue_people(page, live_server, monkeypatch):
    org = build_org()
    _, row = _planned_reminder(org)
    Outbox.objects.update(status="failed", attempts=5, last_error="SMTPRecipientsRefused: 550 no such mailbox")
    monkeypatch.setattr("adoption.tasks.outbox_send.delay", lambda ids: None)  # sent by the worker, not here

    sign_in(page, live_server, org.hr.email, PASSWORD, totp=totp_secret(org.hr))
    page.goto(f"{live_server.url}/settings/nudges/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Nudge settings")
    check_page(page, "nudge-settings")
    page.get_by_label("hour of the day to send (UK time, 0-23)", exact=False).fill("24")
    page.get_by_role("button", name="Save settings").click()
    expect(page.locator(".govuk-error-summary")).to_be_visible()
    check_page(page, "nudge-settings-errors")

    page.goto(f"{live_server.url}/settings/outbox/?status=failed")
    expect(page.get_by_role("table")).to_contain_text("no such mailbox")
    check_page(page, "nudge-outbox-failed")
    page.get_by_role("button", name=re.compile("Send again")).click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text("queued to be sent again")
    row.refresh_from_db()
    assert row.status == "queued"
    sign_out(page)

    overdue = make_staff(org.waste, first="Wes")
    Enrolment.objects.create(profile=overdue, module=Module.objects.get(), due_date=date.today() - timedelta(days=9))
    sign_in(page, live_server, org.env_manager.email, PASSWORD)
    page.goto(f"{live_server.url}/courses/team/")
    page.get_by_label(re.compile("Remind .*Wes")).check()
    check_page(page, "team-progress-remind")
    page.get_by_role("button", name="Remind the people ticked").click()
    banner = page.locator(".govuk-notification-banner")
    if Outbox.objects.filter(requested_by=org.env_manager).exists():
        expect(banner).to_contain_text("1 reminder queued")
    else:  # a weekend or bank holiday: refused, with the reason
        expect(banner).to_contain_text("not sent at weekends")
