"""Readiness in the browser: HR reads the organisation's tree table (sorts it, filters it by directorate,
folds a department), then a department's page (why, barrier and actions, trend chart, by value); a manager
sees only their own departments, their overdue staff by name and their home headline; an admin changes the
weights. Every page is checked with axe and screenshotted at desktop and phone widths.

The data: staff in five departments (Resources has enough people of its own that Finance's survey figures
are not hidden to protect it), a module assigned with a due date in the past (some completed at
different days, the rest overdue) and one due later, two closed AI readiness pulse waves (in the later one
Waste Collection answers the Desire questions low and Finance the Knowledge ones), and snapshots on past
days so the trend chart has points.
"""

import random
import re
from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from adoption import services as adoption_services
from courses.models import Enrolment, Module
from organisation.models import CouncilValue, StaffProfile
from surveys import services
from surveys.models import Question, Wave
from tests.e2e.conftest import check_page, sign_in, sign_out, totp_secret
from tests.factories import PASSWORD, build_org, make_staff
from tests.surveys.test_results_seed import random_answers

# Department, staff to add, share of the past-due module completed, the ADKAR element answered low.
PLAN = (("finance", 14, 0.85, "knowledge"), ("waste", 14, 0.35, "desire"), ("parks", 10, 0.6, None),
        ("environment", 6, 0.5, None), ("resources", 6, 0.7, None))
TREE = ["Council", "Environment", "Parks", "Waste Collection", "Resources", "Finance"]  # siblings by name


def _staff(org):
    for key, size, _, _ in PLAN:
        department = getattr(org, key)
        for i in range(size):
            make_staff(department, first=f"{department.name.split()[0]}{i}", last=f"Staffer{i}",
                       work_pattern="frontline" if key == "waste" else "office", with_email=key != "waste")
    # Two people to look for by name in the overdue lists.
    make_staff(org.parks, first="Olive", last="Overdue")
    make_staff(org.finance, first="Frank", last="Late")


def _learning(org):
    """Module A was due 20 days ago: a share of each department completed it on different days, the rest
    are overdue (Olive and Frank always). Module B is due in a month, a few done."""
    rng = random.Random(7)
    today = timezone.localdate()
    now = timezone.now()
    value = CouncilValue.objects.create(name="Listening to residents", order=1)
    a = Module.objects.create(slug="ai-basics", title="Using AI safely at work", summary="s", confidence_question="q",
                              published=True, order=1)
    b = Module.objects.create(slug="checking-ai", title="Checking AI output", summary="s", confidence_question="q",
                              published=True, order=2)
    a.values.add(value)
    share = {getattr(org, key).pk: done for key, _, done, _ in PLAN}
    enrolments = []
    for profile in StaffProfile.objects.filter(department_id__in=share).select_related("user").order_by("pk"):
        named = profile.user.last_name in ("Overdue", "Late")
        if not named and rng.random() < share[profile.department_id]:
            enrolments.append(Enrolment(
                profile=profile, module=a, due_date=today - timedelta(days=20), status="completed",
                completed_at=now - timedelta(days=rng.randint(2, 70)), best_score=rng.choice([60, 75, 80, 100]),
                confidence_before=rng.randint(1, 3), confidence_after=rng.randint(3, 5)))
        else:
            enrolments.append(Enrolment(profile=profile, module=a, due_date=today - timedelta(days=20)))
        done_b = rng.random() < 0.3
        enrolments.append(Enrolment(
            profile=profile, module=b, due_date=today + timedelta(days=30),
            status="completed" if done_b else "not-started", completed_at=now - timedelta(days=1) if done_b else None,
            best_score=80 if done_b else None))
    Enrolment.objects.bulk_create(enrolments)
    return value


def _wave(survey, name, *, opened_days_ago, closed_days_ago, low, seed):
    """A wave of everyone, run to its close. Most agreement answers are 3 to 5; `low` maps a department
    id to the ADKAR element its staff answer 1 or 2."""
    now = timezone.now()
    opens, closes = now - timedelta(days=opened_days_ago), now - timedelta(days=closed_days_ago)
    wave = Wave.objects.create(survey=survey, name=name, opens_at=opens, closes_at=closes + timedelta(hours=1))
    wave = services.wave_open(wave_id=wave.pk, now=opens)
    rng = random.Random(seed)
    questions = list(survey.questions.all())
    for profile in StaffProfile.objects.filter(pk__in=wave.participation.values("profile_id")).order_by("pk"):
        if rng.random() > 0.8:
            continue
        answers = random_answers(survey, rng)
        for q in questions:
            if q.type == Question.Type.AGREE5:
                weak = low.get(profile.department_id) == q.dimension
                answers[q.pk] = {"number": rng.randint(1, 2) if weak else rng.randint(3, 5)}
        services.response_submit(profile=profile, wave=wave, answers=answers)
    Wave.objects.filter(pk=wave.pk).update(closes_at=closes)
    return services.wave_close(wave_id=wave.pk, now=closes)


def _survey(org, value):
    """The AI readiness pulse twice: a summer wave that closed 50 days ago with no low element, and the
    autumn wave that closed today, in which Waste Collection answers Desire low and Finance Knowledge."""
    survey = services.survey_create_from_template(actor=org.hr, key="ai-readiness-pulse")
    for q in survey.questions.filter(type=Question.Type.AGREE5, dimension="desire"):
        q.values.add(value)
    _wave(survey, "Summer pulse", opened_days_ago=64, closed_days_ago=50, low={}, seed=2)
    low = {getattr(org, key).pk: element for key, _, _, element in PLAN if element}
    return _wave(survey, "Autumn pulse", opened_days_ago=10, closed_days_ago=0, low=low, seed=3)


def _snapshots():
    """Snapshots since the summer wave closed (each with a score, so the Change column has something to
    compare), and today's."""
    today = timezone.localdate()
    for days in (49, 35, 21, 7):
        adoption_services.snapshots_take(day=today - timedelta(days=days), backfilled=True)
    adoption_services.snapshots_take()


@pytest.fixture
def org(db):
    org = build_org()
    _staff(org)
    value = _learning(org)
    _survey(org, value)
    _snapshots()
    return org


def _department_names(page) -> list[str]:
    # Wait for the new page's table (the URL changes before the page has loaded).
    page.wait_for_load_state("load")
    expect(page.locator("table[data-tree-table] tbody tr[data-id]").first).to_be_visible()
    return [t.strip() for t in page.locator("table[data-tree-table] tbody tr[data-id] th a").all_inner_texts()]


def _row(page, name):
    return page.locator("table[data-tree-table] tbody tr[data-id]").filter(
        has=page.get_by_role("link", name=name, exact=True))


@pytest.mark.django_db(transaction=True)
def test_hr_reads_organisation_readiness(page, live_server, org):
    sign_in(page, live_server, org.hr.email, PASSWORD, totp=totp_secret(org.hr))
    expect(page.get_by_role("heading", name="Across the organisation")).to_be_visible()
    check_page(page, "readiness-home-hr")

    page.get_by_role("navigation", name="Menu").get_by_role("link", name="Readiness", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Organisation readiness")
    table = page.locator("table[data-tree-table]")
    expect(table.locator("tr.tandem-org-row")).to_contain_text("Whole organisation")
    assert _department_names(page) == TREE
    expect(page.get_by_text("Colour key, compared with the whole organisation:")).to_be_visible()
    expect(_row(page, "Waste Collection").locator("td").last).to_have_text(re.compile(r"^(No clear change|Up \d+|Down \d+)$"))
    expect(page.get_by_role("heading", name="Top barriers")).to_be_visible()
    expect(page.locator("main")).to_contain_text("Weights set by the council: learning completed 30")
    check_page(page, "readiness-hr")

    # Sort by readiness (highest first), then lowest first: the order changes, and the header says so.
    table.get_by_role("link", name="Readiness", exact=True).click()
    expect(page).to_have_url(re.compile(r"sort=score&order=desc"))
    highest_first = _department_names(page)
    assert highest_first != TREE
    expect(page.locator("th[aria-sort]")).to_have_attribute("aria-sort", "descending")
    check_page(page, "readiness-hr-sorted")
    page.locator("table[data-tree-table]").get_by_role("link", name="Readiness", exact=True).click()
    expect(page).to_have_url(re.compile(r"sort=score&order=asc"))
    lowest_first = _department_names(page)
    assert lowest_first != highest_first and sorted(lowest_first) == sorted(highest_first)
    page.get_by_role("link", name="show the department tree").click()

    # Filter by a directorate.
    page.get_by_label("Directorate").select_option(label="Environment")
    page.get_by_role("button", name="Show", exact=True).click()
    expect(page).to_have_url(re.compile(r"directorate=\d+"))
    assert _department_names(page) == ["Environment", "Parks", "Waste Collection"]
    check_page(page, "readiness-hr-directorate")

    # Fold Environment's teams and unfold them.
    page.get_by_label("Directorate").select_option(label="All directorates")
    page.get_by_role("button", name="Show", exact=True).click()
    toggle = page.get_by_role("button", name="Show or hide teams in Environment")
    expect(toggle).to_have_attribute("aria-expanded", "true")
    toggle.click()
    expect(toggle).to_have_attribute("aria-expanded", "false")
    expect(_row(page, "Waste Collection")).to_be_hidden()
    expect(_row(page, "Parks")).to_be_hidden()
    expect(_row(page, "Finance")).to_be_visible()
    check_page(page, "readiness-hr-folded")
    toggle.click()
    expect(toggle).to_have_attribute("aria-expanded", "true")
    expect(_row(page, "Waste Collection")).to_be_visible()
    expect(_row(page, "Parks")).to_be_visible()

    # A department's page: score, why, barrier and actions, the chart and its table, by value, overdue.
    page.get_by_role("link", name="Waste Collection", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Waste Collection")
    main = page.locator("main")
    expect(main.locator(".tandem-score")).to_have_text(re.compile(r"^\d+$"))
    why = page.get_by_role("heading", name="Why").locator("xpath=following-sibling::ul[1]")
    expect(why.locator("li").first).to_contain_text(re.compile(r"\S"))
    expect(main.locator(".govuk-inset-text")).to_contain_text("Desire is the barrier point")
    expect(main.locator(".govuk-inset-text")).to_contain_text("Hold a listening session")
    expect(page.get_by_role("img", name=re.compile("Readiness of Waste Collection over the last 90 days"))).to_be_visible()
    page.get_by_text("The figures behind the chart").click()
    expect(page.get_by_role("table", name="Daily readiness snapshots").locator("tbody tr")).to_have_count(5)
    expect(page.get_by_role("heading", name="By council value")).to_be_visible()
    expect(page.get_by_role("table", name="Readiness by council value")).to_contain_text("Listening to residents")
    expect(page.get_by_role("table", name="Assigned modules past their due date")).to_contain_text(
        "Using AI safely at work")
    check_page(page, "readiness-department-hr")

    # Finance: a different barrier, with its own actions.
    page.goto(f"{live_server.url}/readiness/department/{org.finance.pk}/")
    expect(main.locator(".govuk-inset-text")).to_contain_text("Knowledge is the barrier point")
    expect(main.locator(".govuk-inset-text")).to_contain_text('Assign "Using AI safely at work"')
    expect(page.get_by_role("table", name="Assigned modules past their due date")).to_contain_text("Frank Late")
    check_page(page, "readiness-department-finance")

    # A parent with teams lists them.
    page.goto(f"{live_server.url}/readiness/department/{org.environment.pk}/")
    expect(page.get_by_role("heading", name="Teams in Environment")).to_be_visible()
    check_page(page, "readiness-department-parent")


@pytest.mark.django_db(transaction=True)
def test_manager_sees_only_their_departments(page, live_server, org):
    sign_in(page, live_server, org.env_manager.email, PASSWORD)
    expect(page.get_by_role("heading", name="Your departments")).to_be_visible()
    headline = page.locator(".tandem-headline")
    expect(headline).to_have_count(1)
    expect(headline).to_contain_text("Environment")
    expect(headline).to_contain_text(re.compile(r"Readiness\s*\d+ of 100"))
    expect(headline).to_contain_text(re.compile(r"\d+ modules? past (its|their) due date"))
    expect(page.locator("main")).to_contain_text("The most common barrier in your departments: Desire")
    check_page(page, "readiness-home-manager")

    page.get_by_role("button", name="Readiness of your departments").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Readiness of your departments")
    assert _department_names(page) == ["Environment", "Parks", "Waste Collection"]
    expect(page.get_by_label("Directorate")).to_have_count(0)
    expect(page.get_by_role("heading", name="By council value")).to_have_count(0)
    check_page(page, "readiness-manager")

    page.get_by_role("link", name="Environment", exact=True).click()
    overdue = page.get_by_role("table", name="Assigned modules past their due date")
    expect(overdue).to_contain_text("Olive Overdue")
    expect(overdue).not_to_contain_text("Frank Late")
    check_page(page, "readiness-department-manager")

    response = page.goto(f"{live_server.url}/readiness/department/{org.finance.pk}/")
    assert response.status == 404
    response = page.goto(f"{live_server.url}/readiness/department/{org.council.pk}/")
    assert response.status == 404


@pytest.mark.django_db(transaction=True)
def test_admin_changes_the_weights(page, live_server, org):
    sign_in(page, live_server, org.admin.email, PASSWORD, totp=totp_secret(org.admin))
    page.get_by_role("link", name="Readiness weights").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Readiness weights")
    check_page(page, "readiness-weights")

    page.get_by_label("Learning").fill("50")
    page.get_by_role("button", name="Save weights").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("these add up to 120")
    check_page(page, "readiness-weights-errors")

    for label, weight in (("Learning", "40"), ("Knowledge", "20"), ("Readiness for change", "20"),
                          ("Participation", "10"), ("Confidence", "10")):
        page.get_by_label(label).fill(weight)
    page.get_by_role("button", name="Save weights").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text("Readiness weights saved")
    check_page(page, "readiness-weights-saved")
    sign_out(page)

    sign_in(page, live_server, org.hr.email, PASSWORD, totp=totp_secret(org.hr))
    page.goto(f"{live_server.url}/readiness/")
    expect(page.locator("main")).to_contain_text(
        "Weights set by the council: learning completed 40, knowledge checks 20, readiness for change (ADKAR) 20, "
        "survey participation 10, confidence uplift 10 (of 100)")
