"""The staff import never changes the email (the sign-in identity) of a privileged account or one with
an authenticator: whoever controls the HR file must not be able to point such an account's password
reset or sign-in slip at themselves (issue 11). Such rows are errors that say why; nothing is written."""

import pytest
from django.contrib.auth.models import Group

from organisation import services
from organisation.models import SignInCode, StaffImport
from organisation.roles import AUTHOR_GROUP, HR_GROUP
from tests.factories import give_totp, make_staff
from tests.organisation.staff_csv import confirm, row_from_profile, snapshot, to_csv, upload

INVALID, READY, APPLIED = StaffImport.Status.INVALID, StaffImport.Status.READY, StaffImport.Status.APPLIED
ADVICE = "so the import never changes their email"


def make_protected(user, kind):
    if kind == "superuser":
        user.is_superuser = True
        user.save()
    elif kind == "staff status":
        user.is_staff = True
        user.save()
    elif kind in (HR_GROUP, AUTHOR_GROUP):
        Group.objects.get_or_create(name=kind)[0].user_set.add(user)
    elif kind == "authenticator":
        give_totp(user)
    return user


KINDS = ["superuser", "staff status", HR_GROUP, AUTHOR_GROUP, "authenticator"]


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("new_email", ["", "attacker@example.net"])
def test_email_of_a_protected_account_is_never_changed(org, kind, new_email):
    person = make_staff(org.finance)
    make_protected(person.user, kind)
    before = snapshot()
    imp = upload(to_csv([row_from_profile(person, email=new_email)]), actor=org.hr)
    assert imp.status == INVALID
    [error] = imp.errors
    assert error["line"] == 2 and error["column"] == "email"
    reason = "has an authenticator app" if kind == "authenticator" else "has an HR, content author or admin role"
    assert error["message"] == (f"'{person.staff_number}' {reason}, {ADVICE}: keep it as {person.user.email}; "
                                "an admin changes it in the Django admin")
    assert snapshot() == before


def test_hr_cannot_blank_the_admins_email_then_print_the_admin_a_slip(org, client):
    """The attack in issue 11: blank the admin's email by import, then print the admin a slip."""
    admin = org.admin.profile
    client.force_login(org.hr)
    imp = upload(to_csv([row_from_profile(admin, email="")]), actor=org.hr)
    assert imp.status == INVALID and "has an HR, content author or admin role" in imp.errors[0]["message"]
    org.admin.refresh_from_db()
    assert org.admin.email and admin.has_work_email
    # Had the admin no email anyway, the slip is still refused, by the page and by the service.
    org.admin.email = ""
    org.admin.save()
    type(admin).objects.filter(pk=admin.pk).update(has_work_email=False)
    response = client.post("/organisation/sign-in-slips/", {"staff": [admin.pk]}, follow=True)
    assert "No slips were printed" in response.content.decode()
    assert not SignInCode.objects.exists()
    with pytest.raises(services.SlipRefused):
        services.sign_in_slips_issue(issued_by=org.hr, profiles=[type(admin).objects.get(pk=admin.pk)])
    assert not SignInCode.objects.exists()


def test_other_changes_to_a_protected_account_still_import(org):
    """Only the email is held: a new job title for the admin, with the same email, is fine."""
    admin = org.admin.profile
    imp = upload(to_csv([row_from_profile(admin, job_title="Head of Digital", email=org.admin.email.upper())]),
                 actor=org.hr)
    assert imp.status == READY, imp.errors
    assert confirm(imp, actor=org.hr).status == APPLIED
    admin.refresh_from_db()
    assert admin.job_title == "Head of Digital" and admin.user.email == org.admin.email


def test_unprotected_staff_email_still_changes(org):
    person = make_staff(org.finance)
    imp = upload(to_csv([row_from_profile(person, email="new.address@example.org")]), actor=org.hr)
    assert imp.status == READY, imp.errors
    assert confirm(imp, actor=org.hr).status == APPLIED
    person.user.refresh_from_db()
    assert person.user.email == "new.address@example.org"


def test_a_role_given_between_preview_and_confirm_is_caught_when_applying(org):
    person = make_staff(org.finance)
    imp = upload(to_csv([row_from_profile(person, email="")]), actor=org.hr)
    assert imp.status == READY
    before = snapshot()
    Group.objects.get(name=HR_GROUP).user_set.add(person.user)
    imp = confirm(imp, actor=org.hr)
    assert imp.status == INVALID and ADVICE in imp.errors[0]["message"]
    assert snapshot() == before
