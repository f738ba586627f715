"""MFA is required of each session, not of the account (issue 11, DESIGN.md "MFA"): where MFA is
required (HR, admins, staff status; outside demo mode), a signed-in session that has not completed it
reaches no page but the step that completes it, and signing out, however it began: password, sign-in
slip, Entra ID, password reset. Completing it is allauth's "mfa" record in the session."""

import re

import pytest
from django.core import mail
from django.urls import reverse

from organisation.models import CouncilSettings
from tests.e2e.conftest import totp_code, totp_secret
from tests.factories import PASSWORD, give_totp

STEP = reverse("sign_in_authenticator")
PRIVILEGED_PAGES = ["/", "/organisation/import/", "/organisation/departments/", "/organisation/settings/",
                    "/organisation/audit/", "/django-admin/", "/django-admin/organisation/user/"]
# What a session that has not completed MFA must not use to lock the owner out or get round the step.
ACCOUNT_PAGES = ["account_change_password", "account_reauthenticate", "mfa_index", "mfa_deactivate_totp",
                 "mfa_generate_recovery_codes", "mfa_view_recovery_codes", "mfa_activate_totp",
                 "socialaccount_connections"]


def step_for(path):
    return f"{STEP}?next={path.replace('/', '%2F')}"


@pytest.mark.parametrize("path", PRIVILEGED_PAGES)
@pytest.mark.parametrize("role", ["hr", "admin"])
def test_an_authenticator_is_not_enough_the_session_must_use_it(client, org, role, path):
    client.force_login(getattr(org, role), mfa=False)
    response = client.get(path)
    assert response.status_code == 302 and response["Location"] == step_for(path)


@pytest.mark.parametrize("name", ACCOUNT_PAGES)
def test_before_mfa_the_account_pages_are_closed_too(client, org, name):
    client.force_login(org.admin, mfa=False)
    response = client.get(reverse(name))
    assert response.status_code == 302 and response["Location"].startswith(STEP)


def test_a_post_before_mfa_is_not_carried_out(client, org):
    client.force_login(org.admin, mfa=False)
    response = client.post(reverse("organisation:settings_branding"), {"name": "Taken over", "colour": "#17577a"})
    assert response.status_code == 302 and response["Location"] == STEP
    assert CouncilSettings.load().name != "Taken over"


def test_staff_status_needs_the_step_too(client, org):
    org.author.is_staff = True
    org.author.save()
    give_totp(org.author)
    client.force_login(org.author, mfa=False)
    assert client.get("/django-admin/")["Location"] == step_for("/django-admin/")


def test_the_step_page_itself_and_signing_out_stay_open(client, org):
    client.force_login(org.hr, mfa=False)
    assert client.get(STEP).status_code == 200
    assert client.post(reverse("account_logout")).status_code == 302
    assert "_auth_user_id" not in client.session


def test_public_pages_stay_open(client, org):
    client.force_login(org.hr, mfa=False)
    for path in ["/privacy/", "/accessibility/", "/transparency/", "/healthz"]:
        assert client.get(path).status_code == 200, path


def test_staff_and_managers_are_not_asked(client, org):
    give_totp(org.staff)
    for user in (org.staff, org.env_manager, org.frontline):
        client.force_login(user, mfa=False)
        assert client.get("/").status_code == 200


def test_demo_mode_does_not_ask(client, org, settings):
    settings.MFA_ENFORCED = False
    client.force_login(org.hr, mfa=False)
    assert client.get("/organisation/import/").status_code == 200


# --- The step: our page for a session that began some other way ------------------------------------

def test_the_right_code_completes_the_session_and_returns_to_the_page(client, org):
    client.force_login(org.hr, mfa=False)
    before = client.session.session_key
    response = client.post(STEP, {"code": totp_code(totp_secret(org.hr)), "next": "/organisation/import/"})
    assert response.status_code == 302 and response["Location"] == "/organisation/import/"
    assert client.get("/organisation/import/").status_code == 200
    records = client.session["account_authentication_methods"]
    assert records[-1]["method"] == "mfa" and records[-1]["type"] == "totp"  # allauth's own record
    assert client.session.session_key != before  # more power, new session key


def test_a_wrong_code_leaves_the_session_where_it_was(client, org):
    client.force_login(org.hr, mfa=False)
    right = totp_code(totp_secret(org.hr))
    response = client.post(STEP, {"code": "000000" if right != "000000" else "111111"})
    assert response.status_code == 200 and "There is a problem" in response.content.decode()
    assert client.get("/organisation/import/")["Location"] == step_for("/organisation/import/")


def test_a_recovery_code_completes_the_step(client, org):
    from allauth.mfa.recovery_codes.internal.auth import RecoveryCodes

    codes = RecoveryCodes.activate(org.hr).generate_codes()
    client.force_login(org.hr, mfa=False)
    assert client.post(STEP, {"code": codes[0]})["Location"] == reverse("home")
    assert client.get("/organisation/import/").status_code == 200


def test_guessing_codes_is_rate_limited(client, org):
    client.force_login(org.hr, mfa=False)
    for _ in range(5):
        client.post(STEP, {"code": "000001"})
    response = client.post(STEP, {"code": totp_code(totp_secret(org.hr))})
    assert response.status_code == 200 and "Too many failed" in response.content.decode()
    assert client.get("/organisation/import/")["Location"].startswith(STEP)


@pytest.mark.parametrize("next_url", ["https://evil.example/", "//evil.example/"])
def test_the_step_returns_only_to_this_site(client, org, next_url):
    client.force_login(org.hr, mfa=False)
    response = client.post(STEP, {"code": totp_code(totp_secret(org.hr)), "next": next_url})
    assert response["Location"] == reverse("home")


def test_the_record_must_be_this_users(client, org):
    """An "mfa" record left in the session by someone else proves nothing for the person signed in."""
    client.force_login(org.admin, mfa=False)
    session = client.session
    session["account_authentication_methods_user"] = str(org.hr.pk)
    session["account_authentication_methods"] = [{"method": "mfa", "at": 0, "type": "totp"}]
    session.save()
    assert client.get("/django-admin/")["Location"] == step_for("/django-admin/")


# --- Every way in --------------------------------------------------------------------------------------

def test_password_sign_in_reaches_no_hr_page_before_the_code(client, org):
    response = client.post(reverse("account_login"), {"login": org.hr.email, "password": PASSWORD})
    assert response["Location"] == reverse("mfa_authenticate")
    for path in PRIVILEGED_PAGES:
        response = client.get(path)
        signed_in_elsewhere = ("/accounts/login/", "/django-admin/login/", STEP)
        assert response.status_code == 302 and response["Location"].startswith(signed_in_elsewhere), path
    response = client.post(reverse("mfa_authenticate"), {"code": totp_code(totp_secret(org.hr))})
    assert response.status_code == 302
    assert client.get("/organisation/import/").status_code == 200


def _reset_password(client, user, new_password="a-brand-new-password-7"):
    client.post(reverse("account_reset_password"), {"email": user.email})
    [message] = mail.outbox
    link = re.search(r"/accounts/password/reset/key/\S+/", message.body).group(0)
    response = client.get(link)  # allauth moves the key into the session and redirects
    return client.post(response["Location"], {"password1": new_password, "password2": new_password})


def test_password_reset_does_not_sign_in(client, org):
    _reset_password(client, org.admin)
    assert "_auth_user_id" not in client.session
    assert client.get("/django-admin/").status_code == 302


def test_password_reset_that_signs_in_still_asks_for_the_code(client, org, settings):
    settings.ACCOUNT_LOGIN_ON_PASSWORD_RESET = True
    response = _reset_password(client, org.admin)
    assert response["Location"] == reverse("mfa_authenticate")
    for path in PRIVILEGED_PAGES:
        assert client.get(path).status_code == 302, path


def _entra_session(client, user):
    client.force_login(user, mfa=False)
    session = client.session
    session["account_authentication_methods_user"] = str(user.pk)
    session["account_authentication_methods"] = [{"method": "socialaccount", "provider": "microsoft", "at": 0}]
    session.save()


def test_entra_sign_in_with_an_authenticator_needs_the_code_unless_trusted(client, org):
    _entra_session(client, org.hr)
    assert client.get("/organisation/import/")["Location"] == step_for("/organisation/import/")
    CouncilSettings.objects.update_or_create(pk=1, defaults={"trust_idp_mfa": True})
    assert client.get("/organisation/import/").status_code == 200


def test_a_role_given_during_a_session_needs_the_step(client, org):
    give_totp(org.staff)
    client.force_login(org.staff, mfa=False)
    assert client.get("/").status_code == 200
    org.staff.is_superuser = True
    org.staff.save()
    assert client.get("/organisation/settings/")["Location"] == step_for("/organisation/settings/")
