"""Changes made in the Django admin are in the audit log: adding, changing and deleting (one at a time
or several at once from the list), each with who did it and to what."""

import pytest
from django.urls import reverse

from organisation.models import AuditEvent, Department
from tests.factories import make_department


@pytest.fixture
def admin_client(client, org):
    client.force_login(org.admin)
    return client


def _department_form(**values):
    return {"code": "ENV-FLEET", "name": "Fleet", "parent": "", "managers": [], **values}


def test_adding_in_the_admin_is_audited(admin_client, org):
    response = admin_client.post(reverse("admin:organisation_department_add"),
                                 _department_form(parent=org.environment.pk))
    assert response.status_code == 302, response.content.decode()[:2000]
    fleet = Department.objects.get(code="ENV-FLEET")
    assert fleet.parent == org.environment
    event = AuditEvent.objects.get(action="department added in admin")
    assert (event.actor, event.target) == (org.admin, "Fleet")


def test_changing_in_the_admin_is_audited_with_the_fields_changed(admin_client, org):
    url = reverse("admin:organisation_department_change", args=[org.parks.pk])
    response = admin_client.post(url, _department_form(code=org.parks.code, name="Parks and Open Spaces",
                                                       parent=org.environment.pk))
    assert response.status_code == 302, response.content.decode()[:2000]
    event = AuditEvent.objects.get(action="department changed in admin")
    assert (event.actor, event.target, event.detail) == (org.admin, "Parks and Open Spaces", {"fields": ["name"]})


def test_deleting_in_the_admin_is_audited(admin_client, org):
    url = reverse("admin:organisation_department_delete", args=[org.parks.pk])
    assert admin_client.post(url, {"post": "yes"}).status_code == 302
    assert not Department.objects.filter(pk=org.parks.pk).exists()
    event = AuditEvent.objects.get(action="department deleted in admin")
    assert (event.actor, event.target) == (org.admin, "Parks")


def test_deleting_several_from_the_list_is_audited_one_event_each(admin_client, org):
    fleet = make_department("ENV-FLEET", "Fleet", org.environment)
    url = reverse("admin:organisation_department_changelist")
    response = admin_client.post(url, {"action": "delete_selected", "_selected_action": [org.parks.pk, fleet.pk],
                                       "post": "yes"})
    assert response.status_code == 302
    assert not Department.objects.filter(pk__in=[org.parks.pk, fleet.pk]).exists()
    events = AuditEvent.objects.filter(action="department deleted in admin")
    assert sorted((e.actor_id, e.target) for e in events) == [(org.admin.pk, "Fleet"), (org.admin.pk, "Parks")]


def test_setting_a_password_in_the_admin_is_audited(admin_client, org):
    url = reverse("admin:auth_user_password_change", args=[org.frontline.pk])
    new = "a-fresh-password-42"
    response = admin_client.post(url, {"password1": new, "password2": new, "usable_password": "true"})
    assert response.status_code == 302
    org.frontline.refresh_from_db()
    assert org.frontline.check_password(new)
    event = AuditEvent.objects.get(action="password set in admin")
    assert (event.actor, event.target) == (org.admin, str(org.frontline))


def test_a_refused_password_leaves_no_event(admin_client, org):
    url = reverse("admin:auth_user_password_change", args=[org.frontline.pk])
    response = admin_client.post(url, {"password1": "a-fresh-password-42", "password2": "different", "usable_password": "true"})
    assert response.status_code == 200
    assert not AuditEvent.objects.filter(action="password set in admin").exists()


def test_a_conflicting_submission_sets_nothing_and_leaves_no_event(admin_client, org):
    # "Disable password sign-in" chosen with the wrong button: Django sends the admin back to the form.
    url = reverse("admin:auth_user_password_change", args=[org.frontline.pk])
    response = admin_client.post(url, {"usable_password": "false"})
    assert response.status_code == 302 and response["Location"] == url
    assert not AuditEvent.objects.filter(action="password set in admin").exists()
