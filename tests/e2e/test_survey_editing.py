"""HR edits a survey's questions before its first wave: adds a section and a question (a bad one first,
whose errors show beside the fields with what was typed kept), tags it with a council value, changes
and moves a question, removes one, and sees the questions fixed once a wave opens. Every page is checked
with axe and screenshotted at desktop and phone widths."""

import re

import pytest
from playwright.sync_api import expect

from organisation.models import CouncilValue
from surveys.models import Question, Survey
from tests.e2e.conftest import check_page, sign_in, totp_secret
from tests.factories import PASSWORD, build_org, make_staff


@pytest.mark.django_db(transaction=True)
def test_hr_edits_a_surveys_questions_until_a_wave_opens(page, live_server):
    org = build_org()
    for _ in range(6):
        make_staff(org.finance)
    CouncilValue.objects.create(name="Listening to residents", order=0)
    CouncilValue.objects.create(name="Working as one council", order=1)
    sign_in(page, live_server, org.hr.email, PASSWORD, totp=totp_secret(org.hr))

    page.goto(f"{live_server.url}/surveys/manage/new/")
    page.get_by_label("How do you feel about AI at work?").check()
    page.get_by_role("button", name="Create the survey").click()
    survey = Survey.objects.get()
    expect(page.get_by_role("heading", level=1)).to_have_text(survey.title)
    before = survey.questions.count()

    # A new section, then a question in it: one choice is not enough.
    page.get_by_role("link", name="Add a section").click()
    page.get_by_role("button", name="Add the section").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("Enter a title for the section.")
    check_page(page, "survey-edit-section-errors")
    page.get_by_label("Section title").fill("Our values")
    page.get_by_role("button", name="Add the section").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Add a question")
    page.get_by_label("Question").fill("Which of these do you use AI for?")
    page.get_by_label("Choose any").check()
    page.get_by_label("Choices").fill("Writing letters\n")
    page.get_by_label("Listening to residents").check()
    page.get_by_role("button", name="Add the question", exact=True).click()
    summary = page.locator(".govuk-error-summary")
    expect(summary).to_contain_text("Enter at least two choices, one on each line.")
    expect(summary).to_contain_text("Only agreement questions are scored, so only they can be tagged with a value.")
    expect(page.get_by_label("Question")).to_have_value("Which of these do you use AI for?")
    check_page(page, "survey-edit-question-errors")
    page.get_by_label("Choices").fill("Writing letters\nSummarising reports\nNone of these")
    page.get_by_label("Listening to residents").uncheck()
    page.get_by_role("button", name="Add it and add another").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text("Question added.")
    page.get_by_label("Question").fill("Tandem helps us listen to residents.")
    page.get_by_label("Agreement (5 points)").check()
    page.get_by_label("Dimension it measures").select_option("reinforcement")
    page.get_by_label("Listening to residents").check()
    check_page(page, "survey-edit-question-form")
    page.get_by_role("button", name="Add the question", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(survey.title)
    assert survey.questions.count() == before + 2
    tagged = Question.objects.get(text="Tandem helps us listen to residents.")
    assert list(tagged.values.values_list("name", flat=True)) == ["Listening to residents"]
    expect(page.locator(f"#question-{tagged.pk}")).to_contain_text("Council value: Listening to residents.")
    check_page(page, "survey-edit-detail")

    # Move the agreement question above the choice question, then change it.
    page.get_by_role("button", name="Move up question 2: Tandem helps us listen to residents.").click()
    section = tagged.section
    assert [q.text for q in section.questions.order_by("order")][0] == "Tandem helps us listen to residents."
    page.get_by_role("link", name=re.compile(r"Change question 1: Tandem helps")).click()
    page.get_by_label("Question").fill("Tandem helps us to listen to residents.")
    page.get_by_role("button", name="Save the question").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text("Question saved.")

    # Remove the choice question, through its confirmation page.
    page.get_by_role("link", name=re.compile(r"Remove question 2: Which of these")).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Remove this question?")
    check_page(page, "survey-edit-remove")
    page.get_by_role("button", name="Remove the question").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text("Question removed.")
    assert survey.questions.count() == before + 1

    # The preview: the survey as staff will see it; answers are checked, not saved.
    page.get_by_role("link", name="Preview the survey as staff will see it").click()
    expect(page.get_by_text("Your answers are anonymous.")).to_be_visible()
    # A section a page, as staff see it: Continue checks the section first.
    expect(page.locator(".tandem-survey-section:visible h2")).to_have_text("Section 1 of 6 Using AI now")
    expect(page.get_by_role("button", name="Check these answers")).to_be_hidden()
    page.get_by_role("button", name="Continue").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("Question 1: Select an answer")
    check_page(page, "survey-edit-preview")
    page.get_by_role("link", name="Back to the survey").first.click()

    # Once a wave opens, the questions are fixed.
    page.get_by_role("button", name="Schedule a wave").click()
    page.get_by_label("Name").fill("Winter 2026")
    page.get_by_label("Now").check()
    page.get_by_label("Closes at").fill("2099-06-30T17:00")
    page.get_by_label("Everyone in the organisation").check()
    page.get_by_role("button", name="Schedule the wave").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text("Winter 2026 is open")
    expect(page.get_by_text("The questions are fixed")).to_be_visible()
    expect(page.get_by_role("link", name=re.compile(r"^Change question"))).to_have_count(0)
    check_page(page, "survey-edit-locked")

    # To ask something else, HR copies it: the copy can be edited.
    page.get_by_role("link", name="copy this survey", exact=True).click()
    check_page(page, "survey-edit-copy")
    page.get_by_label("Title of the copy").fill("How do you feel about AI at work? Spring")
    page.get_by_role("button", name="Make the copy").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("How do you feel about AI at work? Spring")
    expect(page.get_by_role("link", name=re.compile(r"^Change question 1"))).not_to_have_count(0)
    assert Survey.objects.count() == 2
