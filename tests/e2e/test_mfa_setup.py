"""An HR user without an authenticator is made to set one up before reaching any HR page."""

import re

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import check_page, sign_in, totp_code
from tests.factories import PASSWORD, build_org


@pytest.mark.django_db(transaction=True)
def test_hr_sets_up_authenticator_then_reaches_import(page, live_server):
    org = build_org(mfa=False)
    sign_in(page, live_server, org.hr.email, PASSWORD)

    # Signing in leads to authenticator set-up, not the home page...
    page.wait_for_url(re.compile(r"/accounts/(reauthenticate/|2fa/totp/activate/$)"))
    expect(page.locator("main")).to_contain_text("Your role needs an authenticator app")
    if "/accounts/reauthenticate/" in page.url:
        # allauth (MFA_REAUTHENTICATION_REQUIRED, on by default) asks for the password again before
        # adding an authenticator, even straight after signing in.
        check_page(page, "mfa-reauthenticate")
        page.get_by_label("Password", exact=True).fill(PASSWORD)
        page.get_by_role("button", name="Confirm").click()
    expect(page).to_have_url(re.compile(r"/accounts/2fa/totp/activate/$"))
    # ...and so does going straight to an HR page.
    page.goto(f"{live_server.url}/organisation/import/")
    expect(page).to_have_url(re.compile(r"/accounts/2fa/totp/activate/$"))
    check_page(page, "mfa-activate-totp")

    # The secret is shown on the page (for people who cannot scan the QR code): the test's
    # "authenticator app" reads it and works out the current code, as a real app would.
    secret = page.locator("#authenticator_secret").inner_text().strip()
    assert re.fullmatch(r"[A-Z2-7]{16,}=*", secret), secret
    wrong = "000000" if totp_code(secret) != "000000" else "111111"
    page.get_by_label("Authenticator code").fill(wrong)
    page.get_by_role("button", name="Activate").click()
    expect(page.locator(".govuk-error-summary")).to_be_visible()
    check_page(page, "mfa-activate-totp-wrong-code")

    secret_after = page.locator("#authenticator_secret").inner_text().strip()
    assert secret_after == secret  # the same secret is offered again
    page.get_by_label("Authenticator code").fill(totp_code(secret))
    page.get_by_role("button", name="Activate").click()

    # allauth shows the recovery codes it generated with the authenticator.
    expect(page).to_have_url(re.compile(r"/accounts/2fa/recovery-codes/$"))
    check_page(page, "mfa-recovery-codes")

    page.goto(f"{live_server.url}/organisation/import/")
    expect(page).to_have_url(f"{live_server.url}/organisation/import/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Import staff from the HR system")
    check_page(page, "import-upload-after-mfa")
