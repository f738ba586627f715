"""MFA is asked of each session, on a real browser (issue 11): an HR user's password alone opens no HR
page nor the Django admin, and a session that began with a sign-in slip, whose person has since been
given a role and an authenticator, must enter the code before any HR page."""

import re

import pytest
from django.contrib.auth.models import Group
from playwright.sync_api import expect

from organisation import services
from organisation.roles import HR_GROUP
from tests.e2e.conftest import check_page, sign_in, sign_out, totp_code, totp_secret
from tests.e2e.test_sign_in_slips import NEW_PASSWORD, enter_code
from tests.factories import PASSWORD, build_org, give_totp, make_staff


@pytest.mark.django_db(transaction=True)
def test_password_alone_opens_no_hr_page_nor_the_django_admin(page, live_server):
    org = build_org()
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("Work email or staff number").fill(org.admin.email)
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Sign in", exact=True).click()
    expect(page).to_have_url(re.compile(r"/accounts/2fa/authenticate/$"))

    # Leaving the code step for an admin page: not signed in, so back to the code step.
    for path in ("/organisation/import/", "/organisation/settings/", "/django-admin/"):
        page.goto(f"{live_server.url}{path}")
        expect(page).to_have_url(re.compile(r"/accounts/2fa/authenticate/$"))
        expect(page.get_by_role("heading", level=1)).to_have_text("Enter the code from your authenticator app")

    # With the code, in this session, the admin gets in.
    page.get_by_label("Code").fill(totp_code(totp_secret(org.admin)))
    page.get_by_role("button", name="Sign in", exact=True).click()
    expect(page).to_have_url(f"{live_server.url}/")
    page.goto(f"{live_server.url}/django-admin/")
    expect(page).to_have_url(f"{live_server.url}/django-admin/")
    expect(page.locator("body")).to_contain_text("Tandem administration")


@pytest.mark.django_db(transaction=True)
def test_a_slip_session_given_a_role_must_enter_the_code(page, live_server):
    org = build_org()
    dave = org.frontline.profile
    [slip] = services.sign_in_slips_issue(issued_by=org.env_manager, profiles=[dave])
    enter_code(page, live_server, dave.staff_number, slip.code)
    page.get_by_label("Choose a password").fill(NEW_PASSWORD)
    page.get_by_label("Type the password again").fill(NEW_PASSWORD)
    page.get_by_role("button", name="Set password and sign in").click()
    expect(page).to_have_url(f"{live_server.url}/")

    # While Dave is signed in, he is made HR and given an authenticator (say, by an admin).
    Group.objects.get_or_create(name=HR_GROUP)[0].user_set.add(org.frontline)
    secret = give_totp(org.frontline)

    page.goto(f"{live_server.url}/organisation/import/")
    expect(page).to_have_url(re.compile(r"/sign-in/authenticator/\?next="))
    expect(page.get_by_role("heading", level=1)).to_have_text("Enter the code from your authenticator app")
    check_page(page, "sign-in-authenticator")

    right = totp_code(secret)
    page.get_by_label("Code").fill("000000" if right != "000000" else "111111")
    page.get_by_role("button", name="Continue").click()
    expect(page.locator(".govuk-error-summary")).to_be_visible()
    check_page(page, "sign-in-authenticator-wrong-code")

    page.get_by_label("Code").fill(totp_code(secret))
    page.get_by_role("button", name="Continue").click()
    expect(page).to_have_url(f"{live_server.url}/organisation/import/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Import staff from the HR system")


@pytest.mark.django_db(transaction=True)
def test_no_slip_for_staff_with_an_authenticator(page, live_server):
    org = build_org()
    protected = make_staff(org.waste, first="Pat", with_email=False, work_pattern="frontline")
    give_totp(protected.user)
    sign_in(page, live_server, org.env_manager.email, PASSWORD)
    page.goto(f"{live_server.url}/organisation/departments/{org.waste.pk}/")
    row = page.get_by_role("row").filter(has_text=protected.staff_number)
    expect(row).to_contain_text("Not available")
    expect(page.get_by_label(f"Sign-in slip for {protected.full_name}")).to_have_count(0)
    check_page(page, "department-detail-slip-not-available")
    sign_out(page)
