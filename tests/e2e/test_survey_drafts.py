"""Answers saved part-way through a survey live no longer than the session they were written in: on a
shared device, an idle timeout or a new session (the same person or someone else, in the same browser
profile) must not bring them back."""

import re

import pytest
from django.conf import settings
from django.contrib.sessions.models import Session
from django.test import Client
from playwright.sync_api import expect

from tests.e2e.conftest import PHONE, check_page, sign_in
from tests.e2e.test_survey_answer import drafts, open_survey, question, sign_out_here
from tests.factories import PASSWORD, build_org

RESTORED = "We have filled in the answers you saved on this device."
NO_DRAFTS = "() => !Object.keys(localStorage).some((k) => k.startsWith('tandem.survey.'))"


def _new_session_for(page, live_server, user) -> None:
    """Swap the browser's session for a new one of `user`'s, made on the server, without passing through
    a sign-in page (as if the session had changed under the page)."""
    client = Client()
    client.force_login(user)
    page.context.clear_cookies()
    page.context.add_cookies([{"name": settings.SESSION_COOKIE_NAME,
                               "value": client.cookies[settings.SESSION_COOKIE_NAME].value, "url": live_server.url}])


@pytest.mark.django_db(transaction=True)
def test_a_draft_does_not_outlive_its_session(page, live_server):
    org = build_org()
    wave = open_survey("ai-readiness-pulse").waves.get()
    url = f"{live_server.url}/surveys/{wave.pk}/"
    page.set_viewport_size(PHONE)

    # The same person, a new session: the draft from the old one is deleted, not filled in.
    sign_in(page, live_server, org.frontline.username, PASSWORD)
    page.goto(url)
    question(page, 1).get_by_label("Strongly agree").check()
    assert drafts(page) == [f"tandem.survey.{wave.pk}"]
    page.reload()
    expect(page.get_by_text(RESTORED)).to_be_visible()  # within one session it is kept
    _new_session_for(page, live_server, org.frontline)
    page.goto(url)
    expect(page.get_by_role("heading", level=1)).to_have_text("AI readiness pulse")
    expect(question(page, 1).get_by_label("Strongly agree")).not_to_be_checked()
    expect(page.get_by_text(RESTORED)).to_be_hidden()
    assert drafts(page) == []

    # The session ends on the server (a 30-minute idle timeout): the sign-in page it leads to clears the
    # draft at once, before anyone signs in.
    question(page, 2).get_by_label("Disagree", exact=True).check()
    assert drafts(page) == [f"tandem.survey.{wave.pk}"]
    Session.objects.all().delete()
    page.goto(url)
    expect(page.get_by_role("heading", level=1)).to_have_text("Sign in to Tandem")
    page.wait_for_function(NO_DRAFTS)
    check_page(page, "survey-draft-signed-out")

    # Someone else signs in on the same device, then the first person again: nothing comes back.
    sign_in(page, live_server, org.staff.email, PASSWORD)
    page.goto(url)
    expect(question(page, 2).get_by_label("Disagree", exact=True)).not_to_be_checked()
    question(page, 3).get_by_label("Agree", exact=True).check()
    sign_out_here(page)
    sign_in(page, live_server, org.frontline.username, PASSWORD)
    page.goto(url)
    for number in (1, 2, 3):
        expect(question(page, number).locator("input:checked")).to_have_count(0)
    expect(page.get_by_text(RESTORED)).to_be_hidden()
    assert drafts(page) == []
    page.get_by_role("button", name="Save and finish later").click()
    expect(page.get_by_role("status")).to_have_text(re.compile("until you sign out"))
    check_page(page, "survey-draft-saved")
