"""Sign-in slips: a manager prints one for frontline staff without a work email, who use it once to
choose a password and then sign in with their staff number."""

import re
from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from organisation import services
from organisation.models import SignInCode
from tests.e2e.conftest import check_page, sign_in, sign_out
from tests.factories import PASSWORD, build_org

NEW_PASSWORD = "wheelie-bin-sunrise-42"


def enter_code(page, live_server, staff_number: str, code: str) -> None:
    page.goto(f"{live_server.url}/sign-in/code/")
    page.get_by_label("Staff number").fill(staff_number)
    page.get_by_label("Sign-in code").fill(code)
    page.get_by_role("button", name="Continue").click()


@pytest.mark.django_db(transaction=True)
def test_manager_prints_slip_and_staff_member_uses_it(page, live_server):
    org = build_org()
    dave = org.frontline.profile

    # The manager opens their department from the home page and prints a slip for Dave.
    sign_in(page, live_server, org.env_manager.email, PASSWORD)
    page.locator("main").get_by_role("link", name="Environment", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Environment")
    check_page(page, "department-detail")
    page.get_by_label(f"Sign-in slip for {dave.full_name}").check()
    page.get_by_role("button", name="Print sign-in slips for ticked staff").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Sign-in slips")
    slip = page.locator(".tandem-slip")
    expect(slip).to_have_count(1)
    expect(slip).to_contain_text(dave.full_name)
    expect(slip.locator(".tandem-code").nth(0)).to_have_text(dave.staff_number)
    code = slip.locator(".tandem-code").nth(1).inner_text().strip()
    assert re.fullmatch(r"[A-Z0-9]{4}-[A-Z0-9]{4}", code), code
    check_page(page, "sign-in-slips")
    sign_out(page)

    # Dave follows the slip: staff number and code, then a password of his own.
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_role("link", name="I have a sign-in slip from my manager").click()
    expect(page).to_have_url(f"{live_server.url}/sign-in/code/")
    check_page(page, "sign-in-code")
    enter_code(page, live_server, dave.staff_number, code)
    expect(page).to_have_url(f"{live_server.url}/sign-in/code/password/")
    expect(page.locator("main")).to_contain_text(dave.staff_number)
    check_page(page, "sign-in-code-password")

    page.get_by_label("Choose a password").fill(NEW_PASSWORD)
    page.get_by_label("Type the password again").fill(NEW_PASSWORD + "x")
    page.get_by_role("button", name="Set password and sign in").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("The two passwords do not match.")
    check_page(page, "sign-in-code-password-mismatch")

    page.get_by_label("Choose a password").fill(NEW_PASSWORD)
    page.get_by_label("Type the password again").fill(NEW_PASSWORD)
    page.get_by_role("button", name="Set password and sign in").click()
    expect(page).to_have_url(f"{live_server.url}/")
    expect(page.locator("main")).to_contain_text("Your password is set.")
    expect(page.locator("main")).to_contain_text("You are signed in as")
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Hello, {org.frontline.first_name}")
    check_page(page, "home-after-slip")
    sign_out(page)

    # Next time: staff number and the new password.
    sign_in(page, live_server, dave.staff_number, NEW_PASSWORD)
    expect(page).to_have_url(f"{live_server.url}/")
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Hello, {org.frontline.first_name}")
    sign_out(page)

    # The slip's code works once only.
    enter_code(page, live_server, dave.staff_number, code)
    expect(page).to_have_url(f"{live_server.url}/sign-in/code/")
    summary = page.locator(".govuk-error-summary")
    expect(summary).to_contain_text("This code has already been used.")
    expect(page.locator("#id_code-error")).to_contain_text("already been used")
    check_page(page, "sign-in-code-used")


@pytest.mark.django_db(transaction=True)
def test_expired_code_is_refused_clearly(page, live_server):
    org = build_org()
    dave = org.frontline.profile
    [slip] = services.sign_in_slips_issue(issued_by=org.env_manager, profiles=[dave])
    SignInCode.objects.filter(profile=dave).update(expires_at=timezone.now() - timedelta(minutes=1))

    enter_code(page, live_server, dave.staff_number, slip.code)
    expect(page).to_have_url(f"{live_server.url}/sign-in/code/")
    expect(page.locator(".govuk-error-summary")).to_contain_text("This code has expired")
    expect(page.locator("#id_code-error")).to_contain_text("Ask your manager for a new slip")
    check_page(page, "sign-in-code-expired")
