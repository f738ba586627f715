"""Signing in with the council's identity provider (Entra ID's OpenID Connect endpoint, or any
OpenID Connect provider), through allauth's real views, against a provider run on 127.0.0.1
(tests/oidc_provider.py): no mocks between Tandem and the provider, only HTTP.

Rules: no sign-up; a sign-in finds only an existing account, by an email the provider vouches for
(`email_verified: true`, or a domain of the council's own); HR and admins still pass Tandem's MFA
unless the council trusts the provider's.
"""

import time
from urllib.parse import parse_qs, urlsplit

import pytest
import requests
from allauth.account.models import EmailAddress
from allauth.socialaccount.models import SocialAccount
from django.core.exceptions import ImproperlyConfigured
from django.test import Client

from config.identity import identity_settings
from organisation.models import CouncilSettings, User
from tests.factories import PASSWORD, build_org, give_totp, make_staff
from tests.oidc_provider import LocalOIDCProvider, person, use_provider

LOGIN = "/accounts/oidc/entra/login/"
DOMAIN = "example.org"  # the factories' staff emails


@pytest.fixture
def provider():
    with LocalOIDCProvider() as p:
        yield p


@pytest.fixture
def idp(settings, monkeypatch, provider):
    """The provider configured as an operator would for Entra ID: the council's domain trusted."""
    use_provider(settings, monkeypatch, provider, OIDC_EMAIL_DOMAINS=DOMAIN)
    return provider


def sign_in_via_idp(client, provider, claims, *, process=None):
    """Press "Sign in with Microsoft" and "Continue", let the provider approve, come back."""
    provider.person = claims
    start = client.post(LOGIN, {"process": process} if process else {})
    assert start.status_code == 302, start.content
    assert start["Location"].startswith(provider.origin)
    at_provider = requests.get(start["Location"], allow_redirects=False, timeout=10)
    assert at_provider.status_code == 302, at_provider.text
    back = urlsplit(at_provider.headers["Location"])
    assert back.path == f"{LOGIN}callback/"
    return client.get(f"{back.path}?{back.query}")


def signed_in_user(client):
    return client.get("/").wsgi_request.user


# --- (a) the flow -----------------------------------------------------------------------------------

def test_sign_in_button_and_confirmation_page(client, idp, db):
    page = client.get("/accounts/login/").content.decode()
    assert f'href="{LOGIN}?process=login"' in page and "Sign in with Microsoft" in page
    confirm = client.get(LOGIN)
    assert confirm.status_code == 200
    assert b"Continue" in confirm.content and b'method="post"' in confirm.content
    # The form's redirect goes to the provider: the policy allows its origin, and only that.
    policy = dict(d.strip().split(" ", 1) for d in confirm["Content-Security-Policy"].split(";"))
    assert policy["form-action"] == f"'self' {idp.origin}"


def test_no_button_when_no_provider_is_configured(client, db):
    assert b"Sign in with" not in client.get("/accounts/login/").content
    assert client.get(LOGIN).status_code == 404


def test_staff_member_signs_in_and_the_identity_is_remembered(client, idp, org):
    response = sign_in_via_idp(client, idp, person(org.staff))
    assert response.status_code == 302 and response["Location"] == "/"
    assert signed_in_user(client) == org.staff
    assert b"Hello, Sam" in client.get("/").content
    # The provider's identity (its `sub`) is now linked, so the next sign-in finds the account by it.
    assert SocialAccount.objects.get(user=org.staff).uid == f"sub-{org.staff.pk}"
    # allauth checked the client's secret, the one-time code, the redirect URI and PKCE at the provider.
    [token_request] = idp.token_requests
    assert token_request["code_verifier"] and token_request["redirect_uri"].endswith(f"{LOGIN}callback/")
    # Nothing else changed: the password still works, no new user.
    assert org.staff.check_password(PASSWORD) and User.objects.count() == 7
    client.post("/accounts/logout/")
    assert not signed_in_user(client).is_authenticated
    assert sign_in_via_idp(client, idp, person(org.staff))["Location"] == "/"
    assert signed_in_user(client) == org.staff


def test_email_case_from_the_provider_does_not_matter(client, idp, org):
    sign_in_via_idp(client, idp, person(org.staff, email=org.staff.email.upper()))
    assert signed_in_user(client) == org.staff


def test_imported_account_whose_invitation_is_unused_can_sign_in(client, idp, org):
    """The staff import stores emails unverified until the invitation link is used: a sign-in with an
    email the provider vouches for proves the address just as well."""
    profile = make_staff(org.finance, first="Imran")
    EmailAddress.objects.filter(user=profile.user).update(verified=False)
    response = sign_in_via_idp(client, idp, person(profile.user))
    assert response["Location"] == "/"
    assert signed_in_user(client) == profile.user


def test_leaver_is_not_signed_in(client, idp, org):
    org.staff.is_active = False
    org.staff.save()
    response = sign_in_via_idp(client, idp, person(org.staff))
    assert response["Location"] == "/accounts/inactive/"
    assert not signed_in_user(client).is_authenticated


# --- (c) who is refused -----------------------------------------------------------------------------

def _refused(response, client):
    assert response.status_code == 403
    text = response.content.decode()
    assert "no Tandem account" in text and "ask your manager or HR" in text, text
    assert not signed_in_user(client).is_authenticated
    assert not SocialAccount.objects.exists()


def test_unknown_email_creates_nothing_and_says_so_plainly(client, idp, org):
    users = User.objects.count()
    response = sign_in_via_idp(client, idp, {"sub": "stranger", "email": f"new.person@{DOMAIN}", "name": "New Person"})
    _refused(response, client)
    assert "new.person@example.org" in response.content.decode()
    assert User.objects.count() == users


def test_email_outside_the_councils_domains_is_not_trusted(client, idp, org):
    """Entra ID sends no `email_verified`; an address outside the council's domains (a guest's, or a
    tenant's `mail` attribute set to anything) must not find an account, even one with that email."""
    outsider = make_staff(org.finance, email="contractor@supplier.example").user
    _refused(sign_in_via_idp(client, idp, person(outsider)), client)


def test_without_trusted_domains_entra_emails_find_no_account(client, settings, monkeypatch, provider, org):
    """What the untested set-up did: allauth treats an email without `email_verified` as unverified,
    so no Entra ID sign-in ever found an account. Configuring the domains is what makes it work."""
    use_provider(settings, monkeypatch, provider)
    _refused(sign_in_via_idp(client, provider, person(org.staff)), client)


def test_provider_that_says_email_verified_is_trusted_without_domains(client, settings, monkeypatch, provider, org):
    use_provider(settings, monkeypatch, provider)
    sign_in_via_idp(client, provider, person(org.staff, email_verified=True))
    assert signed_in_user(client) == org.staff


def test_entra_domain_owner_verified_claim_is_trusted_without_domains(client, settings, monkeypatch, provider, org):
    """`xms_edov` (an optional claim the council can add to the app registration, sent in the id_token
    only): Entra ID says the address's domain is verified in the user's tenant."""
    use_provider(settings, monkeypatch, provider)
    sign_in_via_idp(client, provider, person(org.staff, xms_edov=True))
    assert signed_in_user(client) == org.staff


@pytest.mark.parametrize("claims", [{"email_verified": False}, {"email_verified": "false"}, {"xms_edov": False},
                                    {"xms_edov": "0"}, {"xms_edov": False, "email_verified": True}])
def test_provider_saying_email_not_verified_wins_over_the_domain(client, idp, org, claims):
    _refused(sign_in_via_idp(client, idp, person(org.staff, **claims)), client)


@pytest.mark.parametrize("claim", ["iss", "aud"])
def test_id_token_from_another_tenant_or_for_another_app_is_refused(client, idp, org, claim):
    idp.id_token_overrides = {claim: {"iss": "https://login.microsoftonline.com/another-tenant/v2.0",
                                      "aud": "another-app"}[claim]}
    response = sign_in_via_idp(client, idp, person(org.staff))
    assert response.status_code == 401  # allauth's "sign-in failed" page
    assert not signed_in_user(client).is_authenticated
    assert not SocialAccount.objects.exists()


def test_staff_number_account_cannot_be_reached(client, idp, org):
    """Staff without a work email have no email for a provider's address to match."""
    _refused(sign_in_via_idp(client, idp, person(org.frontline, email=f"{org.frontline.username}@{DOMAIN}")), client)


def test_signed_in_user_cannot_link_another_identity(client, idp, org):
    """Accounts are linked only by a trusted email: linking by hand ("connect") would let whoever is
    signed in (say, with a stolen password, before MFA set-up) attach an identity of their own."""
    client.force_login(org.staff)
    response = sign_in_via_idp(client, idp, {"sub": "someone-else", "email": "me@elsewhere.example"},
                               process="connect")
    assert response.status_code == 403
    assert not SocialAccount.objects.exists()


def test_signed_in_user_cannot_link_someone_elses_identity(client, idp, org):
    client.force_login(org.staff)
    sign_in_via_idp(client, idp, person(org.hr), process="connect")
    assert signed_in_user(client) == org.staff
    assert not SocialAccount.objects.exists()


# --- (d) MFA for HR and admins ----------------------------------------------------------------------

HR_PAGE = "/organisation/import/"


def totp_code(secret: str) -> str:
    from allauth.mfa import app_settings
    from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value

    period = app_settings.TOTP_PERIOD
    if period - time.time() % period < 2:  # still current when the server checks it
        time.sleep(2)
    return format_hotp_value(hotp_value(secret, int(time.time()) // period))


def reaches(client, path) -> bool:
    """Whether the page itself is shown, following any redirects (to set up or enter an authenticator,
    or to sign in): true of the behaviour whichever way the MFA stage is implemented."""
    response = client.get(path, follow=True)
    return response.status_code == 200 and response.request["PATH_INFO"] == path


def _trust_idp(trust: bool):
    CouncilSettings.objects.update_or_create(pk=1, defaults={"trust_idp_mfa": trust})


def test_hr_via_provider_cannot_reach_hr_pages_without_tandem_mfa(client, idp, db):
    org = build_org(mfa=False)
    sign_in_via_idp(client, idp, person(org.hr))
    assert signed_in_user(client) == org.hr
    assert not reaches(client, HR_PAGE)


def test_hr_via_provider_reaches_hr_pages_when_the_council_trusts_its_mfa(client, idp, db):
    org = build_org(mfa=False)
    _trust_idp(True)
    sign_in_via_idp(client, idp, person(org.hr))
    assert reaches(client, HR_PAGE)


def test_hr_with_an_authenticator_is_asked_for_its_code(client, idp, db):
    org = build_org(mfa=False)
    secret = give_totp(org.hr)
    response = sign_in_via_idp(client, idp, person(org.hr))
    assert response["Location"] == "/accounts/2fa/authenticate/"
    assert not signed_in_user(client).is_authenticated
    assert not reaches(client, HR_PAGE)
    # The code completes the same sign-in (the provider's identity is linked) and opens HR's pages.
    response = client.post("/accounts/2fa/authenticate/", {"code": totp_code(secret)})
    assert response.status_code == 302
    assert signed_in_user(client) == org.hr and reaches(client, HR_PAGE)
    assert SocialAccount.objects.get(user=org.hr).uid == f"sub-{org.hr.pk}"


def test_admin_via_provider_cannot_reach_the_django_admin_without_tandem_mfa(client, idp, db):
    org = build_org(mfa=False)
    sign_in_via_idp(client, idp, person(org.admin))
    assert signed_in_user(client) == org.admin
    assert not reaches(client, "/django-admin/")


# --- configuration ----------------------------------------------------------------------------------

ENTRA = "https://login.microsoftonline.com/11111111-2222-3333-4444-555555555555/v2.0"


def test_entra_configuration_from_environment():
    s = identity_settings({"OIDC_SERVER_URL": ENTRA, "OIDC_CLIENT_ID": "abc", "OIDC_CLIENT_SECRET": "s",
                           "OIDC_EMAIL_DOMAINS": "Northmere.gov.uk, @northmere.example"}, production=True)
    [app] = s.providers["openid_connect"]["APPS"]
    assert app["provider_id"] == "entra" and app["name"] == "Microsoft"
    assert app["settings"] == {"server_url": ENTRA, "verified_email": ["northmere.gov.uk", "northmere.example"]}
    assert s.form_action == ["https://login.microsoftonline.com"]
    assert identity_settings({}, production=True).providers == {}


@pytest.mark.parametrize(("env", "message"), [
    ({"OIDC_SERVER_URL": "https://login.microsoftonline.com/organizations/v2.0", "OIDC_CLIENT_ID": "a",
      "OIDC_CLIENT_SECRET": "s"}, "own tenant"),
    ({"OIDC_SERVER_URL": "https://login.microsoftonline.com/Common/v2.0", "OIDC_CLIENT_ID": "a",
      "OIDC_CLIENT_SECRET": "s"}, "own tenant"),
    ({"OIDC_SERVER_URL": "http://idp.example/realm", "OIDC_CLIENT_ID": "a"}, "https"),
    ({"OIDC_SERVER_URL": ENTRA}, "both"),
    ({"OIDC_SERVER_URL": ENTRA, "OIDC_CLIENT_ID": "a"}, "OIDC_CLIENT_SECRET"),
    ({"OIDC_SERVER_URL": ENTRA, "OIDC_CLIENT_ID": "a", "OIDC_CLIENT_SECRET": "s",
      "OIDC_EMAIL_DOMAINS": "hr@northmere.gov.uk"}, "not an email domain"),
    ({"MICROSOFT_CLIENT_ID": "a", "MICROSOFT_TENANT_ID": "t"}, "no longer used.*OIDC_SERVER_URL"),
])
def test_unsafe_configuration_refuses_to_start(env, message):
    with pytest.raises(ImproperlyConfigured, match=message):
        identity_settings(env, production=True)


def test_local_http_provider_only_outside_production():
    env = {"OIDC_SERVER_URL": "http://127.0.0.1:9/t/v2.0", "OIDC_CLIENT_ID": "a", "OIDC_CLIENT_SECRET": "s"}
    assert identity_settings(env, production=False).form_action == ["http://127.0.0.1:9"]
    with pytest.raises(ImproperlyConfigured, match="https"):
        identity_settings(env, production=True)


def test_state_from_another_browser_is_refused(client, idp, org):
    """The provider's answer only completes the sign-in that this browser started."""
    idp.person = person(org.staff)
    start = client.post(LOGIN)
    back = urlsplit(requests.get(start["Location"], allow_redirects=False, timeout=10).headers["Location"])
    other = Client()
    response = other.get(f"{back.path}?{back.query}")
    assert not other.get("/").wsgi_request.user.is_authenticated
    assert response.status_code == 401  # allauth's "sign-in failed" page
    assert parse_qs(back.query)["state"]
