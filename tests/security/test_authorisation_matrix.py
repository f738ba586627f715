"""Every URL in the project x every role, asserting the exact status of a GET and of a POST (with an
empty form: who may act, not what a good form does), and the Django admin's list, add, change and
delete views.

URLs are discovered from the URLconf: a new page without a row here fails
`test_every_url_has_a_rule`. Roles: anonymous, staff, frontline (staff number, no email), manager
(of Environment, which holds the objects used), other department's manager (Resources), HR, author,
admin, and staff_status (Django staff status, not a superuser, no group). Objects used: the Waste
Collection department and a frontline member of staff in it, both inside the manager's scope and
outside the other manager's.
"""

import importlib
import pkgutil

import pytest
from django.urls import reverse

import tests.security.rules as rule_modules
from organisation.models import CouncilValue, StaffImport
from tests.factories import give_totp, make_staff
from tests.security.rules.common import GET_ONLY, HR, MANAGERS_AND_HR, ROLES, SIGNED_IN, everyone, only, signed_in
from tests.security.urlmap import all_patterns

WITH_MFA = ("hr", "admin", "staff_status")  # the roles with an authenticator

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
    "mfa_reauthenticate": (None, {**signed_in(302), **dict.fromkeys(WITH_MFA, 200)}),  # only those with MFA
    # A first authenticator is set up without re-entering the password (organisation.adapters).
    "mfa_activate_totp": (None, {**signed_in(200), **dict.fromkeys(WITH_MFA, 302)}),
    "mfa_deactivate_totp": (None, {**signed_in(404), **dict.fromkeys(WITH_MFA, 302)}),  # nothing to deactivate
    "mfa_view_recovery_codes": (None, signed_in(404, anon=302)),  # no recovery codes yet
    "mfa_generate_recovery_codes": (None, {**signed_in(200), **dict.fromkeys(WITH_MFA, 302)}),
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
    "organisation:sign_in_slips": (None, everyone(405)),  # POST only
    "organisation:import": (None, only(HR)),
    "organisation:import_detail": ("import", only(HR)),
    "organisation:import_confirm": ("import", everyone(405)),  # POST only
    "organisation:import_progress": ("import", only(HR)),
    "organisation:settings": (None, only({"admin"})),
    "organisation:settings_branding": (None, only({"admin"})),
    "organisation:settings_thresholds": (None, only({"admin"})),
    "organisation:settings_sign_in": (None, only({"admin"})),
    "organisation:settings_values": (None, only({"admin"})),
    "organisation:value_new": (None, only({"admin"})),
    "organisation:value_edit": ("council_value", only({"admin"})),
    "organisation:value_remove": ("council_value", only({"admin"})),  # GET: the confirmation page
    "organisation:value_move": ("council_value", everyone(405)),  # POST only
    "organisation:audit": (None, only({"admin"})),
    # Public.
    "council_logo": (None, everyone(404)),  # no logo uploaded
    "theme_css": (None, everyone(200)),
    "privacy": (None, everyone(200)),
    "accessibility": (None, everyone(200)),
    "transparency": (None, everyone(200)),
    "healthz": (None, everyone(200)),
    "favicon": (None, everyone(301)),  # to the SVG in static/
}

# key -> expected status by role of a POST with an empty form (200: the form again, with its errors;
# 302: done, or sent to sign in; GET_ONLY: 405 for everyone, before any sign-in check).
POST_RULES = {
    "home": GET_ONLY,
    # Everyone in the matrix has completed MFA (or has no authenticator): the step sends them on.
    "sign_in_authenticator": everyone(302),
    "account_login": {"anon": 200, **dict.fromkeys(SIGNED_IN, 302)},
    "account_logout": everyone(302),
    "account_inactive": GET_ONLY,
    "account_signup": {"anon": 200, **dict.fromkeys(SIGNED_IN, 302)},  # "sign-up closed"; nobody is created
    "account_reauthenticate": signed_in(200),
    "accounts/email/": everyone(404),
    "account_email": everyone(404),
    "account_email_verification_sent": GET_ONLY,
    "account_change_password": signed_in(200),
    "account_set_password": signed_in(302),
    "account_reset_password": everyone(200),
    "account_confirm_login_code": everyone(302),
    "account_confirm_email": everyone(404),
    "account_reset_password_from_key_done": GET_ONLY,
    "account_reset_password_from_key": everyone(200),
    "account_reset_password_done": GET_ONLY,
    "mfa_index": signed_in(405),
    "mfa_authenticate": everyone(302),
    "mfa_reauthenticate": {**signed_in(302), **dict.fromkeys(WITH_MFA, 200)},
    "mfa_activate_totp": {**signed_in(200), **dict.fromkeys(WITH_MFA, 302)},
    "mfa_deactivate_totp": {**signed_in(404), **dict.fromkeys(WITH_MFA, 302)},
    "mfa_view_recovery_codes": signed_in(405),
    "mfa_generate_recovery_codes": {**signed_in(200), **dict.fromkeys(WITH_MFA, 302)},
    "mfa_download_recovery_codes": signed_in(404),
    "socialaccount_login_cancelled": GET_ONLY,
    "socialaccount_login_error": GET_ONLY,
    "socialaccount_signup": everyone(302),
    "socialaccount_connections": signed_in(200),
    "accounts/social/login/cancelled/": everyone(301),
    "accounts/social/login/error/": everyone(301),
    "accounts/social/signup/": everyone(301),
    "accounts/social/connections/": everyone(301),
    "sign_in_code": everyone(200),
    "sign_in_code_password": everyone(302),
    "organisation:departments": GET_ONLY,
    "organisation:department": GET_ONLY,
    "organisation:sign_in_slips": only(MANAGERS_AND_HR, status=302),  # nobody chosen: back, with a message
    "organisation:import": only(HR),
    "organisation:import_detail": GET_ONLY,
    "organisation:import_confirm": only(HR, status=302),
    "organisation:import_progress": GET_ONLY,
    "organisation:settings": GET_ONLY,  # the overview: each group is changed on its own page
    "organisation:settings_branding": only({"admin"}),  # no name: the form again, with its errors
    "organisation:settings_thresholds": only({"admin"}),
    "organisation:settings_sign_in": only({"admin"}),
    "organisation:settings_values": GET_ONLY,
    "organisation:value_new": only({"admin"}),
    "organisation:value_edit": only({"admin"}),
    "organisation:value_remove": only({"admin"}, status=302),  # removed, back to the list
    "organisation:value_move": only({"admin"}, status=302),  # no direction: back, with a message
    "organisation:audit": GET_ONLY,
    "council_logo": GET_ONLY,
    "theme_css": GET_ONLY,
    "privacy": GET_ONLY,
    "accessibility": GET_ONLY,
    "transparency": GET_ONLY,
    "healthz": GET_ONLY,
    "favicon": GET_ONLY,
}
# POSTs that remove what later POSTs use run last, in this order.
POST_LAST = ["account_logout", "organisation:value_remove", "courses:assignment_withdraw", "surveys:wave_cancel", "surveys:question_remove",
             "surveys:section_remove", "surveys:survey_delete", "adoption:report_schedule_delete"]


AREAS = [importlib.import_module(f"tests.security.rules.{m.name}") for m in pkgutil.iter_modules(rule_modules.__path__)
         if m.name != "common"]
for _area in AREAS:
    assert not (_area.RULES.keys() & RULES.keys()), f"{_area.__name__} repeats a rule"
    RULES.update(_area.RULES)
    assert not (_area.POST_RULES.keys() & POST_RULES.keys()), f"{_area.__name__} repeats a POST rule"
    POST_RULES.update(_area.POST_RULES)


def _is_admin(key: str) -> bool:
    return key.startswith("admin:") or key.startswith("django-admin/")


def test_every_url_has_a_rule():
    discovered = {key for key, _ in all_patterns() if not _is_admin(key)}
    assert discovered - RULES.keys() == set(), "pages without an authorisation rule"
    assert RULES.keys() - discovered == set(), "rules for pages that no longer exist"
    assert POST_RULES.keys() == RULES.keys(), "every page needs a POST rule too"
    for rules in (RULES.values(), [(None, e) for e in POST_RULES.values()]):
        assert all(set(expected) == set(ROLES) for _, expected in rules), "every rule names every role"


@pytest.fixture
def staff_status_user(org):
    """Django staff status without superuser or any group: the admin site lets them sign in, and
    nothing else in Tandem comes with it. Made before the objects, so surveys are sent to them too."""
    user = make_staff(org.resources, first="Stella").user
    user.is_staff = True
    user.save()
    give_totp(user)
    return user


@pytest.fixture
def objects(org, staff_status_user):
    imp = StaffImport.objects.create(created_by=org.hr, filename="staff.csv", content="x", row_count=0)
    value = CouncilValue.objects.create(name="Open and honest")
    extra = {}
    for area in AREAS:
        extra.update(area.objects(org))
    return {
        **extra,
        "department": {"pk": org.waste.pk},
        "staff": {"pk": org.frontline.profile.pk},
        "import": {"pk": imp.pk},
        "council_value": {"pk": value.pk},
        "key": {"key": "not-a-real-key"},
        "reset_key": {"uidb36": "zz", "key": "not-a-real-key"},
    }


def _user(org, role):
    from organisation.models import User

    return {
        "staff": org.staff, "frontline": org.frontline, "manager": org.env_manager,
        "other_manager": org.res_manager, "hr": org.hr, "author": org.author, "admin": org.admin,
        "staff_status": User.objects.get(is_staff=True, is_superuser=False),  # the staff_status_user fixture
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


def _post_order(keys):
    return [k for k in keys if k not in POST_LAST] + [k for k in POST_LAST if k in keys]


@pytest.mark.parametrize("role", ROLES)
def test_post_matrix(client, org, objects, role):
    user = _user(org, role)
    wrong = []
    for key in _post_order(list(POST_RULES)):
        if user is not None:
            client.force_login(user)  # again each time: signing out is one of the POSTs
        url = _url(key, RULES[key][0], objects)
        status = client.post(url, {}).status_code
        if status != POST_RULES[key][role]:
            wrong.append(f"POST {key} ({url}): expected {POST_RULES[key][role]}, got {status}")
    assert "\n".join(wrong) == ""


@pytest.mark.parametrize("role", ROLES)
def test_django_admin_is_for_admins_only(client, org, staff_status_user, role):
    """Every model list in the Django admin: admins see it; staff status alone opens the admin's index
    (which offers nothing) but no list; everyone else is sent to sign in."""
    user = _user(org, role)
    if user is not None:
        client.force_login(user)
    names = sorted(k for k, _ in all_patterns() if k.startswith("admin:") and k.endswith("_changelist"))
    assert len(names) >= 8
    expected = {"admin": 200, "staff_status": 403}.get(role, 302)
    statuses = {name: client.get(reverse(name)).status_code for name in names + ["admin:index"]}
    assert statuses == {**dict.fromkeys(names, expected), "admin:index": 200 if role == "staff_status" else expected}
    if role == "staff_status":
        assert "You don’t have permission to view or edit anything" in client.get(reverse("admin:index")).content.decode()


def _admin_objects(org):
    """One object of each kind the admin edits, that nothing else needs, so the admin may delete it."""
    from courses.models import Module
    from organisation.models import AuditEvent, Department
    from surveys.models import Survey
    from tests.factories import make_department

    spare = make_staff(org.parks, first="Spare")
    return {
        "organisation_department": make_department("ENV-SPARE", "Spare team", org.parks),
        "organisation_user": make_staff(org.parks, first="Gone").user,
        "organisation_staffprofile": spare,
        "courses_module": Module.objects.create(slug="admin-matrix", title="Admin matrix", summary="s",
                                                confidence_question="q"),
        "surveys_survey": Survey.objects.create(title="Admin matrix survey"),
        "organisation_auditevent": AuditEvent.objects.create(actor_label="system", action="test"),
        "_department_model": Department,
    }


_SIGN_IN = (302,) * 6  # (GET add, GET change, GET delete, POST add, POST change, POST delete)
KEPT = {"courses_module"}  # never deleted, even by admins: unpublished instead (people keep progress, certificates)


@pytest.mark.parametrize("role", ROLES)
def test_django_admin_add_change_delete(client, org, staff_status_user, role):
    """The add, change and delete views and their POSTs: admins only (staff status alone is 403,
    everyone else is sent to sign in), and nothing is changed or deleted by anyone else. The audit
    log is read-only even for admins."""
    objects = _admin_objects(org)
    objects.pop("_department_model")
    user = _user(org, role)
    if user is not None:
        client.force_login(user)
    wrong = []
    for name, obj in objects.items():
        model = type(obj)
        add = reverse(f"admin:{name}_add")
        change = reverse(f"admin:{name}_change", args=[obj.pk])
        delete = reverse(f"admin:{name}_delete", args=[obj.pk])
        got = (client.get(add).status_code, client.get(change).status_code, client.get(delete).status_code,
               client.post(add, {}).status_code, client.post(change, {}).status_code,
               client.post(delete, {"post": "yes"}).status_code)
        if role == "admin":
            # Empty add/change forms come back with errors (200); the delete is done (302).
            expected = (200, 200, 200, 200, 200, 302)
            if name == "organisation_auditevent":
                expected = (403, 200, 403, 403, 403, 403)  # view only, for everyone
            elif name in KEPT:
                expected = (200, 200, 403, 200, 200, 403)
        elif role == "staff_status":
            expected = (403,) * 6
        else:
            expected = _SIGN_IN
        if got != expected:
            wrong.append(f"{name}: expected {expected}, got {got}")
        deleted = not model.objects.filter(pk=obj.pk).exists()
        if deleted != (role == "admin" and name not in KEPT and name != "organisation_auditevent"):
            wrong.append(f"{name}: deleted={deleted}")
    assert "\n".join(wrong) == ""
