"""Signing in with the council's identity provider in a real browser: Tandem's sign-in page, its
"Continue" form (which the Content-Security-Policy must let redirect to the provider), the provider
(tests/oidc_provider.py, standing in for Entra ID) and back, signed in."""

import re

import pytest
from playwright.sync_api import expect

from organisation.models import User
from tests.e2e.conftest import check_page
from tests.factories import build_org
from tests.oidc_provider import LocalOIDCProvider, person, use_provider


@pytest.fixture
def idp(settings, monkeypatch):
    with LocalOIDCProvider() as provider:
        use_provider(settings, monkeypatch, provider, OIDC_EMAIL_DOMAINS="example.org")
        yield provider


def _sign_in_with_microsoft(page, live_server, *, check: str | None = None):
    page.goto(f"{live_server.url}/accounts/login/")
    if check:
        check_page(page, f"{check}-sign-in")
    page.get_by_role("button", name="Sign in with Microsoft").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Sign in with Microsoft")
    if check:
        check_page(page, f"{check}-continue")
    page.get_by_role("button", name="Continue").click()


@pytest.mark.django_db(transaction=True)
def test_staff_member_signs_in_with_microsoft(page, live_server, idp):
    org = build_org()
    idp.person = person(org.staff)
    _sign_in_with_microsoft(page, live_server, check="identity-provider")
    expect(page).to_have_url(f"{live_server.url}/")
    expect(page.locator("main").get_by_role("heading", level=1)).to_have_text("Hello, Sam")
    expect(page.get_by_role("button", name="Sign out")).to_be_visible()


@pytest.mark.django_db(transaction=True)
def test_unknown_person_gets_a_plain_message(page, live_server, idp):
    build_org()
    users = User.objects.count()
    idp.person = {"sub": "stranger", "email": "new.starter@example.org", "name": "New Starter"}
    _sign_in_with_microsoft(page, live_server)
    expect(page).to_have_url(re.compile(r"/accounts/oidc/entra/login/callback/"))
    expect(page.get_by_role("heading", level=1)).to_have_text("You have no Tandem account yet")
    expect(page.locator("main")).to_contain_text("new.starter@example.org")
    expect(page.get_by_role("button", name="Sign out")).to_have_count(0)
    check_page(page, "identity-provider-no-account")
    assert User.objects.count() == users
