"""The header menu fits one row at 1280 px for every role, and its sub-navigation leads to each page
of a section (config/navigation.py builds both)."""

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import DESKTOP, PHONE, SCREENSHOTS, check_page, sign_in, totp_secret
from tests.factories import PASSWORD, build_org

ROLES = ["staff", "manager", "hr", "author", "admin"]


def _user(org, role):
    return {"staff": org.staff, "manager": org.env_manager, "hr": org.hr, "author": org.author, "admin": org.admin}[role]


@pytest.mark.parametrize("role", ROLES)
def test_menu_fits_one_row_at_1280(page, live_server, role):
    org = build_org()
    user = _user(org, role)
    totp = totp_secret(user) if role in ("hr", "admin") else None
    sign_in(page, live_server, user.email, PASSWORD, totp=totp)
    page.goto(f"{live_server.url}/learning/")
    page.set_viewport_size(DESKTOP)
    items = page.locator("#navigation > li")
    tops = [round(box["y"]) for box in (items.nth(i).bounding_box() for i in range(items.count()))]
    assert len(tops) >= 5
    assert len(set(tops)) == 1, f"{role}: menu items on {len(set(tops))} rows (tops {tops})"
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"navigation-{role}-desktop.png"))
    page.set_viewport_size(PHONE)
    page.get_by_role("button", name="Menu").click()  # collapsed on a phone: open it to look at
    expect(page.locator("#navigation")).to_be_visible()
    page.screenshot(path=str(SCREENSHOTS / f"navigation-{role}-phone.png"), full_page=True)


def test_sub_navigation_leads_to_each_page_of_a_section(page, live_server):
    org = build_org()
    sign_in(page, live_server, org.hr.email, PASSWORD, totp=totp_secret(org.hr))
    page.get_by_role("navigation", name="Menu").get_by_role("link", name="Surveys").click()
    subnav = page.get_by_role("navigation", name="Surveys")
    expect(subnav.locator("[aria-current]")).to_have_text("Surveys to answer")
    check_page(page, "navigation-surveys")
    subnav.get_by_role("link", name="Survey results").click()
    expect(page.get_by_role("navigation", name="Surveys").locator("[aria-current]")).to_have_text("Survey results")
    page.get_by_role("navigation", name="Surveys").get_by_role("link", name="Run surveys").click()
    expect(page.get_by_role("navigation", name="Menu").locator("[aria-current]")).to_have_text("Surveys")
    page.get_by_role("navigation", name="Menu").get_by_role("link", name="People").click()
    expect(page.get_by_role("navigation", name="People").locator("[aria-current]")).to_have_text("Departments")
    check_page(page, "navigation-people")
