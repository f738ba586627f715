"""Sign-in slips are only for staff with no privileged role and no authenticator (issue 11): refused
when printed (by a manager or HR) and when used, whatever changed in between. The slips form sends
people back only to pages of this site."""

import pytest
from django.contrib.auth.models import Group
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from organisation import services
from organisation.models import AuditEvent, SignInCode
from organisation.roles import AUTHOR_GROUP, HR_GROUP
from tests.factories import give_totp, make_staff
from tests.organisation.test_import_protected_accounts import KINDS, make_protected

NEW_PASSWORD = "my-new-password-9"
REFUSED_AT_USE = "This code cannot be used: sign-in slips are only for staff without"


def no_email_staff(org, department=None):
    return make_staff(department or org.waste, with_email=False, work_pattern="frontline")


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("issuer", ["env_manager", "hr"])
def test_no_slip_is_printed_for_a_protected_account(client, org, kind, issuer):
    person = no_email_staff(org)
    make_protected(person.user, kind)
    client.force_login(getattr(org, issuer))
    back = reverse("organisation:department", args=[org.waste.pk])
    response = client.post(reverse("organisation:sign_in_slips"), {"staff": [person.pk], "back": back})
    assert response.status_code == 302 and response["Location"] == back
    page = client.get(back).content.decode()
    reason = "has an authenticator app" if kind == "authenticator" else "has an HR, content author or admin role"
    assert "No slips were printed" in page and f"{person.full_name} ({person.staff_number}) {reason}" in page
    assert not SignInCode.objects.exists()
    assert not AuditEvent.objects.filter(action="sign-in slips printed").exists()


def test_manager_cannot_print_a_slip_for_their_own_staff_member_with_an_authenticator(client, org):
    """Issue 11's second attack: any account without a work email in the manager's subtree."""
    give_totp(org.frontline)
    client.force_login(org.env_manager)
    client.post(reverse("organisation:sign_in_slips"), {"staff": [org.frontline.profile.pk]})
    assert not SignInCode.objects.exists()
    with pytest.raises(services.SlipRefused, match="has an authenticator app"):
        services.sign_in_slips_issue(issued_by=org.env_manager, profiles=[org.frontline.profile])


def test_a_batch_with_one_protected_person_prints_nothing_and_names_only_them(client, org):
    ok = no_email_staff(org)
    author = no_email_staff(org)
    Group.objects.get_or_create(name=AUTHOR_GROUP)[0].user_set.add(author.user)
    client.force_login(org.env_manager)
    response = client.post(reverse("organisation:sign_in_slips"), {"staff": [ok.pk, author.pk]}, follow=True)
    page = response.content.decode()
    assert author.staff_number in page and f"{ok.full_name} ({ok.staff_number})" not in page
    assert not SignInCode.objects.exists()


def test_department_page_offers_no_slip_for_protected_staff(client, org):
    protected = no_email_staff(org)
    give_totp(protected.user)
    client.force_login(org.env_manager)
    page = client.get(reverse("organisation:department", args=[org.waste.pk])).content.decode()
    assert f'value="{org.frontline.profile.pk}" id="slip-{org.frontline.profile.pk}"' in page
    assert f'id="slip-{protected.pk}"' not in page
    assert f"Not available<span class=\"govuk-visually-hidden\"> for {protected.full_name}" in page


def test_staff_page_offers_no_slip_for_protected_staff(client, org):
    protected = no_email_staff(org)
    Group.objects.get_or_create(name=HR_GROUP)[0].user_set.add(protected.user)
    client.force_login(org.env_manager)
    page = client.get(reverse("adoption:staff", args=[protected.pk])).content.decode()
    assert "Print a new sign-in slip" not in page
    assert "not available for this account: it has an HR, content author or admin role" in page
    ordinary = client.get(reverse("adoption:staff", args=[org.frontline.profile.pk])).content.decode()
    assert "Print a new sign-in slip" in ordinary


def test_department_page_query_count_does_not_grow_with_protected_staff(client, org):
    client.force_login(org.env_manager)
    url = reverse("organisation:department", args=[org.waste.pk])
    client.get(url)
    with CaptureQueriesContext(connection) as few:
        client.get(url)
    for _ in range(5):
        give_totp(no_email_staff(org).user)
    with CaptureQueriesContext(connection) as many:
        client.get(url)
    assert len(many) == len(few)


# --- Using a slip --------------------------------------------------------------------------------------

def enter_code(client, profile, code):
    return client.post(reverse("sign_in_code"), {"staff_number": profile.staff_number, "code": code})


def choose_password(client):
    return client.post(reverse("sign_in_code_password"), {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD})


def assert_not_redeemed(client, person):
    person.user.refresh_from_db()
    assert not person.user.check_password(NEW_PASSWORD)
    assert SignInCode.objects.get(profile=person).used_at is None
    assert "_auth_user_id" not in client.session


@pytest.mark.parametrize("kind", KINDS)
def test_a_slip_printed_before_the_account_became_protected_is_refused(client, org, kind):
    person = no_email_staff(org)
    [slip] = services.sign_in_slips_issue(issued_by=org.env_manager, profiles=[person])
    make_protected(person.user, kind)
    response = enter_code(client, person, slip.code)
    assert response.status_code == 200 and REFUSED_AT_USE in response.content.decode()
    assert_not_redeemed(client, person)


def test_becoming_protected_between_code_and_password_is_refused_too(client, org):
    person = no_email_staff(org)
    [slip] = services.sign_in_slips_issue(issued_by=org.env_manager, profiles=[person])
    assert enter_code(client, person, slip.code)["Location"] == reverse("sign_in_code_password")
    Group.objects.get_or_create(name=HR_GROUP)[0].user_set.add(person.user)
    response = choose_password(client)
    assert response.status_code == 302 and response["Location"] == reverse("sign_in_code")
    assert REFUSED_AT_USE in client.get(reverse("sign_in_code")).content.decode()
    assert_not_redeemed(client, person)


def test_redeem_refuses_a_protected_account_even_when_called_directly(rf, org):
    """The service's own check, under the code's row lock (not only the page's first step)."""
    from django.contrib.sessions.backends.db import SessionStore

    person = no_email_staff(org)
    [slip] = services.sign_in_slips_issue(issued_by=org.env_manager, profiles=[person])
    give_totp(person.user)
    request = rf.post("/")
    request.session = SessionStore()
    with pytest.raises(services.SlipError, match="cannot be used"):
        services.sign_in_code_redeem(request=request, staff_number=person.staff_number, code=slip.code,
                                     password=NEW_PASSWORD)
    person.user.refresh_from_db()
    assert not person.user.check_password(NEW_PASSWORD)


def test_a_slip_signs_in_through_allauth_and_keeps_the_short_session(client, org):
    """Redemption goes through allauth's sign-in (its stages and records), not a bare login()."""
    person = org.frontline.profile
    [slip] = services.sign_in_slips_issue(issued_by=org.env_manager, profiles=[person])
    enter_code(client, person, slip.code)
    response = choose_password(client)
    assert response.status_code == 302 and response["Location"] == reverse("home")
    methods = [r["method"] for r in client.session["account_authentication_methods"]]
    assert methods == ["sign_in_slip"]
    assert client.session.get_expiry_age() == 30 * 60
    page = client.get(reverse("home")).content.decode()
    assert "Your password is set." in page and "You are signed in as" in page


def test_after_a_slip_a_new_role_still_needs_the_mfa_step(client, org):
    """A slip session whose person later gets a role (and an authenticator) reaches no HR page before
    the authenticator code, in this session."""
    person = org.frontline.profile
    [slip] = services.sign_in_slips_issue(issued_by=org.env_manager, profiles=[person])
    enter_code(client, person, slip.code)
    choose_password(client)
    Group.objects.get_or_create(name=HR_GROUP)[0].user_set.add(org.frontline)
    assert client.get("/organisation/import/")["Location"] == reverse("mfa_activate_totp")
    give_totp(org.frontline)
    response = client.get("/organisation/import/")
    assert response["Location"] == reverse("sign_in_authenticator") + "?next=%2Forganisation%2Fimport%2F"


# --- Where the form sends people back --------------------------------------------------------------

@pytest.mark.parametrize("back", ["https://evil.example/phish", "//evil.example/phish", "http://testserver.evil.example/",
                                  "javascript:alert(1)", "/\\evil.example", ""])
def test_slips_form_never_sends_people_to_another_site(client, org, back):
    client.force_login(org.env_manager)
    response = client.post(reverse("organisation:sign_in_slips"), {"staff": [], "back": back})
    assert response.status_code == 302 and response["Location"] == reverse("organisation:departments")


def test_slips_form_sends_people_back_to_the_page_they_came_from(client, org):
    client.force_login(org.env_manager)
    back = reverse("organisation:department", args=[org.waste.pk]) + "?page=2"
    response = client.post(reverse("organisation:sign_in_slips"), {"staff": [], "back": back})
    assert response["Location"] == back
