"""A content author looks through every module, previews lessons exactly as staff will see them,
and unpublishes and publishes a module."""

import pytest
from django.conf import settings
from playwright.sync_api import expect

from courses.curriculum import load_curriculum
from courses.models import Module, Option
from organisation.models import CouncilValue
from tests.e2e.conftest import check_page, sign_in
from tests.factories import PASSWORD, build_org


@pytest.mark.django_db(transaction=True)
def test_author_previews_and_publishes(page, live_server):
    org = build_org()
    CouncilValue.objects.create(name="Residents first", description="We start from what residents need.", order=1)
    CouncilValue.objects.create(name="<b>Open</b>", description="We explain our decisions.", order=2)
    load_curriculum(settings.BASE_DIR / "curriculum")
    Module.objects.filter(slug="leading-your-team").update(published=False)

    sign_in(page, live_server, org.author.email, PASSWORD)
    page.goto(f"{live_server.url}/authoring/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Modules to write and publish")
    table = page.get_by_role("table", name="All modules, in catalogue order")
    expect(table.locator("tbody tr")).to_have_count(8)
    expect(table.locator("tbody tr").nth(7)).to_contain_text("Not published")
    check_page(page, "authoring-list")

    # A module and its lessons.
    page.get_by_role("link", name="AI and our values").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("AI and our values")
    check_page(page, "authoring-module")

    # The values lesson, with the council's own values in it (escaped), and its check.
    page.get_by_role("link", name="Your council's values as a compass").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Your council's values as a compass")
    lesson = page.locator(".tandem-lesson")
    expect(lesson).to_contain_text("Residents first: We start from what residents need.")
    expect(lesson).to_contain_text("<b>Open</b>")
    expect(page.locator(".govuk-summary-card").first).to_contain_text("Correct")
    check_page(page, "authoring-preview")

    # A lesson with try-it and watch-out boxes, a table or two: the next lesson along.
    page.get_by_role("link", name="Next lesson").click()
    check_page(page, "authoring-preview-next")

    # Unpublish, then publish again.
    page.get_by_role("link", name="AI and our values: all lessons").click()
    page.get_by_role("button", name="Unpublish").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text("is unpublished")
    check_page(page, "authoring-unpublished")
    assert not Module.objects.get(slug="ai-and-our-values").published
    page.get_by_role("button", name="Publish").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text("is published")
    assert Module.objects.get(slug="ai-and-our-values").published


@pytest.mark.django_db(transaction=True)
def test_author_sees_why_a_module_cannot_be_published(page, live_server):
    org = build_org()
    load_curriculum(settings.BASE_DIR / "curriculum" / "02-using-ai-safely")
    module = Module.objects.get(slug="using-ai-safely")
    Module.objects.filter(pk=module.pk).update(published=False)
    first = module.lessons.order_by("order").first()
    Option.objects.filter(question__lesson=first).update(correct=True)

    sign_in(page, live_server, org.author.email, PASSWORD)
    page.goto(f"{live_server.url}/authoring/{module.slug}/")
    page.get_by_role("button", name="Publish").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text("was not published")
    expect(page.locator("main")).to_contain_text("needs exactly one correct option")
    check_page(page, "authoring-module-problems")
    page.get_by_role("link", name=first.title).first.click()
    expect(page.locator(".govuk-warning-text")).to_contain_text("Fix these before the module is published")
    check_page(page, "authoring-preview-problems")
