"""Signing in: email or staff number, email verification for email accounts, MFA for HR and admins,
rate limits, session lengths, sign-in slips."""

from datetime import timedelta

import pytest
from allauth.account.models import EmailAddress
from django.urls import reverse
from django.utils import timezone

from organisation import services
from organisation.models import AuditEvent, SignInCode
from tests.factories import PASSWORD, build_org, make_staff


def sign_in(client, login, password=PASSWORD):
    return client.post(reverse("account_login"), {"login": login, "password": password})


def test_staff_sign_in_with_work_email(client, org):
    response = sign_in(client, org.staff.email)
    assert response.status_code == 302 and response["Location"] == reverse("home")
    assert client.get(reverse("home")).status_code == 200


def test_staff_without_email_sign_in_with_staff_number(client, org):
    response = sign_in(client, org.frontline.username)
    assert response.status_code == 302 and response["Location"] == reverse("home")


def test_email_account_with_unverified_email_must_verify_first(client, org):
    EmailAddress.objects.filter(user=org.staff).update(verified=False)
    response = sign_in(client, org.staff.email)
    assert response.status_code == 302
    assert response["Location"] == reverse("account_email_verification_sent")
    assert client.get(reverse("home")).status_code == 302  # not signed in


def test_wrong_password_shows_error_summary(client, org):
    response = sign_in(client, org.staff.email, "wrong-password")
    assert response.status_code == 200
    assert b"There is a problem" in response.content
    assert client.get(reverse("home")).status_code == 302


def test_eleventh_wrong_password_in_a_minute_is_refused(client, db):
    # Eleven different accounts from one address: the per-IP limit (10 a minute) refuses the 11th,
    # even with the right password.
    org = build_org()
    people = [make_staff(org.finance) for _ in range(10)]
    for p in people:
        assert b"There is a problem" in sign_in(client, p.user.email, "wrong-password").content
    response = sign_in(client, org.staff.email)
    assert response.status_code == 200  # allauth shows the form again, with this error
    assert b"Too many failed login attempts. Try again later." in response.content
    assert client.get(reverse("home")).status_code == 302


def test_account_locked_after_five_failures(client, org):
    for _ in range(5):
        sign_in(client, org.staff.email, "wrong-password")
    response = sign_in(client, org.staff.email)  # right password, but the account is locked for now
    assert response.status_code == 200  # allauth shows the form again, with this error
    assert b"Too many failed login attempts. Try again later." in response.content
    assert client.get(reverse("home")).status_code == 302


def test_no_public_sign_up(client, db):
    response = client.post(reverse("account_signup"), {
        "email": "new@example.org", "username": "NEW1", "password1": "a-long-password-1", "password2": "a-long-password-1"})
    assert response.status_code == 200
    assert b"You cannot create an account here" in response.content
    from organisation.models import User

    assert not User.objects.filter(username="NEW1").exists()


@pytest.mark.parametrize("path", ["/", "/organisation/import/", "/organisation/departments/"])
def test_hr_without_authenticator_is_sent_to_set_up(client, db, path):
    org = build_org(mfa=False)
    client.force_login(org.hr)
    response = client.get(path)
    assert response.status_code == 302 and response["Location"] == reverse("mfa_activate_totp")


def test_admin_without_authenticator_cannot_reach_django_admin(client, db):
    org = build_org(mfa=False)
    client.force_login(org.admin)
    response = client.get(reverse("admin:index"))
    assert response.status_code == 302 and response["Location"] == reverse("mfa_activate_totp")


def test_staff_and_managers_need_no_authenticator(client, db):
    org = build_org(mfa=False)
    for user in (org.staff, org.env_manager, org.author):
        client.force_login(user)
        assert client.get("/").status_code == 200


def test_demo_mode_does_not_enforce_mfa(client, db, settings):
    settings.MFA_ENFORCED = False
    org = build_org(mfa=False)
    client.force_login(org.hr)
    assert client.get("/organisation/import/").status_code == 200


def test_django_admin_login_goes_through_allauth(client, db):
    response = client.get(reverse("admin:login"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


def test_staff_number_sessions_idle_out_after_30_minutes(client, org):
    sign_in(client, org.frontline.username)
    assert client.session.get_expiry_age() == 30 * 60


def test_email_sessions_last_8_hours(client, org):
    sign_in(client, org.staff.email)
    assert client.session.get_expiry_age() == 8 * 60 * 60


def test_sign_out_ends_the_session_server_side(client, org):
    sign_in(client, org.staff.email)
    key = client.session.session_key
    client.post(reverse("account_logout"))
    from django.contrib.sessions.models import Session

    assert not Session.objects.filter(session_key=key).exists()
    assert client.get("/").status_code == 302


# --- Sign-in slips --------------------------------------------------------------------------------

def test_slip_code_sets_password_and_signs_in(client, org):
    profile = org.frontline.profile
    [slip] = services.sign_in_slips_issue(issued_by=org.env_manager, profiles=[profile])
    response = client.post(reverse("sign_in_code"), {"staff_number": profile.staff_number, "code": slip.code.lower()})
    assert response.status_code == 302 and response["Location"] == reverse("sign_in_code_password")
    response = client.post(reverse("sign_in_code_password"), {"password1": "my-new-password-9", "password2": "my-new-password-9"})
    assert response.status_code == 302 and response["Location"] == reverse("home")
    assert client.get("/").status_code == 200
    org.frontline.refresh_from_db()
    assert org.frontline.check_password("my-new-password-9")
    assert SignInCode.objects.get(profile=profile).used_at is not None
    assert AuditEvent.objects.filter(action="sign-in slips printed").count() == 1


def test_used_code_gets_a_clear_message(client, org):
    profile = org.frontline.profile
    [slip] = services.sign_in_slips_issue(issued_by=org.env_manager, profiles=[profile])
    SignInCode.objects.update(used_at=timezone.now())
    response = client.post(reverse("sign_in_code"), {"staff_number": profile.staff_number, "code": slip.code})
    assert b"already been used" in response.content


def test_expired_code_gets_a_clear_message(client, org):
    profile = org.frontline.profile
    [slip] = services.sign_in_slips_issue(issued_by=org.env_manager, profiles=[profile])
    SignInCode.objects.update(expires_at=timezone.now() - timedelta(minutes=1))
    response = client.post(reverse("sign_in_code"), {"staff_number": profile.staff_number, "code": slip.code})
    assert b"expired" in response.content


def test_new_slip_replaces_the_old_one(client, org):
    profile = org.frontline.profile
    [old] = services.sign_in_slips_issue(issued_by=org.env_manager, profiles=[profile])
    services.sign_in_slips_issue(issued_by=org.env_manager, profiles=[profile])
    response = client.post(reverse("sign_in_code"), {"staff_number": profile.staff_number, "code": old.code})
    assert b"replaced by a newer slip" in response.content


def test_code_for_someone_else_does_not_match(client, org):
    other = make_staff(org.waste, with_email=False)
    [slip] = services.sign_in_slips_issue(issued_by=org.env_manager, profiles=[other])
    response = client.post(reverse("sign_in_code"), {"staff_number": org.frontline.username, "code": slip.code})
    assert b"do not match" in response.content


def test_weak_password_is_refused_and_code_stays_unused(client, org):
    profile = org.frontline.profile
    [slip] = services.sign_in_slips_issue(issued_by=org.env_manager, profiles=[profile])
    client.post(reverse("sign_in_code"), {"staff_number": profile.staff_number, "code": slip.code})
    response = client.post(reverse("sign_in_code_password"), {"password1": "12345678", "password2": "12345678"})
    assert response.status_code == 200 and b"There is a problem" in response.content
    assert SignInCode.objects.get(profile=profile).used_at is None


def test_manager_prints_slips_only_for_own_staff_without_email(client, org):
    outsider = make_staff(org.finance, with_email=False)
    client.force_login(org.env_manager)
    response = client.post(reverse("organisation:sign_in_slips"),
                           {"staff": [org.frontline.profile.pk, outsider.pk, org.env_manager.profile.pk]})
    assert response.status_code == 200
    assert set(SignInCode.objects.values_list("profile_id", flat=True)) == {org.frontline.profile.pk}
    assert org.frontline.profile.staff_number.encode() in response.content
    assert outsider.staff_number.encode() not in response.content


def test_staff_cannot_print_slips(client, org):
    client.force_login(org.staff)
    assert client.post(reverse("organisation:sign_in_slips"), {"staff": [org.frontline.profile.pk]}).status_code == 403
    assert not SignInCode.objects.exists()


def _pretend_entra_sign_in(client, user):
    client.force_login(user)
    session = client.session
    session["account_authentication_methods_user"] = str(user.pk)
    session["account_authentication_methods"] = [{"method": "socialaccount", "provider": "microsoft", "at": 0}]
    session.save()


def test_entra_sign_in_still_needs_tandem_totp_unless_trusted(client, db):
    from organisation.models import CouncilSettings

    org = build_org(mfa=False)
    _pretend_entra_sign_in(client, org.hr)
    assert client.get("/organisation/import/")["Location"] == reverse("mfa_activate_totp")
    council = CouncilSettings.load()
    council.trust_idp_mfa = True
    council.save()
    assert client.get("/organisation/import/").status_code == 200


def test_trusting_the_idp_does_not_excuse_password_sign_ins(client, db):
    from organisation.models import CouncilSettings

    org = build_org(mfa=False)
    CouncilSettings.objects.update_or_create(pk=1, defaults={"trust_idp_mfa": True})
    client.force_login(org.hr)
    assert client.get("/organisation/import/")["Location"] == reverse("mfa_activate_totp")


def test_author_with_django_admin_access_needs_an_authenticator(client, db):
    org = build_org(mfa=False)
    org.author.is_staff = True
    org.author.save()
    client.force_login(org.author)
    assert client.get("/")["Location"] == reverse("mfa_activate_totp")


def test_slip_code_guessing_is_rate_limited(client, org):
    for _ in range(10):
        response = client.post(reverse("sign_in_code"), {"staff_number": org.frontline.username, "code": "AAAA-AAAA"})
        assert response.status_code == 200
    response = client.post(reverse("sign_in_code"), {"staff_number": org.frontline.username, "code": "AAAA-AAAA"})
    assert response.status_code == 429 and b"Too many attempts" in response.content
