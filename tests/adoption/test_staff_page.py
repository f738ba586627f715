"""A member of staff's page (adoption.views.staff_detail): their record (organisation) and their learning
(courses), for managers of their departments and HR only; its queries do not grow with the number of
modules or of staff."""

from datetime import datetime, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from courses.models import Enrolment, Module
from tests.factories import make_staff


def module(i):
    return Module.objects.create(slug=f"m{i}", title=f"Module {i}", summary="s", confidence_question="q",
                                 published=True, order=i)


@pytest.fixture
def learning(org):
    """Dave (Waste Collection): module 1 overdue though started, module 2 completed with 85%, module 3
    due later and not started, module 4 optional and in progress."""
    today = timezone.localdate()
    m1, m2, m3, m4 = (module(i) for i in (1, 2, 3, 4))
    dave = org.frontline.profile
    done = timezone.make_aware(datetime(2026, 3, 14, 10, 0))
    Enrolment.objects.create(profile=dave, module=m1, due_date=today - timedelta(days=2), status="in-progress")
    Enrolment.objects.create(profile=dave, module=m2, due_date=today - timedelta(days=30), status="completed",
                             completed_at=done, best_score=85)
    Enrolment.objects.create(profile=dave, module=m3, due_date=today + timedelta(days=20))
    Enrolment.objects.create(profile=dave, module=m4, status="in-progress")
    return today


def test_a_manager_sees_their_staff_members_learning(client, org, learning):
    client.force_login(org.env_manager)
    response = client.get(reverse("adoption:staff", args=[org.frontline.profile.pk]))
    assert response.status_code == 200
    assert [(e.module.title, e.state) for e in response.context["learning"]] == [
        ("Module 2", "completed"), ("Module 1", "overdue"), ("Module 3", "not-started"), ("Module 4", "in-progress")]
    page = response.content.decode()
    assert "3 modules assigned: 1 completed, <strong>1 overdue</strong>. 1 optional module they chose to do." in page
    assert "14 Mar 2026" in page and "85%" in page and "Optional" in page
    assert "Print a new sign-in slip" in page  # organisation's part of the page is still there
    assert "a due date has passed and the module is not completed" in page


def test_someone_without_modules(client, org):
    client.force_login(org.hr)
    page = client.get(reverse("adoption:staff", args=[org.staff.profile.pk])).content.decode()
    assert "has no modules, assigned or chosen" in page


def test_other_managers_and_staff_cannot_see_it(client, org, learning):
    url = reverse("adoption:staff", args=[org.frontline.profile.pk])
    client.force_login(org.res_manager)
    assert client.get(url).status_code == 404  # outside their departments: the same as nobody
    client.force_login(org.staff)
    assert client.get(url).status_code == 403
    client.force_login(org.hr)
    assert client.get(url).status_code == 200


def test_the_query_count_does_not_grow_with_modules_or_staff(client, org, django_assert_num_queries,
                                                              django_assert_max_num_queries):
    """The same queries for a person with 2 modules among 20 staff and with 12 among 200: session, user,
    groups, the manager's scope (is-manager, managed departments, their subtree), the profile, their
    enrolments (one query), the protected-account check (authenticator, privileged roles), council
    settings and the session's idle-timeout write."""
    today = timezone.localdate()
    dave = org.frontline.profile
    client.force_login(org.env_manager)
    url = reverse("adoption:staff", args=[dave.pk])

    def grow(modules, staff):
        start = Module.objects.count()
        for i in range(start, start + modules):
            Enrolment.objects.create(profile=dave, module=module(i), due_date=today + timedelta(days=i),
                                     status="completed" if i % 2 else "not-started", best_score=70 if i % 2 else None)
        for _ in range(staff):
            make_staff(org.waste, first="Colleague")

    grow(2, 20)
    client.get(url)
    with django_assert_max_num_queries(20) as small:
        assert client.get(url).status_code == 200
    grow(10, 180)
    with django_assert_num_queries(len(small.captured_queries)):
        response = client.get(url)
    assert len(response.context["learning"]) == 12
