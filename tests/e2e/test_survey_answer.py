"""A member of staff answers the AI readiness pulse on a phone: the list of their surveys, what is
anonymous, a section a page, answers saved in the browser and filled in again after a reload, errors
shown on the section they are in, keeping what was typed, sending once, and saved answers cleared on sign-out and never shown to someone
else on the same device."""

import re
from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from surveys import services
from surveys.models import HeldResponse, Survey, Wave
from tests.e2e.conftest import PHONE, check_page, shoot, sign_in
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


def section_heading(page):
    """The heading of the section shown ("Section 2 of 3" and its title)."""
    return page.locator(".tandem-survey-section:visible h2")


def drafts(page) -> list[str]:
    return page.evaluate("Object.keys(localStorage).filter((k) => k.startsWith('tandem.survey.'))")


def sign_out_here(page) -> None:
    menu = page.get_by_role("button", name="Menu")
    if menu.is_visible():
        menu.click()
    page.get_by_role("navigation", name="Menu").get_by_role("button", name="Sign out").click()


@pytest.mark.django_db(transaction=True)
def test_staff_member_answers_the_pulse_on_a_phone(page, live_server):
    """The pulse's three sections, a page each: Continue checks a section, Back and the phone's own Back
    go to the one before, answers are kept between them and across a reload, and Send is on the last."""
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
    expect(section_heading(page)).to_have_text("Section 1 of 3 About the change")
    who = page.locator(".tandem-who-sees")
    expect(who).to_contain_text("Your answers are anonymous.")
    expect(who).to_contain_text("Results are shown only after the survey closes, and only for groups of at least 5 people.")
    expect(who).to_contain_text("Comments are shown only for groups of at least 10 people.")
    expect(page.get_by_role("button", name="Save and finish later")).to_be_visible()  # the script runs
    expect(page.get_by_role("button", name="Send your answers")).to_be_hidden()
    expect(page.get_by_role("button", name="Back")).to_be_hidden()
    expect(question(page, 6)).to_be_hidden()  # the next section's questions
    check_page(page, "survey-answer")

    # Continue with questions of this section unanswered: an error for each, on this section.
    question(page, 1).get_by_label("Agree", exact=True).check()
    question(page, 2).get_by_label("Strongly disagree").check()
    page.get_by_role("button", name="Continue").click()
    summary = page.locator(".govuk-error-summary")
    expect(summary).to_be_focused()
    expect(summary.get_by_role("link")).to_have_count(3)
    expect(summary.get_by_role("link").first).to_have_text("Question 3: Select how much you agree or disagree")
    expect(page).to_have_title(re.compile("^Error: AI readiness pulse"))
    expect(section_heading(page)).to_contain_text("Section 1 of 3")
    expect(question(page, 3).locator(".govuk-error-message")).to_have_text("Error: Select how much you agree or disagree")
    expect(question(page, 1).get_by_label("Agree", exact=True)).to_be_checked()
    check_page(page, "survey-answer-errors")
    summary.get_by_role("link").first.click()
    expect(question(page, 3).get_by_label("Strongly disagree")).to_be_focused()  # the first answer
    for number in (3, 4, 5):
        question(page, number).get_by_label("Agree", exact=True).check()
    page.get_by_role("button", name="Continue").click()

    # Section 2: the introduction is on the first page only, and the errors have gone.
    expect(section_heading(page)).to_have_text("Section 2 of 3 Using AI in your work")
    expect(section_heading(page)).to_be_focused()
    expect(page).to_have_title(re.compile("^AI readiness pulse"))
    expect(page.locator(".govuk-error-summary")).to_have_count(0)
    expect(who).to_be_hidden()
    expect(question(page, 1)).to_be_hidden()
    expect(page.get_by_role("button", name="Back")).to_be_visible()
    question(page, 6).get_by_label("Strongly agree").check()
    page.get_by_role("button", name="Save and finish later").click()
    expect(page.get_by_role("status")).to_have_text(re.compile("Your answers are saved on this device"))
    assert drafts(page) == [f"tandem.survey.{wave.pk}"]
    check_page(page, "survey-answer-section-2")

    # The page is reloaded (or the phone closes the tab): the answers come back, on the same section.
    page.reload()
    expect(page.get_by_text("We have filled in the answers you saved on this device.")).to_be_visible()
    expect(section_heading(page)).to_contain_text("Section 2 of 3")
    expect(question(page, 6).get_by_label("Strongly agree")).to_be_checked()
    page.go_back()  # the phone's Back: the section before
    expect(section_heading(page)).to_contain_text("Section 1 of 3")
    expect(question(page, 2).get_by_label("Strongly disagree")).to_be_checked()
    page.get_by_role("button", name="Continue").click()
    for number in range(7, 11):
        question(page, number).get_by_label("Agree", exact=True).check()
    page.keyboard.press("Enter")  # Enter on an answer: the next section, not sending
    expect(section_heading(page)).to_have_text("Section 3 of 3 Support and anything else")
    expect(page.get_by_role("button", name="Continue")).to_be_hidden()
    expect(page.get_by_role("heading", name="Send your answers")).to_be_visible()

    # The last section: a comment, Back to check an answer, and the comment is still there after.
    page.get_by_label(re.compile(r"^13\. What one thing")).fill(COMMENT)
    page.get_by_role("button", name="Back").click()
    expect(section_heading(page)).to_contain_text("Section 2 of 3")
    expect(question(page, 10).get_by_label("Agree", exact=True)).to_be_checked()
    page.get_by_role("button", name="Continue").click()
    expect(page.locator(f"#id_q{comment.pk}")).to_have_value(COMMENT)
    count = page.locator(".govuk-character-count", has=page.locator(f"#id_q{comment.pk}"))
    expect(count.locator(".govuk-character-count__status")).to_have_text(
        f"You have {2000 - len(COMMENT):,} characters remaining")
    page.get_by_role("button", name="Send your answers").click()  # 11 and 12 unanswered: not sent
    expect(summary.get_by_role("link")).to_have_count(2)
    expect(summary.get_by_role("link").first).to_have_text("Question 11: Select how much you agree or disagree")
    assert not HeldResponse.objects.exists()
    page.locator(f"#id_q{comment.pk}").focus()  # the screenshot shows the count
    check_page(page, "survey-answer-last-section")

    for number in (11, 12):
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
    assert response.answers.count() == 13
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
def test_a_problem_the_server_finds_opens_the_section_it_is_in(page, live_server):
    """The page's own check is a convenience: if the server refuses an answer on sending (here, one the
    page was made to let through), the page opens at that section, with the error summary."""
    org = build_org()
    wave = open_survey("ai-readiness-pulse").waves.get()
    sign_in(page, live_server, org.staff.email, PASSWORD)
    page.goto(f"{live_server.url}/surveys/{wave.pk}/")
    page.evaluate("document.querySelector('[data-question=\"4\"]').removeAttribute('data-required')")
    for number in range(1, 13):
        if number in (6, 11):
            page.get_by_role("button", name="Continue").click()
        if number != 4:
            question(page, number).get_by_label("Agree", exact=True).check()
    page.get_by_role("button", name="Send your answers").click()
    expect(page).to_have_title(re.compile("^Error: AI readiness pulse"))
    expect(section_heading(page)).to_contain_text("Section 1 of 3")
    summary = page.locator(".govuk-error-summary")
    expect(summary).to_be_focused()
    expect(summary).to_contain_text("Your answers have not been sent yet.")
    expect(summary.get_by_role("link")).to_have_text(["Question 4: Select how much you agree or disagree"])
    expect(question(page, 3).get_by_label("Agree", exact=True)).to_be_checked()
    check_page(page, "survey-answer-server-errors")
    question(page, 4).get_by_label("Agree", exact=True).check()
    page.get_by_role("button", name="Continue").click()
    page.get_by_role("button", name="Continue").click()
    expect(question(page, 12).get_by_label("Agree", exact=True)).to_be_checked()
    page.get_by_role("button", name="Send your answers").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Thank you")
    assert HeldResponse.objects.filter(wave=wave).count() == 1


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

    page.goto(f"{live_server.url}/surveys/{sentiment.pk}/#section-3")  # an address with a section opens it
    expect(section_heading(page)).to_have_text("Section 3 of 5 Worries")
    worries = question(page, 10)
    worries.get_by_label("My job security").check()
    worries.get_by_label("None of these").check()
    expect(worries.get_by_label("My job security")).not_to_be_checked()  # govuk-frontend's exclusive box
    check_page(page, "survey-answer-sentiment")

    page.goto(f"{live_server.url}/surveys/{feedback.pk}/")
    expect(page.locator(".tandem-who-sees")).to_contain_text("This survey is not anonymous.")
    # One section: one page, as it always was, with no "Section 1 of 1" and no Continue.
    expect(section_heading(page)).to_have_text("About this module")
    expect(page.get_by_role("button", name="Continue")).to_be_hidden()
    expect(page.get_by_role("button", name="Send your answers")).to_be_visible()
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
    pulse = open_survey("ai-readiness-pulse").waves.get()
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

        # A survey of several sections is all on one page, each saying which it is, and sends as before.
        page.goto(f"{live_server.url}/surveys/{pulse.pk}/")
        expect(page.locator(".tandem-survey-section h2")).to_have_text(
            ["Section 1 of 3 About the change", "Section 2 of 3 Using AI in your work",
             "Section 3 of 3 Support and anything else"])
        expect(page.get_by_role("button", name="Continue")).to_be_hidden()
        expect(page.get_by_role("button", name="Back", exact=True)).to_be_hidden()
        for number in range(1, 12):
            question(page, number).get_by_label("Agree", exact=True).check()
        page.get_by_role("button", name="Send your answers").click()
        summary = page.locator(".govuk-error-summary")
        expect(summary.get_by_role("link")).to_have_text(["Question 12: Select how much you agree or disagree"])
        expect(question(page, 11).get_by_label("Agree", exact=True)).to_be_checked()
        shoot(page, "survey-answer-no-script-errors")  # (axe needs the script that is turned off here)
        question(page, 12).get_by_label("Agree", exact=True).check()
        page.get_by_role("button", name="Send your answers").click()
        expect(page.get_by_role("heading", level=1)).to_have_text("Thank you")
    finally:
        context.close()
