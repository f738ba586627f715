"""HR assigns a module (fixing the form's problems first), follows it, withdraws it; a manager reads their
team's progress. Every page is axe-checked and screenshotted at desktop and phone widths."""

import re
from datetime import date, timedelta
from pathlib import Path

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from courses.models import Assignment, Enrolment, Module
from tests.e2e.conftest import check_page, sign_in, totp_secret
from tests.factories import PASSWORD, build_org, make_staff


def modules():
    return [Module.objects.create(slug=f"m{i}", title=title, summary="s", confidence_question="q", published=True,
                                  order=i)
            for i, title in enumerate(["What AI is and isn't", "Using AI safely at work", "Checking AI output"], 1)]


@pytest.mark.django_db(transaction=True)
def test_hr_assigns_follows_and_withdraws(page, live_server):
    org = build_org()
    first, *_ = modules()
    sign_in(page, live_server, org.hr.email, PASSWORD, totp=totp_secret(org.hr))

    page.goto(f"{live_server.url}/courses/assign/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Assign a module")
    check_page(page, "assign-form")

    page.get_by_role("button", name="Assign the module").click()
    summary = page.locator(".govuk-error-summary")
    expect(summary).to_contain_text("Choose a module.")
    expect(summary).to_contain_text("Choose who must do it.")
    expect(summary).to_contain_text("Enter a due date.")
    check_page(page, "assign-errors")

    page.get_by_label("Module", exact=True).select_option(label=first.title)
    page.get_by_label("A department").check()
    check_page(page, "assign-department-chosen")
    page.get_by_label("Department", exact=True).select_option(label="\u2014 Environment")
    page.get_by_label("Due date").fill((timezone.localdate() + timedelta(days=30)).isoformat())
    page.get_by_role("button", name="Assign the module").click()

    expect(page).to_have_url(re.compile(r"/courses/assignments/\d+/$"))
    expect(page.locator(".govuk-notification-banner")).to_contain_text(f"{first.title} assigned to 2 people.")
    expect(page.get_by_role("table", name="How people are getting on").get_by_role("row", name="Enrolled")).to_contain_text("2")
    check_page(page, "assignment-detail")

    page.get_by_role("link", name="Back to assignments").click()
    expect(page.get_by_role("table", name=re.compile("Assignments"))).to_contain_text("Environment and the teams beneath it")
    check_page(page, "assignment-list")

    page.get_by_role("link", name=first.title).click()
    page.get_by_role("button", name="Withdraw this assignment").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Withdraw this assignment?")
    check_page(page, "assignment-withdraw")
    page.get_by_role("button", name="Withdraw the assignment").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text("Assignment withdrawn. 2 enrolments")
    expect(page.locator("main strong.govuk-tag")).to_have_text("Withdrawn")
    check_page(page, "assignment-withdrawn")
    assert not Enrolment.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_a_queued_assignment_polls_and_a_failed_one_says_so(page, live_server):
    org = build_org()
    first, second, _ = modules()
    waiting = Assignment.objects.create(module=first, target="department", department=org.council,
                                        due_date=date(2030, 6, 30), created_by=org.hr)
    failed = Assignment.objects.create(module=second, target="managers", due_date=date(2030, 6, 30),
                                       created_by=org.hr, status="failed", failure="OperationalError()")
    sign_in(page, live_server, org.hr.email, PASSWORD, totp=totp_secret(org.hr))
    page.goto(f"{live_server.url}/courses/assignments/{waiting.pk}/")
    expect(page.get_by_text("Waiting for the worker to start")).to_be_visible()
    check_page(page, "assignment-pending")
    page.goto(f"{live_server.url}/courses/assignments/{failed.pk}/")
    expect(page.locator(".govuk-error-summary")).to_contain_text("Enrolling stopped before everyone was enrolled")
    check_page(page, "assignment-failed")


@pytest.mark.django_db(transaction=True)
def test_a_manager_reads_their_teams_progress(page, live_server):
    org = build_org()
    first, second, third = modules()
    today = timezone.localdate()
    people = [org.frontline.profile, org.env_manager.profile] + [
        make_staff(org.waste if i % 3 else org.parks, first=name, last=last, work_pattern="frontline")
        for i, (name, last) in enumerate([("Aisha", "Khan"), ("Ben", "Walsh"), ("Chloe", "Nowak"), ("Daniel", "Owusu"),
                                          ("Eleanor", "Price"), ("Faisal", "Rahman"), ("Grace", "O'Brien")])]
    states = ["not-started", "in-progress", "completed"]
    for i, p in enumerate(people):
        Enrolment.objects.create(profile=p, module=first, due_date=today - timedelta(days=5), status=states[i % 3],
                                 best_score=90 if i % 3 == 2 else None)
        Enrolment.objects.create(profile=p, module=second, due_date=today + timedelta(days=20),
                                 status=states[(i + 1) % 3])
        if i % 2:
            Enrolment.objects.create(profile=p, module=third, due_date=today + timedelta(days=40))
    sign_in(page, live_server, org.env_manager.email, PASSWORD)
    page.goto(f"{live_server.url}/courses/team/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Team progress")
    expect(page.get_by_role("table", name=re.compile("how many people have completed each"))).to_contain_text(first.title)
    expect(page.get_by_role("table", name=re.compile("overdue module"))).to_contain_text("Ben Walsh")
    teams = page.get_by_role("table", name=re.compile("in each team of Environment"))
    expect(teams.get_by_role("row", name=re.compile("^Waste Collection"))).to_be_visible()
    expect(teams.get_by_role("row", name=re.compile("^Staff directly in Environment"))).to_be_visible()
    check_page(page, "team-progress")

    # Overdue is a status of its own: filter the people by it, then open one person's learning.
    page.get_by_label("Status").select_option(value="overdue")
    page.get_by_role("button", name="Show").click()
    expect(page.get_by_role("heading", name="People: overdue")).to_be_visible()
    check_page(page, "team-progress-overdue")
    page.get_by_role("table", name=re.compile("where they are with")).get_by_role("link", name="Ben Walsh").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Ben Walsh")
    learning = page.get_by_role("table", name=re.compile("Ben Walsh's modules"))
    expect(learning.get_by_role("row", name=re.compile(first.title))).to_contain_text("Overdue")
    check_page(page, "staff-learning")
    page.goto(f"{live_server.url}/courses/team/")

    page.get_by_label("Department").select_option(label="\u2014 Waste Collection")
    page.get_by_label("Module", exact=True).select_option(label=first.title)
    page.get_by_role("button", name="Show").click()
    expect(page.locator(".govuk-caption-l")).to_have_text("Waste Collection and the teams beneath it")
    check_page(page, "team-progress-filtered")

    with page.expect_download() as download:
        page.get_by_role("link", name=re.compile("Download as CSV")).click()
    text = Path(download.value.path()).read_text(encoding="utf-8-sig")
    assert text.startswith("Staff number,First name,Last name,Department")

    page.goto(f"{live_server.url}/courses/assign/")
    expect(page.get_by_label("All managers")).to_have_count(0)  # HR only
    check_page(page, "assign-form-manager")
