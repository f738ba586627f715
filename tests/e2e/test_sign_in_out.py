"""Signing in and out as each role, the sign-in page itself, and the public pages."""

import re

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import check_a11y, check_page, sign_in, sign_out, totp_secret
from tests.factories import PASSWORD, build_org

# role -> (Org attribute, signs in with, heading of the section only that role sees)
ROLES = {
    "staff": ("staff", "email", "Your learning and surveys"),
    "frontline": ("frontline", "staff number", "Your learning and surveys"),
    "manager": ("env_manager", "email", "Your departments"),
    "hr": ("hr", "email", "Across the organisation"),
    "author": ("author", "email", "Content"),
    "admin": ("admin", "email", "Council set-up"),
}
ROLE_ONLY_SECTIONS = {"Your departments", "Across the organisation", "Content", "Council set-up"}


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("role", list(ROLES))
def test_sign_in_and_out(page, live_server, role):
    org = build_org()
    attr, method, section = ROLES[role]
    user = getattr(org, attr)
    login = user.email if method == "email" else user.username
    needs_totp = role in {"hr", "admin"}

    sign_in(page, live_server, login, PASSWORD, totp=totp_secret(user) if needs_totp else None,
            check="sign-in-hr" if role == "hr" else None)

    expect(page).to_have_url(f"{live_server.url}/")
    main = page.locator("main")
    expect(main.get_by_role("heading", level=1)).to_have_text(f"Hello, {user.first_name}")
    expect(main.get_by_role("heading", name=section, exact=True)).to_be_visible()
    # Each role sees its own sections, and not the ones of roles it does not have.
    others = ROLE_ONLY_SECTIONS - {section} - ({"Across the organisation", "Content"} if role == "admin" else set())
    for other in others:
        expect(main.get_by_role("heading", name=other, exact=True)).to_have_count(0)
    check_page(page, f"home-{role}")

    # Sign-out is a POST button (with the CSRF token) in the navigation, not a link.
    sign_out_form = page.get_by_role("navigation", name="Menu").locator("form", has=page.get_by_role("button", name="Sign out"))
    expect(sign_out_form).to_have_attribute("method", "post")
    expect(sign_out_form).to_have_attribute("action", "/accounts/logout/")
    expect(sign_out_form.locator("input[name=csrfmiddlewaretoken]")).to_have_count(1)
    session_cookies = page.context.cookies()
    sign_out(page)
    expect(page).to_have_url(re.compile(r"/accounts/login/"))
    expect(page.get_by_role("button", name="Sign out")).to_have_count(0)
    expect(page.locator("main")).to_contain_text("You have signed out.")
    if role == "staff":
        check_page(page, "signed-out")
    else:
        check_a11y(page)

    # Signed out: the home page sends you to sign in...
    page.goto(f"{live_server.url}/")
    expect(page).to_have_url(re.compile(r"/accounts/login/\?next=/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Sign in to Tandem")
    # ...and the old session cookie no longer works either: the session ended on the server.
    page.context.add_cookies(session_cookies)
    page.goto(f"{live_server.url}/")
    expect(page).to_have_url(re.compile(r"/accounts/login/"))


@pytest.mark.django_db(transaction=True)
def test_sign_in_page_and_wrong_password(page, live_server):
    org = build_org()
    page.goto(f"{live_server.url}/")
    expect(page).to_have_url(re.compile(r"/accounts/login/"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Sign in to Tandem")
    check_page(page, "sign-in")

    page.get_by_label("Work email or staff number").fill(org.staff.email)
    page.get_by_label("Password", exact=True).fill("not-the-password")
    page.get_by_role("button", name="Sign in", exact=True).click()

    summary = page.locator(".govuk-error-summary")
    expect(summary).to_be_visible()
    expect(summary.get_by_role("heading")).to_have_text("There is a problem")
    expect(summary).to_contain_text("not correct")
    expect(page.get_by_role("button", name="Sign out")).to_have_count(0)
    check_page(page, "sign-in-wrong-password")


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize(("path", "heading"), [
    ("/privacy/", "Privacy notice"),
    ("/accessibility/", "Accessibility statement for Tandem"),
    ("/transparency/", "How Tandem works"),
])
def test_public_pages(page, live_server, path, heading):
    page.goto(f"{live_server.url}{path}")
    expect(page).to_have_url(f"{live_server.url}{path}")
    expect(page.get_by_role("heading", level=1)).to_have_text(heading)
    check_page(page, path.strip("/"))
