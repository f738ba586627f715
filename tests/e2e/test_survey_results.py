"""HR runs a survey from a template to its results: creates it, schedules a wave that opens now, sees only
the response rate while it runs, closes it, reads the results, filters them, reads and hides a comment, and
downloads them. A manager then sees their own departments only. Every page is checked with axe and
screenshotted at desktop and phone widths."""

import random
import re

import pytest
from playwright.sync_api import expect

from organisation.models import StaffProfile
from surveys import services
from surveys.models import Wave
from tests.e2e.conftest import PHONE, SCREENSHOTS, check_page, sign_in, sign_out, totp_secret
from tests.factories import PASSWORD, build_org, make_staff
from tests.surveys.test_results_seed import COMMENTS, random_answers


def fits_320(page, name: str) -> None:
    """At 320px (the narrowest phones, and 400% zoom on a desktop) nothing on the page, hidden text in a
    table included, reaches beyond the screen: tables scroll in their own box. Screenshots it there."""
    original = page.viewport_size
    page.set_viewport_size({"width": 320, "height": 640})
    try:
        page.screenshot(path=str(SCREENSHOTS / f"{name}-320.png"), full_page=True)
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= 320, f"{page.url} is {width}px wide at 320px"
        for region in page.locator("table").all():  # every table sits in a labelled scroll box
            wrap = region.locator("xpath=ancestor::div[contains(@class, 'tandem-table-wrap')][1]")
            assert wrap.count() == 1, f"a table outside a scroll box on {page.url}"
            assert wrap.get_attribute("tabindex") == "0" and wrap.get_attribute("role") == "region"
            assert wrap.get_attribute("aria-label") or wrap.get_attribute("aria-labelledby")
    finally:
        page.set_viewport_size(original)


def _staff(org):
    rng = random.Random(4)
    for department, size, pattern in ((org.finance, 16, "office"), (org.waste, 12, "frontline"),
                                      (org.parks, 10, "hybrid"), (org.environment, 6, "office")):
        for i in range(size):
            make_staff(department, work_pattern=pattern if i % 3 else rng.choice(["office", "hybrid"]),
                       contract="part-time" if i % 4 == 0 else "full-time", with_email=pattern != "frontline",
                       grade_band=rng.choice(["A", "B"]))
    StaffProfile.objects.filter(grade_band="").update(grade_band="B")


def _answer_everyone(wave):
    rng = random.Random(11)
    for profile in StaffProfile.objects.filter(pk__in=wave.participation.values("profile_id")).order_by("pk"):
        if rng.random() < 0.85:
            comment = rng.choice(COMMENTS) if rng.random() < 0.9 else None
            services.response_submit(profile=profile, wave=wave, answers=random_answers(wave.survey, rng, comment=comment))


@pytest.mark.django_db(transaction=True)
def test_hr_runs_a_survey_and_reads_its_results(page, live_server, tmp_path):
    org = build_org()
    _staff(org)
    sign_in(page, live_server, org.hr.email, PASSWORD, totp=totp_secret(org.hr))

    # Create a survey from a template.
    page.goto(f"{live_server.url}/surveys/manage/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Surveys")
    check_page(page, "survey-manage-empty")
    fits_320(page, "survey-manage-empty")
    page.get_by_role("button", name="Create a survey").click()
    page.get_by_role("button", name="Create the survey").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("Choose a template.")
    check_page(page, "survey-create-errors")
    page.get_by_label("AI readiness pulse").check()
    page.get_by_label("Title (optional)").fill("AI readiness: spring check-in")
    page.get_by_role("button", name="Create the survey").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("AI readiness: spring check-in")
    check_page(page, "survey-detail-new")

    # Schedule a wave that opens now; a bad closing time first.
    page.get_by_role("button", name="Schedule a wave").click()
    page.get_by_label("Name").fill("Spring 2026")
    page.get_by_label("Now").check()
    page.get_by_label("Closes at").fill("2020-01-01T09:00")
    page.get_by_role("button", name="Schedule the wave").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("The closing time must be in the future.")
    check_page(page, "survey-wave-errors")
    page.get_by_label("Closes at").fill("2099-06-30T17:00")
    page.get_by_label("Chosen departments").check()
    check_page(page, "survey-wave-form")
    page.get_by_label("Everyone in the organisation").check()
    page.get_by_role("button", name="Schedule the wave").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text("Spring 2026 is open")
    check_page(page, "survey-detail-open")
    fits_320(page, "survey-detail-open")
    page.goto(f"{live_server.url}/surveys/manage/")
    fits_320(page, "survey-manage-list")
    page.go_back()

    # While it runs: the response rate only.
    wave = Wave.objects.get(name="Spring 2026")
    _answer_everyone(wave)
    page.get_by_role("link", name="Response rate of Spring 2026").click()
    expect(page.get_by_role("table", name="Response rate so far")).to_be_visible()
    expect(page.locator("[data-cell]")).to_have_count(0)
    check_page(page, "survey-results-open")
    fits_320(page, "survey-results-open")

    # Close it now; the results are ready.
    page.go_back()
    page.get_by_role("button", name="Close now (Spring 2026)").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text("Its results are ready")
    page.get_by_role("link", name="Results of Spring 2026").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Spring 2026: results")
    expect(page.get_by_role("heading", name="Departments by dimension")).to_be_visible()
    # It opens with a summary and a list of its sections.
    summary = page.locator(".tandem-results-summary")
    expect(summary).to_contain_text("Response rate")
    expect(summary).to_contain_text("Scores by ADKAR element")
    expect(summary).to_contain_text("Barrier point")
    expect(summary).to_contain_text("nothing to compare it with yet")
    page.get_by_role("navigation", name="Contents").get_by_role("link", name="Departments by dimension").click()
    expect(page.locator(".tandem-heat-legend")).to_contain_text("0.6 or more below")
    check_page(page, "survey-results-organisation")
    fits_320(page, "survey-results-organisation")

    # A department, narrowed by work pattern; then more attributes at once, which is refused.
    page.get_by_label("Department", exact=True).select_option(label="\u2014 \u2014 Finance")
    page.get_by_label("Work pattern").select_option("office")
    page.get_by_role("button", name="Show results").click()
    expect(page.locator("#results h2").first).to_have_text("Finance and the teams beneath it: Office")
    check_page(page, "survey-results-filtered")
    page.get_by_label("Contract").select_option("full-time")
    page.get_by_label("Work email").select_option("True")
    page.get_by_role("button", name="Show results").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("Choose one of work pattern, contract, work email and grade band at a time")
    check_page(page, "survey-results-too-many-filters")

    # Downloads.
    page.goto(f"{live_server.url}/surveys/results/{wave.pk}/")
    with page.expect_download() as download:
        page.get_by_role("link", name="Download these results as CSV").click()
    path = tmp_path / "results.csv"
    download.value.save_as(path)
    text = path.read_text(encoding="utf-8-sig")
    assert text.startswith("About these results") and "Departments by dimension" in text

    # Comments: read, and hide one.
    page.get_by_role("link", name="Read the comments").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Comments")
    comments = page.locator(".tandem-comment__text")
    count = comments.count()
    assert count >= 10
    check_page(page, "survey-comments")
    page.get_by_role("button", name="Hide this comment").first.click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text("Comment hidden")
    expect(page.get_by_role("heading", name="Hidden by HR")).to_be_visible()
    sign_out(page)

    # A manager: their own departments, never the organisation's figures.
    sign_in(page, live_server, org.env_manager.email, PASSWORD)
    page.goto(f"{live_server.url}/surveys/results/")
    check_page(page, "survey-results-list-manager")
    page.get_by_role("link", name="Spring 2026").click()
    expect(page.locator("#results h2").first).to_have_text("Environment and the teams beneath it")
    assert "Whole organisation" not in page.locator("main").inner_text()
    check_page(page, "survey-results-manager")
    fits_320(page, "survey-results-manager")
    response = page.goto(f"{live_server.url}/surveys/results/{wave.pk}/?department={org.finance.pk}")
    assert response.status == 404


@pytest.mark.django_db(transaction=True)
def test_hr_reads_named_answers(page, live_server):
    org = build_org()
    _staff(org)
    survey = services.survey_create_from_template(actor=org.hr, key="module-feedback")
    from datetime import timedelta

    from django.utils import timezone

    now = timezone.now()
    wave = Wave.objects.create(survey=survey, name="After module 1", opens_at=now - timedelta(days=1),
                               closes_at=now + timedelta(days=1))
    wave.departments.add(org.waste)
    wave = services.wave_open(wave_id=wave.pk)
    _answer_everyone(wave)
    Wave.objects.filter(pk=wave.pk).update(closes_at=now)
    services.wave_close(wave_id=wave.pk)

    sign_in(page, live_server, org.hr.email, PASSWORD, totp=totp_secret(org.hr))
    page.goto(f"{live_server.url}/surveys/manage/{survey.pk}/")
    check_page(page, "survey-detail-named")
    fits_320(page, "survey-detail-named")
    page.get_by_role("link", name=re.compile("Answers by person")).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Answers by person")
    expect(page.locator("main")).to_contain_text(org.frontline.profile.full_name)
    check_page(page, "survey-named-answers")


@pytest.mark.django_db(transaction=True)
def test_choice_questions_are_drawn_with_their_tables(page, live_server):
    """The sentiment survey's choose-one and choose-any questions: a stacked bar and bars, each beside its
    table."""
    from datetime import timedelta

    from django.utils import timezone

    org = build_org()
    _staff(org)
    survey = services.survey_create_from_template(actor=org.hr, key="ai-sentiment")
    now = timezone.now()
    wave = Wave.objects.create(survey=survey, name="Autumn", opens_at=now - timedelta(days=1),
                               closes_at=now + timedelta(days=1))
    wave = services.wave_open(wave_id=wave.pk)
    _answer_everyone(wave)
    Wave.objects.filter(pk=wave.pk).update(closes_at=now)
    services.wave_close(wave_id=wave.pk)

    sign_in(page, live_server, org.hr.email, PASSWORD, totp=totp_secret(org.hr))
    page.goto(f"{live_server.url}/surveys/results/{wave.pk}/")
    # Folded a section at a time (sections of free text only have no figures here).
    page.set_viewport_size(PHONE)
    folds = page.locator("details.tandem-answers-section > summary")
    expect(folds.first).to_have_text("Using AI now: 1 question")
    expect(page.get_by_text("How you feel: 8 questions")).to_be_visible()
    worries = page.get_by_role("heading", name="Which of these worry you, if any?")
    expect(worries).to_be_hidden()
    check_page(page, "survey-results-answers-folded")
    page.get_by_text("Worries: 1 question").click()
    expect(worries).to_be_visible()
    folds.first.click()
    table = page.get_by_role("table", name=re.compile("Answers to .How often do you use AI tools"))
    expect(table).to_be_visible()
    check_page(page, "survey-results-choices")
