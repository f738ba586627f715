"""A frontline member of staff on a phone (375px) completes a small module: the confidence question
before, each lesson and its check (one answer wrong twice, its right answer then shown), the
confidence question after, and
the certificate; then anyone checks the certificate's code. Every page is axe-checked and
screenshotted at both widths; part of the way is done with the keyboard alone."""

import re
from datetime import timedelta

import pytest
from django.conf import settings
from django.utils import timezone
from playwright.sync_api import expect

from courses.curriculum import load_curriculum
from courses.models import Certificate, Enrolment, Lesson
from tests.courses.conftest import load_small_module
from tests.e2e.conftest import PHONE, SCREENSHOTS, check_page, sign_in
from tests.factories import PASSWORD, build_org

NARROWEST = {"width": 320, "height": 640}


def fits_320(page, name: str | None = None) -> None:
    """At 320px (the narrowest phones, and 400% zoom on a desktop) nothing makes the page scroll
    sideways. `name`: also screenshot it there."""
    page.set_viewport_size(NARROWEST)
    try:
        if name:
            page.screenshot(path=str(SCREENSHOTS / f"{name}-320.png"), full_page=True)
        widths = page.evaluate("[document.documentElement.scrollWidth, document.documentElement.clientWidth]")
        assert widths[0] <= widths[1], f"{page.url} scrolls sideways at 320px: {widths}"
    finally:
        page.set_viewport_size(PHONE)


def focused_class(page) -> str:
    return page.evaluate("document.activeElement ? document.activeElement.className : ''")


def check(page, label: str) -> None:
    page.locator("main").get_by_label(label, exact=True).check()


@pytest.mark.django_db(transaction=True)
def test_staff_member_completes_a_module_on_a_phone(page, live_server, tmp_path):
    org = build_org()
    dave = org.frontline
    module = load_small_module(tmp_path)
    Enrolment.objects.create(profile=dave.profile, module=module, due_date=timezone.localdate() + timedelta(days=7))
    page.set_viewport_size(PHONE)
    main = page.locator("main")

    # Home: the assigned module is up next.
    sign_in(page, live_server, dave.username, PASSWORD)
    expect(main.get_by_role("heading", name="Up next")).to_be_visible()
    check_page(page, "learning-home")
    fits_320(page, "learning-home")
    main.get_by_role("button", name=f"Start {module.title}").click()

    # The module page.
    expect(main.get_by_role("heading", level=1)).to_have_text(module.title)
    check_page(page, "learning-module-not-started")
    fits_320(page, "learning-module-not-started")
    main.get_by_role("button", name="Start now").click()

    # Confidence before: a missing answer is an error first.
    expect(main.get_by_role("heading", level=1)).to_have_text(module.confidence_question)
    check_page(page, "learning-confidence-before")
    main.get_by_role("button", name="Start the first lesson").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("Choose how confident you feel, from 1 to 5")
    check_page(page, "learning-confidence-before-error")
    fits_320(page, "learning-confidence-before-error")
    check(page, "2 – A little confident")
    main.get_by_role("button", name="Start the first lesson").click()

    # Lesson 1: wrong, then right.
    expect(main.get_by_role("heading", level=1)).to_have_text("First steps")
    expect(main.locator(".admonition.tryit")).to_contain_text("Try it")
    expect(main.locator(".admonition.watchout")).to_contain_text("Watch out")
    check_page(page, "learning-lesson")
    fits_320(page, "learning-lesson")
    check(page, "A public chatbot.")
    main.get_by_role("button", name="Check my answers").click()
    banner = main.locator(".govuk-notification-banner")
    expect(banner).to_contain_text("You got 0 of 1 right.")
    # Screen readers hear the result: the banner is an alert and takes focus when the page loads.
    expect(banner).to_have_attribute("role", "alert")
    expect(banner).to_be_focused()
    # Why the chosen answer is wrong, but not which one is right: trying again is the main button.
    expect(main).to_contain_text("You chose this. Not right:")
    expect(main).to_contain_text("A public chatbot is not approved for personal data.")
    expect(main).not_to_contain_text("Only approved tools may hold residents' personal data.")
    expect(main.locator(".govuk-button-group .govuk-button").first).to_have_text("Try again")
    expect(main.get_by_role("button", name="Try again")).not_to_have_class(re.compile("govuk-button--secondary"))
    check_page(page, "learning-feedback-wrong")
    fits_320(page, "learning-feedback-wrong")
    main.get_by_role("button", name="Try again").click()
    expect(main.locator(".govuk-inset-text")).to_contain_text(
        "You have answered this check before: 0 of 1 right at your first try, and that is your score.")
    check(page, "A public chatbot.")  # wrong again: now the right answer is shown, and moving on comes first
    main.get_by_role("button", name="Check my answers").click()
    expect(main).to_contain_text("The right answer: None, unless the council has approved the tool for personal data.")
    expect(main).to_contain_text("Only approved tools may hold residents' personal data.")
    expect(main.locator(".govuk-button-group .govuk-button").first).to_contain_text("Next lesson")
    check_page(page, "learning-feedback-revealed")
    fits_320(page, "learning-feedback-revealed")
    main.get_by_role("button", name="Next lesson").click()

    # Lesson 2 with the keyboard alone: Space ticks, Enter follows a button. The options come in an
    # order shuffled for this learner, so each is found by its label.
    expect(main.get_by_role("heading", level=1)).to_have_text("Second steps")
    for label in ("Check it and take responsibility for it.", "A reference you cannot find.",
                  "Very exact figures with no source."):
        main.get_by_label(label).focus()
        page.keyboard.press("Space")
    main.locator(".govuk-checkboxes__input").last.focus()
    page.keyboard.press("Tab")  # from the last checkbox to the submit button
    expect(main.get_by_role("button", name="Check my answers")).to_be_focused()
    page.keyboard.press("Enter")
    expect(banner).to_contain_text("You got 2 of 2 right.")
    expect(banner).to_be_focused()
    main.get_by_role("button", name="Next lesson").focus()
    page.keyboard.press("Enter")

    # Lesson 3, the last: then finish.
    expect(main.get_by_role("heading", level=1)).to_have_text("Last steps")
    expect(main.get_by_role("navigation", name="Lessons").get_by_role("link")).to_have_count(1)  # previous only
    check(page, "A trained officer.")
    main.get_by_role("button", name="Check my answers").click()
    expect(banner).to_contain_text("You got 1 of 1 right.")
    check_page(page, "learning-feedback-last")
    main.get_by_role("button", name="Finish the module").click()

    # Confidence after, then the certificate.
    expect(main.locator(".govuk-caption-l")).to_contain_text("Now you have finished")
    check_page(page, "learning-confidence-after")
    check(page, "4 – Confident")
    main.get_by_role("button", name="Save and see your certificate").click()
    certificate = Certificate.objects.get(enrolment__profile=dave.profile)
    expect(main.get_by_role("heading", level=1)).to_have_text("Module completed")
    expect(main).to_contain_text(certificate.code)
    expect(main).to_contain_text("2 out of 5 before the module and 4 out of 5 after it")
    check_page(page, "learning-certificate")
    fits_320(page, "learning-certificate")
    enrolment = Enrolment.objects.get(profile=dave.profile, module=module)
    assert (enrolment.status, enrolment.confidence_before, enrolment.confidence_after) == ("completed", 2, 4)
    assert enrolment.best_score == 75  # lesson 1's first try was wrong: three of four at the first try

    with page.expect_download() as download:
        main.get_by_role("button", name="Download the certificate (PDF)").click()
    pdf = download.value
    assert pdf.suggested_filename == f"certificate-{certificate.code}.pdf"
    with open(pdf.path(), "rb") as f:
        assert f.read(5) == b"%PDF-"

    # My learning shows it completed.
    main.get_by_role("link", name="Back to my learning").click()
    expect(main.locator(".govuk-task-list__status")).to_contain_text("Completed")
    check_page(page, "learning-my-learning")
    fits_320(page, "learning-my-learning")

    # Anyone can check the certificate: by typing the code, and an unknown code is a clear 404.
    context = page.context.browser.new_context(viewport=PHONE, locale="en-GB")
    public = context.new_page()
    public.goto(f"{live_server.url}/certificates/verify/")
    check_page(public, "certificate-verify-lookup")
    public.get_by_label("Verification code").fill(certificate.code.lower())
    public.get_by_role("button", name="Check the certificate").click()
    expect(public.get_by_role("heading", level=1)).to_have_text("Certificate confirmed")
    expect(public.locator("main")).to_contain_text(certificate.name)
    check_page(public, "certificate-verify")
    response = public.goto(f"{live_server.url}/certificates/verify/NOSUCHCODE1/")
    assert response.status == 404
    expect(public.get_by_role("heading", level=1)).to_have_text("No certificate with that code")
    check_page(public, "certificate-verify-missing")
    context.close()


@pytest.mark.django_db(transaction=True)
def test_below_the_pass_mark_the_module_is_retaken(page, live_server, tmp_path):
    """Every lesson done, half right at the first try (the pass mark is 75%): the module page says so
    and offers a retake, which starts again at the first lesson with nothing answered."""
    from courses.services import learning as services
    from tests.courses.conftest import answers_for, lessons

    org = build_org()
    module = load_small_module(tmp_path)
    enrolment = services.module_begin(profile=org.staff.profile, module=module, confidence=3)
    for lesson, right in zip(lessons(module), (True, False, True), strict=True):
        token = services.submission_token_issue(enrolment=enrolment, lesson=lesson, attempt=1)
        answers = {key.removeprefix("question-"): value for key, value in answers_for(lesson, right=right).items()}
        services.answers_submit(enrolment=enrolment, lesson=lesson, token=token, answers=answers)
    sign_in(page, live_server, org.staff.email, PASSWORD)
    page.goto(f"{live_server.url}/learning/{module.slug}/")
    main = page.locator("main")
    expect(main.locator(".govuk-warning-text")).to_contain_text("Your score is 50% and you need 75%")
    expect(main.locator(".govuk-button")).to_have_count(1)  # the one way on: neither "Continue" nor "Start now"
    check_page(page, "learning-module-retake")
    main.get_by_role("button", name="Retake the module").click()
    expect(main.get_by_role("heading", level=1)).to_have_text("First steps")
    expect(main.locator(".govuk-inset-text")).to_have_count(0)  # nothing answered in this go
    enrolment.refresh_from_db()
    assert enrolment.best_score is None


@pytest.mark.django_db(transaction=True)
def test_every_shipped_lesson_fits_a_320px_screen(page, live_server):
    """The real curriculum (tables, call-outs, long words) at the narrowest phone width; one lesson with
    a table and both call-outs is axe-checked and screenshotted."""
    org = build_org()
    load_curriculum(settings.BASE_DIR / "curriculum")
    sign_in(page, live_server, org.env_manager.email, PASSWORD)  # a manager: every module is for them
    page.set_viewport_size(PHONE)
    lessons = Lesson.objects.filter(retired=False, module__published=True).select_related("module")
    assert lessons.count() >= 30
    started = set()
    for lesson in lessons.order_by("module__order", "order"):
        if lesson.module_id not in started:
            page.goto(f"{live_server.url}/learning/{lesson.module.slug}/confidence/before/")
            page.locator("main").get_by_label("3 – Fairly confident").check()
            page.locator("main").get_by_role("button", name="Start the first lesson").click()
            started.add(lesson.module_id)
        page.goto(f"{live_server.url}/learning/{lesson.module.slug}/{lesson.slug}/")
        expect(page.get_by_role("heading", level=1)).to_have_text(lesson.title)
        fits_320(page)
    page.goto(f"{live_server.url}/learning/what-ai-is/good-at-bad-at/")
    expect(page.locator("main table")).to_have_count(1)
    expect(page.locator("main .admonition")).to_have_count(2)
    check_page(page, "learning-shipped-lesson")
    fits_320(page, "learning-shipped-lesson")
