"""A manager asking for another department's staff or department by id gets 404, exactly as for an
id that does not exist; a manager of a parent department reaches everything beneath it."""

import pytest
from django.urls import reverse

from tests.factories import make_staff


@pytest.fixture
def finance_person(org):
    return make_staff(org.finance, first="Fran")


def test_other_departments_are_404(client, org):
    client.force_login(org.env_manager)
    for dept in (org.finance, org.resources, org.council):
        assert client.get(reverse("organisation:department", args=[dept.pk])).status_code == 404


def test_other_departments_staff_are_404(client, org, finance_person):
    client.force_login(org.env_manager)
    assert client.get(reverse("adoption:staff", args=[finance_person.pk])).status_code == 404
    assert client.get(reverse("adoption:staff", args=[999999])).status_code == 404


def test_own_subtree_is_visible(client, org):
    client.force_login(org.env_manager)
    assert client.get(reverse("organisation:department", args=[org.parks.pk])).status_code == 200
    assert client.get(reverse("adoption:staff", args=[org.frontline.profile.pk])).status_code == 200


def test_department_page_lists_only_its_subtree(client, org, finance_person):
    client.force_login(org.hr)
    page = client.get(reverse("organisation:department", args=[org.environment.pk])).content.decode()
    assert "Dave" in page and "Fran" not in page


def test_hr_sees_any_department(client, org, finance_person):
    client.force_login(org.hr)
    assert client.get(reverse("adoption:staff", args=[finance_person.pk])).status_code == 200


def test_department_list_query_count_does_not_grow_with_staff(client, org, django_assert_max_num_queries):
    client.force_login(org.hr)
    client.get(reverse("organisation:departments"))  # warm up
    for _ in range(30):
        make_staff(org.waste)
    # session, user, groups (role), authenticator (MFA check), council settings, visible department ids,
    # departments in tree order with headcounts, session save (+ savepoints): about 11, never per person.
    with django_assert_max_num_queries(12) as first:
        client.get(reverse("organisation:departments"))
    for _ in range(60):
        make_staff(org.parks)
    with django_assert_max_num_queries(len(first.captured_queries)):
        client.get(reverse("organisation:departments"))


def test_department_page_query_count_does_not_grow_with_staff(client, org, django_assert_max_num_queries):
    client.force_login(org.env_manager)
    url = reverse("organisation:department", args=[org.environment.pk])
    for _ in range(5):
        make_staff(org.waste)
    with django_assert_max_num_queries(20) as first:
        client.get(url)
    for _ in range(40):
        make_staff(org.waste, with_email=False)
    with django_assert_max_num_queries(len(first.captured_queries)):
        client.get(url)
