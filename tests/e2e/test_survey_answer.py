"""A member of staff answers the AI readiness pulse on a phone: the list of their surveys, what is
anonymous, answers saved in the browser and filled in again after a reload, an error round trip that
keeps what was typed, sending once, and saved answers cleared on sign-out and never shown to someone
else on the same device."""

import re
from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from surveys import services
from surveys.models import HeldResponse, Survey, Wave
from tests.e2e.conftest import PHONE, check_page, sign_in
from tests.factories import PASSWORD, build_org
from tests.surveys.conftest import empty_box, make_wave

COMMENT = "More time to practise,\nand examples from my own team."


def open_survey(key: str) -> Survey:
    survey = services.survey_create_from_template(actor=None, key=key)
    services.wave_open(wave_id=make_wave(survey).pk)
    return survey


def question(page, number: int):
    """A choice question's group of answers, found by its legend ("3. I want to ...")."""
    return page.get_by_role("group", name=re.compile(rf"^{number}\. "))


def drafts(page) -> list[str]:
    return page.evaluate("Object.keys(localStorage).filter((k) => k.startsWith('tandem.survey.'))")


def sign_out_here(page) -> None:
    menu = page.get_by_role("button", name="Menu")
    if menu.is_visible():
        menu.click()
    page.get_by_role("navigation", name="Menu").get_by_role("button", name="Sign out").click()


@pytest.mark.django_db(transaction=True)
def test_staff_member_answers_the_pulse_on_a_phone(page, live_server):
    org = build_org()
    survey = open_survey("ai-readiness-pulse")
    wave = survey.waves.get()
    comment = survey.questions.get(type="text")
    page.set_viewport_size(PHONE)

    sign_in(page, live_server, org.staff.email, PASSWORD)
    page.goto(f"{live_server.url}/surveys/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Surveys")
    expect(page.locator(".govuk-task-list__status")).to_have_text("Not started")
    check_page(page, "survey-list")

    page.get_by_role("link", name="AI readiness pulse").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("AI readiness pulse")
    who = page.locator(".tandem-who-sees")
    expect(who).to_contain_text("Your answers are anonymous.")
    expect(who).to_contain_text("Results are shown only after the survey closes, and only for groups of at least 5 people.")
    expect(who).to_contain_text("Comments are shown only for groups of at least 10 people.")
    expect(page.get_by_role("button", name="Save and finish later")).to_be_visible()  # the script runs
    check_page(page, "survey-answer")

    # Some answers, then the page is reloaded (or the phone closes the tab): they are filled in again.
    question(page, 1).get_by_label("Agree", exact=True).check()
    question(page, 2).get_by_label("Strongly disagree").check()
    page.get_by_label(re.compile(r"^13\. What one thing")).fill(COMMENT)
    page.get_by_role("button", name="Save and finish later").click()
    expect(page.get_by_role("status")).to_have_text(re.compile("Your answers are saved on this device"))
    assert drafts(page) == [f"tandem.survey.{wave.pk}"]
    page.reload()
    expect(page.get_by_text("We have filled in the answers you saved on this device.")).to_be_visible()
    expect(question(page, 1).get_by_label("Agree", exact=True)).to_be_checked()
    expect(question(page, 2).get_by_label("Strongly disagree")).to_be_checked()
    expect(page.locator(f"#id_q{comment.pk}")).to_have_value(COMMENT)
    count = page.locator(".govuk-character-count", has=page.locator(f"#id_q{comment.pk}"))
    expect(count.locator(".govuk-character-count__status")).to_have_text(
        f"You have {2000 - len(COMMENT):,} characters remaining")
    page.locator(f"#id_q{comment.pk}").focus()  # the screenshot shows the count
    check_page(page, "survey-answer-restored")

    # Sending with questions unanswered: an error for each, and nothing already given is lost.
    page.get_by_role("button", name="Send your answers").click()
    summary = page.locator(".govuk-error-summary")
    expect(summary).to_be_focused()
    expect(summary.get_by_role("link")).to_have_count(10)
    expect(summary.get_by_role("link").first).to_have_text("Question 3: Select how much you agree or disagree")
    expect(page).to_have_title(re.compile("^Error: AI readiness pulse"))
    expect(question(page, 1).get_by_label("Agree", exact=True)).to_be_checked()
    expect(question(page, 2).get_by_label("Strongly disagree")).to_be_checked()
    expect(page.locator(f"#id_q{comment.pk}")).to_have_value(COMMENT)
    check_page(page, "survey-answer-errors")
    summary.get_by_role("link").first.click()
    expect(question(page, 3).get_by_label("Strongly disagree")).to_be_focused()  # the first answer

    for number in range(3, 13):
        question(page, number).get_by_label("Agree", exact=True).check()
    second_tab = page.context.new_page()
    second_tab.goto(page.url)
    expect(question(second_tab, 12).get_by_label("Agree", exact=True)).to_be_checked()  # the same saved answers
    page.bring_to_front()
    page.get_by_role("button", name="Send your answers").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Thank you")
    assert drafts(page) == []  # sent: nothing is left on the device
    check_page(page, "survey-thanks")
    # In the ballot box until a batch, or the close, stores it (one sheet is not a batch).
    assert HeldResponse.objects.filter(wave=wave).count() == 1 and not wave.responses.exists()
    assert empty_box(wave) == 1
    response = wave.responses.get()
    assert response.profile_id is None
    assert response.answers.get(question=comment).text == COMMENT

    page.get_by_role("link", name="Back to your surveys").click()
    expect(page.locator(".govuk-task-list__status")).to_have_text("Thank you, you have answered")
    check_page(page, "survey-list-answered")

    # Coming back to the survey, or sending it from a second tab opened earlier, records nothing more.
    page.goto(f"{live_server.url}/surveys/{wave.pk}/")
    expect(page.get_by_role("heading", level=1)).to_have_text("You have already answered")
    check_page(page, "survey-already-answered")
    second_tab.bring_to_front()
    second_tab.get_by_role("button", name="Send your answers").click()
    expect(second_tab.get_by_role("heading", level=1)).to_have_text("You have already answered")
    assert wave.responses.count() == 1 and not HeldResponse.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_saved_answers_leave_the_device_on_sign_out_and_are_never_shown_to_someone_else(page, live_server):
    org = build_org()
    wave = open_survey("ai-readiness-pulse").waves.get()
    url = f"{live_server.url}/surveys/{wave.pk}/"
    page.set_viewport_size(PHONE)

    sign_in(page, live_server, org.staff.email, PASSWORD)
    page.goto(url)
    question(page, 1).get_by_label("Strongly agree").check()
    assert drafts(page) == [f"tandem.survey.{wave.pk}"]
    sign_out_here(page)
    expect(page.get_by_role("heading", level=1)).to_have_text("Sign in to Tandem")
    assert drafts(page) == []
    page.go_back()  # the page is not kept: Back asks the server again, which wants a sign-in
    expect(page.get_by_role("heading", level=1)).to_have_text("Sign in to Tandem")

    # A draft left behind by someone who signed out elsewhere is not filled in for the next person.
    sign_in(page, live_server, org.staff.email, PASSWORD)
    page.goto(url)
    question(page, 1).get_by_label("Strongly agree").check()
    page.goto(f"{live_server.url}/surveys/")
    expect(page.locator(".govuk-task-list__status")).to_have_text("Started on this device")
    page.context.clear_cookies()  # signed out by the session ending, not from a survey page
    sign_in(page, live_server, org.frontline.username, PASSWORD)
    page.goto(url)
    expect(question(page, 1).get_by_label("Strongly agree")).not_to_be_checked()
    expect(page.get_by_text("We have filled in the answers you saved on this device.")).to_be_hidden()
    assert drafts(page) == []


@pytest.mark.django_db(transaction=True)
def test_other_question_types_on_a_phone(page, live_server):
    """Choose-one, choose-any (with "None of these" on its own) and 0 to 10, in the other shipped surveys."""
    org = build_org()
    sentiment = open_survey("ai-sentiment").waves.get()
    feedback = open_survey("module-feedback").waves.get()
    closed = open_survey("ai-readiness-pulse").waves.get()
    Wave.objects.filter(pk=closed.pk).update(closes_at=timezone.now() - timedelta(minutes=1))
    services.wave_close(wave_id=closed.pk)
    page.set_viewport_size(PHONE)
    sign_in(page, live_server, org.staff.email, PASSWORD)

    page.goto(f"{live_server.url}/surveys/{sentiment.pk}/")
    worries = question(page, 10)
    worries.get_by_label("My job security").check()
    worries.get_by_label("None of these").check()
    expect(worries.get_by_label("My job security")).not_to_be_checked()  # govuk-frontend's exclusive box
    check_page(page, "survey-answer-sentiment")

    page.goto(f"{live_server.url}/surveys/{feedback.pk}/")
    expect(page.locator(".tandem-who-sees")).to_contain_text("This survey is not anonymous.")
    question(page, 4).get_by_label("10 (highest)").check()
    check_page(page, "survey-answer-feedback")

    page.goto(f"{live_server.url}/surveys/{closed.pk}/")
    expect(page.get_by_role("heading", level=1)).to_have_text("This survey has closed")
    check_page(page, "survey-closed")


@pytest.mark.django_db(transaction=True)
def test_the_survey_works_without_javascript(browser, live_server):
    """Without the script nothing is saved in the browser, so the page does not offer it; sending works."""
    org = build_org()
    survey = open_survey("module-feedback")
    context = browser.new_context(viewport=PHONE, locale="en-GB", java_script_enabled=False)
    try:
        page = context.new_page()
        sign_in(page, live_server, org.staff.email, PASSWORD)
        page.goto(f"{live_server.url}/surveys/{survey.waves.get().pk}/")
        expect(page.get_by_role("button", name="Save and finish later")).to_be_hidden()
        expect(page.get_by_text("Until you send them, your answers are kept only in this browser")).to_be_hidden()
        for number in (1, 2):
            question(page, number).get_by_label("Agree", exact=True).check()
        question(page, 3).get_by_label("About right").check()
        question(page, 4).get_by_label("7", exact=True).check()
        page.get_by_role("button", name="Send your answers").click()
        expect(page.get_by_role("heading", level=1)).to_have_text("Thank you")
    finally:
        context.close()
