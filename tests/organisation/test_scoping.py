"""organisation.scoping decides who sees which departments and staff."""

import pytest
from django.http import Http404

from organisation.models import Department
from organisation.scoping import get_department_for_user, get_staff_for_user, visible_departments, visible_staff


def codes(qs):
    return sorted(qs.values_list("code", flat=True))


def test_hr_and_admin_see_every_department(org):
    assert codes(visible_departments(org.hr)) == ["ENV", "ENV-PARKS", "ENV-WASTE", "NBC", "RES", "RES-FIN"]
    assert codes(visible_departments(org.admin)) == codes(visible_departments(org.hr))


def test_manager_sees_own_subtree_only(org):
    assert codes(visible_departments(org.env_manager)) == ["ENV", "ENV-PARKS", "ENV-WASTE"]
    assert codes(visible_departments(org.res_manager)) == ["RES", "RES-FIN"]


def test_manager_of_two_departments_sees_both_subtrees(org):
    org.waste.managers.add(org.res_manager)
    org.res_manager._tandem_is_manager = None
    assert codes(visible_departments(org.res_manager)) == ["ENV-WASTE", "RES", "RES-FIN"]


def test_staff_and_author_see_no_departments(org):
    assert codes(visible_departments(org.staff)) == []
    assert codes(visible_departments(org.author)) == []


def test_visible_staff(org):
    env_staff = set(visible_staff(org.env_manager).values_list("user__first_name", flat=True))
    assert env_staff == {"Dave", "Morgan"}
    assert list(visible_staff(org.staff).values_list("user_id", flat=True)) == [org.staff.pk]


def test_line_management_grants_no_visibility(org):
    # Sam (finance) reports to the environment manager, but finance is not in that manager's scope.
    sam = org.staff.profile
    sam.line_manager = org.env_manager.profile
    sam.save()
    assert not visible_staff(org.env_manager).filter(pk=sam.pk).exists()


# --- A tree three levels deep under a manager ----------------------------------------------------------

def _deep(org):
    """Environment > Waste Collection > Waste North > North Rounds > North Rounds Night (four levels
    beneath the environment manager), and a sibling branch under Parks."""
    from tests.factories import make_department, make_staff

    north = make_department("ENV-WASTE-N", "Waste North", org.waste)
    rounds = make_department("ENV-WASTE-N-R", "North Rounds", north)
    night = make_department("ENV-WASTE-N-R-NIGHT", "North Rounds Night", rounds)
    play = make_department("ENV-PARKS-PLAY", "Playgrounds", org.parks)
    driver = make_staff(night, first="Nia")
    north_manager = make_staff(org.waste, first="Nora").user  # sits in the team above the one they manage
    north.managers.add(north_manager)
    return north, rounds, night, play, driver, north_manager


def test_a_manager_sees_every_level_beneath_their_department(org):
    north, rounds, night, play, driver, _ = _deep(org)
    assert codes(visible_departments(org.env_manager)) == [
        "ENV", "ENV-PARKS", "ENV-PARKS-PLAY", "ENV-WASTE", "ENV-WASTE-N", "ENV-WASTE-N-R", "ENV-WASTE-N-R-NIGHT"]
    assert visible_staff(org.env_manager).filter(pk=driver.pk).exists()
    assert get_department_for_user(org.env_manager, night.pk) == night
    assert get_staff_for_user(org.env_manager, driver.pk) == driver
    # The other manager sees none of it.
    for department in (north, rounds, night):
        with pytest.raises(Http404):
            get_department_for_user(org.res_manager, department.pk)
    with pytest.raises(Http404):
        get_staff_for_user(org.res_manager, driver.pk)


def test_a_manager_in_the_middle_sees_down_but_not_up_or_across(org):
    north, rounds, night, play, driver, north_manager = _deep(org)
    assert codes(visible_departments(north_manager)) == ["ENV-WASTE-N", "ENV-WASTE-N-R", "ENV-WASTE-N-R-NIGHT"]
    assert get_staff_for_user(north_manager, driver.pk) == driver
    for department in (org.waste, org.environment, org.parks, play, org.council):
        with pytest.raises(Http404):
            get_department_for_user(north_manager, department.pk)
    with pytest.raises(Http404):
        get_staff_for_user(north_manager, org.frontline.profile.pk)  # Waste Collection: one level up
    # Their own record is theirs to see, though it sits in a department above the one they manage.
    assert get_staff_for_user(north_manager, north_manager.profile.pk) == north_manager.profile


def test_a_department_id_that_contains_another_as_digits_is_not_beneath_it(org):
    # Tree paths are compared by whole ids: managing department 900001 must not reveal 9000011 or 1900001.
    managed = Department.objects.create(pk=900001, code="X-A", name="Managed", parent=org.council)
    child = Department.objects.create(pk=900002, code="X-A-1", name="Child", parent=managed)
    for pk in (9000011, 1900001, 9000010):
        Department.objects.create(pk=pk, code=f"X-{pk}", name=f"Other {pk}", parent=org.council)
    managed.managers.add(org.staff)
    assert sorted(visible_departments(org.staff).values_list("pk", flat=True)) == [managed.pk, child.pk]


def test_bad_ids_are_404_not_errors(org):
    for bad in ("abc", None, "", 10**12):
        with pytest.raises(Http404):
            get_department_for_user(org.hr, bad)
        with pytest.raises(Http404):
            get_staff_for_user(org.hr, bad)


def test_anonymous_sees_nothing(db):
    from django.contrib.auth.models import AnonymousUser

    assert not visible_departments(AnonymousUser()).exists()
    assert not visible_staff(AnonymousUser()).exists()
