"""Assigning a module through the pages: who may, what they may name (404 outside their scope, 403 for
"all managers" from a manager), the status page and its poller, withdrawing and retrying."""

from datetime import date, timedelta
from unittest import mock

import pytest
from django.urls import reverse
from django.utils import timezone

from courses.models import Assignment, Enrolment, Module
from organisation.models import AuditEvent

DUE = date(2030, 6, 30)


@pytest.fixture
def module(db):
    return Module.objects.create(slug="m1", title="Module one", summary="s", confidence_question="q", published=True)


def post_assign(client, module, **data):
    payload = {"module": module.pk, "due_date": DUE.isoformat(), "include_subdepartments": "on", **data}
    return client.post(reverse("courses:assign"), payload)


# --- The form -------------------------------------------------------------------------------------------

def test_hr_is_offered_all_managers_and_every_department(client, org, module):
    client.force_login(org.hr)
    page = client.get(reverse("courses:assign")).content.decode()
    assert 'value="managers"' in page
    assert "Finance" in page and "Waste Collection" in page


def test_a_manager_is_offered_only_their_departments(client, org, module):
    client.force_login(org.env_manager)
    page = client.get(reverse("courses:assign")).content.decode()
    assert 'value="managers"' not in page
    assert "Waste Collection" in page and "Finance" not in page


def test_a_manager_assigns_to_their_department(client, org, module):
    client.force_login(org.env_manager)
    response = post_assign(client, module, target="department", department=org.environment.pk)
    a = Assignment.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("courses:assignment", args=[a.pk])
    assert (a.created_by, a.department, a.status, a.enrolled_count) == (org.env_manager, org.environment, "applied", 2)
    page = client.get(response["Location"]).content.decode()
    assert "Module one assigned to 2 people." in page
    assert "data-progress-url" not in page  # done in the request: nothing to poll


def test_the_assignment_page_counts_each_person_in_one_state(client, org, module):
    """Overdue is a state of its own, as on the team page: the four add up to the number enrolled."""
    client.force_login(org.env_manager)
    post_assign(client, module, target="department", department=org.environment.pk)
    a = Assignment.objects.get()
    Enrolment.objects.filter(profile=org.frontline.profile).update(status="in-progress",
                                                                   due_date=timezone.localdate() - timedelta(days=1))
    figures = client.get(reverse("courses:assignment", args=[a.pk])).context["figures"]
    assert figures == {"enrolled": 2, "completed": 0, "in_progress": 0, "not_started": 1, "overdue": 1, "rate": 0}


def test_named_staff_by_staff_number(client, org, module):
    client.force_login(org.env_manager)
    number = org.frontline.profile.staff_number
    response = post_assign(client, module, target="staff", staff_numbers=f" {number.lower()}, ")
    assert response.status_code == 302
    assert list(Enrolment.objects.values_list("profile", flat=True)) == [org.frontline.profile.pk]


def test_named_staff_chosen_beforehand_by_id(client, org, module):
    client.force_login(org.env_manager)
    page = client.get(reverse("courses:assign"), {"staff": org.frontline.profile.pk}).content.decode()
    assert "Already chosen" in page and org.frontline.profile.staff_number in page
    response = post_assign(client, module, target="staff", staff=[org.frontline.profile.pk])
    assert response.status_code == 302
    assert list(Enrolment.objects.values_list("profile", flat=True)) == [org.frontline.profile.pk]


def test_hr_assigns_to_all_managers(client, org, module):
    client.force_login(org.hr)
    assert post_assign(client, module, target="managers").status_code == 302
    assert Enrolment.objects.count() == 2


# --- Outside the manager's scope ---------------------------------------------------------------------------

def test_a_department_outside_the_managers_scope_is_404(client, org, module):
    client.force_login(org.env_manager)
    assert post_assign(client, module, target="department", department=org.finance.pk).status_code == 404
    assert post_assign(client, module, target="department", department=999999).status_code == 404
    assert client.get(reverse("courses:assign"), {"department": org.finance.pk}).status_code == 404
    assert not Assignment.objects.exists()


def test_a_staff_id_outside_the_managers_scope_is_404(client, org, module):
    client.force_login(org.env_manager)
    outside = org.staff.profile.pk
    assert post_assign(client, module, target="staff", staff=[outside]).status_code == 404
    assert post_assign(client, module, target="staff", staff=[org.frontline.profile.pk, outside]).status_code == 404
    assert post_assign(client, module, target="staff", staff=["x"]).status_code == 404
    assert client.get(reverse("courses:assign"), {"staff": outside}).status_code == 404
    assert not Assignment.objects.exists()


def test_all_managers_is_403_for_a_manager(client, org, module):
    client.force_login(org.env_manager)
    assert post_assign(client, module, target="managers").status_code == 403
    assert not Assignment.objects.exists()


def test_a_staff_number_outside_scope_reads_like_one_that_does_not_exist(client, org, module):
    client.force_login(org.env_manager)
    outside = post_assign(client, module, target="staff", staff_numbers=org.staff.profile.staff_number)
    missing = post_assign(client, module, target="staff", staff_numbers="NOPE123")
    assert outside.status_code == missing.status_code == 200
    assert (f"No one in your departments has the staff number {org.staff.profile.staff_number}. "
            in outside.content.decode())
    assert "No one in your departments has the staff number NOPE123. " in missing.content.decode()
    assert not Assignment.objects.exists()


@pytest.mark.parametrize("role", ["staff", "frontline", "author"])
def test_other_roles_cannot_assign(client, org, module, role):
    client.force_login(getattr(org, role))
    assert client.get(reverse("courses:assign")).status_code == 403
    assert post_assign(client, module, target="department", department=org.waste.pk).status_code == 403


def test_anonymous_is_sent_to_sign_in(client, module):
    response = client.get(reverse("courses:assign"))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_wrong_method(client, org, module):
    client.force_login(org.hr)
    assert client.put(reverse("courses:assign")).status_code == 405
    assert client.post(reverse("courses:team")).status_code == 405


# --- Form errors --------------------------------------------------------------------------------------------

def test_every_problem_is_summarised(client, org, module):
    client.force_login(org.hr)
    page = client.post(reverse("courses:assign"), {}).content.decode()
    assert "There is a problem" in page
    for message in ("Choose a module.", "Choose who must do it.", "Enter a due date."):
        assert message in page
    assert 'href="#id_target"' in page and 'id="id_target"' in page  # the summary links to the first radio


def test_department_and_date_are_checked(client, org, module):
    client.force_login(org.hr)
    yesterday = (timezone.localdate() - timedelta(days=1)).isoformat()
    page = post_assign(client, module, target="department", due_date=yesterday).content.decode()
    assert "Choose a department." in page
    assert "The due date must be today or in the future." in page
    assert not Assignment.objects.exists()


# --- Large populations: queued, with a status page that polls ------------------------------------------------

def test_a_large_population_is_queued_and_the_page_polls(client, org, module, settings,
                                                          django_capture_on_commit_callbacks):
    settings.ASSIGNMENT_SYNC_MAX_STAFF = 1
    client.force_login(org.hr)
    with mock.patch("courses.tasks.assignment_apply.delay") as delay, \
            django_capture_on_commit_callbacks(execute=True):
        response = post_assign(client, module, target="department", department=org.council.pk)
    a = Assignment.objects.get()
    delay.assert_called_once_with(a.pk)
    assert (a.status, Enrolment.objects.count()) == ("pending", 0)
    page = client.get(response["Location"]).content.decode()
    progress_url = reverse("courses:assignment_progress", args=[a.pk])
    assert f'data-progress-url="{progress_url}"' in page
    assert client.get(progress_url).json() == {
        "status": "applying", "stage": "Waiting for the worker to start", "done": 0, "total": 0, "unit": "people"}

    from courses.services.assignments import assignment_apply

    assignment_apply(assignment_id=a.pk)  # what the worker does
    assert client.get(progress_url).json() == {"status": "applied", "stage": "Done", "done": 7, "total": 7, "unit": "people"}
    assert "data-progress-url" not in client.get(response["Location"]).content.decode()


def test_a_failed_assignment_can_be_tried_again(client, org, module, django_capture_on_commit_callbacks):
    a = Assignment.objects.create(module=module, target="department", department=org.waste, due_date=DUE,
                                  created_by=org.env_manager, status="failed", failure="OperationalError()")
    client.force_login(org.env_manager)
    page = client.get(reverse("courses:assignment", args=[a.pk])).content.decode()
    assert "Enrolling stopped before everyone was enrolled" in page and "Try again" in page
    assert client.get(reverse("courses:assignment_progress", args=[a.pk])).json()["status"] == "failed"
    with mock.patch("courses.tasks.assignment_apply.delay") as delay, \
            django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("courses:assignment_retry", args=[a.pk]))
    assert response.status_code == 302
    delay.assert_called_once_with(a.pk)
    client.force_login(org.res_manager)
    assert client.post(reverse("courses:assignment_retry", args=[a.pk])).status_code == 404


# --- Seeing and withdrawing -------------------------------------------------------------------------------

def test_managers_see_assignments_in_their_scope_and_their_own(client, org, module):
    mine = Assignment.objects.create(module=module, target="department", department=org.waste, due_date=DUE,
                                     created_by=org.env_manager)
    hr_to_mine = Assignment.objects.create(module=module, target="department", department=org.parks, due_date=DUE,
                                           created_by=org.hr)
    hr_named = Assignment.objects.create(module=module, target="staff", due_date=DUE, created_by=org.hr)
    managers = Assignment.objects.create(module=module, target="managers", due_date=DUE, created_by=org.hr)
    client.force_login(org.env_manager)
    listed = list(client.get(reverse("courses:assignments")).context["page"])
    assert set(listed) == {mine, hr_to_mine}
    for hidden in (hr_named, managers):
        assert client.get(reverse("courses:assignment", args=[hidden.pk])).status_code == 404
    client.force_login(org.res_manager)
    assert list(client.get(reverse("courses:assignments")).context["page"]) == []
    client.force_login(org.hr)
    assert len(client.get(reverse("courses:assignments")).context["page"]) == 4


def test_withdrawing_through_the_page(client, org, module):
    client.force_login(org.env_manager)
    post_assign(client, module, target="department", department=org.environment.pk)
    a = Assignment.objects.get()
    Enrolment.objects.filter(profile=org.env_manager.profile).update(status="in-progress", started_at=timezone.now())
    url = reverse("courses:assignment_withdraw", args=[a.pk])
    page = client.get(url).content.decode()
    assert "1 person has not started it" in page and "1 other keeps their progress" in page
    response = client.post(url)
    assert response.status_code == 302
    assert "Assignment withdrawn. 1 enrolment not started were removed; 1 kept with their history." in \
        client.get(response["Location"]).content.decode()
    assert list(Enrolment.objects.values_list("profile", "due_date")) == [(org.env_manager.profile.pk, None)]
    assert AuditEvent.objects.filter(action="assignment withdrawn", actor=org.env_manager).count() == 1
    # Again: nothing more happens.
    assert client.post(url).status_code == 302
    assert AuditEvent.objects.filter(action="assignment withdrawn").count() == 1


def test_withdrawing_someone_elses_assignment(client, org, module):
    a = Assignment.objects.create(module=module, target="department", department=org.waste, due_date=DUE,
                                  created_by=org.hr, status="applied")
    url = reverse("courses:assignment_withdraw", args=[a.pk])
    client.force_login(org.env_manager)  # can see it (their department), did not make it
    assert client.get(url).status_code == 403
    assert client.post(url).status_code == 403
    assert "Withdraw this assignment" not in client.get(reverse("courses:assignment", args=[a.pk])).content.decode()
    client.force_login(org.res_manager)  # cannot see it
    assert client.post(url).status_code == 404
    a.refresh_from_db()
    assert a.withdrawn_at is None
    client.force_login(org.hr)
    assert client.post(url).status_code == 302
    a.refresh_from_db()
    assert a.withdrawn_at is not None
