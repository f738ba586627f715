"""Every URL in the project x every role, asserting the exact status of a GET.

URLs are discovered from the URLconf: a new page without a row here fails
`test_every_url_has_a_rule`. Roles: anonymous, staff, frontline (staff number, no email), manager
(of Environment, which holds the objects used), other department's manager (Resources), HR, author,
admin. Objects used: the Waste Collection department and a frontline member of staff in it, both
inside the manager's scope and outside the other manager's.
"""

import importlib
import pkgutil

import pytest
from django.urls import reverse

import tests.security.rules as rule_modules
from organisation.models import StaffImport
from tests.security.rules.common import HR, MANAGERS_AND_HR, ROLES, SIGNED_IN, everyone, only, signed_in
from tests.security.urlmap import all_patterns

# key -> (kwargs builder name or None, expected status by role)
RULES = {
    "home": (None, signed_in(200)),
    # allauth: signing in, out and managing one's own account.
    "account_login": (None, {"anon": 200, **dict.fromkeys(SIGNED_IN, 302)}),
    "account_logout": (None, signed_in(200)),
    "account_inactive": (None, everyone(200)),
    "account_signup": (None, {"anon": 200, **dict.fromkeys(SIGNED_IN, 302)}),  # "sign-up closed" page
    "account_reauthenticate": (None, signed_in(200)),
    "accounts/email/": (None, everyone(404)),  # emails come from the HR system
    "account_email": (None, everyone(404)),
    "account_email_verification_sent": (None, everyone(200)),
    "account_change_password": (None, signed_in(200)),
    "account_set_password": (None, signed_in(302)),  # everyone here has a password: sent to "change"
    "account_reset_password": (None, everyone(200)),
    "account_confirm_login_code": (None, everyone(302)),  # no code pending
    "account_confirm_email": ("key", everyone(200)),  # the "link invalid" page
    "account_reset_password_from_key_done": (None, everyone(200)),
    "account_reset_password_from_key": ("reset_key", everyone(200)),  # the "bad token" page
    "account_reset_password_done": (None, everyone(200)),
    "mfa_index": (None, signed_in(200)),
    "mfa_authenticate": (None, everyone(302)),  # no sign-in in progress
    # MFA changes need a recent sign-in (the test clients have none): allauth asks again first.
    "mfa_reauthenticate": (None, {**signed_in(302), "hr": 200, "admin": 200}),  # only those with MFA
    # A first authenticator is set up without re-entering the password (organisation.adapters).
    "mfa_activate_totp": (None, {**signed_in(200), "hr": 302, "admin": 302}),
    "mfa_deactivate_totp": (None, {**signed_in(404), "hr": 302, "admin": 302}),  # nothing to deactivate
    "mfa_view_recovery_codes": (None, signed_in(404, anon=302)),  # no recovery codes yet
    "mfa_generate_recovery_codes": (None, {**signed_in(200), "hr": 302, "admin": 302}),
    "mfa_download_recovery_codes": (None, signed_in(404, anon=302)),
    "socialaccount_login_cancelled": (None, everyone(200)),
    "socialaccount_login_error": (None, everyone(401)),
    "socialaccount_signup": (None, everyone(302)),
    "socialaccount_connections": (None, signed_in(200)),
    "accounts/social/login/cancelled/": (None, everyone(301)),
    "accounts/social/login/error/": (None, everyone(301)),
    "accounts/social/signup/": (None, everyone(301)),
    "accounts/social/connections/": (None, everyone(301)),
    # Sign-in slips (staff without a work email).
    "sign_in_code": (None, everyone(200)),
    "sign_in_code_password": (None, everyone(302)),  # no code entered yet
    # The MFA step for a session that began without it: nobody here needs it (anon: sign in first;
    # HR and admin have done it; the others have no authenticator, so are sent to set one up).
    "sign_in_authenticator": (None, everyone(302)),
    # Organisation.
    "organisation:departments": (None, only(MANAGERS_AND_HR)),
    "organisation:department": ("department", {**only(MANAGERS_AND_HR), "other_manager": 404}),
    "organisation:staff": ("staff", {**only(MANAGERS_AND_HR), "other_manager": 404}),
    "organisation:sign_in_slips": (None, everyone(405)),  # POST only
    "organisation:import": (None, only(HR)),
    "organisation:import_detail": ("import", only(HR)),
    "organisation:import_confirm": ("import", everyone(405)),  # POST only
    "organisation:import_progress": ("import", only(HR)),
    "organisation:settings": (None, only({"admin"})),
    "organisation:audit": (None, only({"admin"})),
    # Public.
    "council_logo": (None, everyone(404)),  # no logo uploaded
    "theme_css": (None, everyone(200)),
    "privacy": (None, everyone(200)),
    "accessibility": (None, everyone(200)),
    "transparency": (None, everyone(200)),
    "healthz": (None, everyone(200)),
}


AREAS = [importlib.import_module(f"tests.security.rules.{m.name}") for m in pkgutil.iter_modules(rule_modules.__path__)
         if m.name != "common"]
for _area in AREAS:
    assert not (_area.RULES.keys() & RULES.keys()), f"{_area.__name__} repeats a rule"
    RULES.update(_area.RULES)


def _is_admin(key: str) -> bool:
    return key.startswith("admin:") or key.startswith("django-admin/")


def test_every_url_has_a_rule():
    discovered = {key for key, _ in all_patterns() if not _is_admin(key)}
    assert discovered - RULES.keys() == set(), "pages without an authorisation rule"
    assert RULES.keys() - discovered == set(), "rules for pages that no longer exist"


@pytest.fixture
def objects(org):
    imp = StaffImport.objects.create(created_by=org.hr, filename="staff.csv", content="x", row_count=0)
    extra = {}
    for area in AREAS:
        extra.update(area.objects(org))
    return {
        **extra,
        "department": {"pk": org.waste.pk},
        "staff": {"pk": org.frontline.profile.pk},
        "import": {"pk": imp.pk},
        "key": {"key": "not-a-real-key"},
        "reset_key": {"uidb36": "zz", "key": "not-a-real-key"},
    }


def _user(org, role):
    return {
        "staff": org.staff, "frontline": org.frontline, "manager": org.env_manager,
        "other_manager": org.res_manager, "hr": org.hr, "author": org.author, "admin": org.admin,
    }.get(role)


def _url(key, kwargs_name, objects):
    kwargs = objects[kwargs_name] if kwargs_name else {}
    if "/" in key:  # unnamed pattern: the route is the path
        return "/" + key
    return reverse(key, kwargs=kwargs)


@pytest.mark.parametrize("role", ROLES)
def test_matrix(client, org, objects, role):
    user = _user(org, role)
    if user is not None:
        client.force_login(user)
    wrong = []
    for key, (kwargs_name, expected) in RULES.items():
        url = _url(key, kwargs_name, objects)
        status = client.get(url).status_code
        if status != expected[role]:
            wrong.append(f"{key} ({url}): expected {expected[role]}, got {status}")
    assert "\n".join(wrong) == ""


@pytest.mark.parametrize("role", ROLES)
def test_django_admin_is_for_admins_only(client, org, role):
    """Every model list in the Django admin: admins see it; everyone else is sent to sign in."""
    user = _user(org, role)
    if user is not None:
        client.force_login(user)
    names = sorted(k for k, _ in all_patterns() if k.startswith("admin:") and k.endswith("_changelist"))
    assert len(names) >= 8
    expected = 200 if role == "admin" else 302
    statuses = {name: client.get(reverse(name)).status_code for name in names + ["admin:index"]}
    assert statuses == dict.fromkeys(names + ["admin:index"], expected)
