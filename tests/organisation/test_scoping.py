"""organisation.scoping decides who sees which departments and staff."""

from organisation.scoping import visible_departments, visible_staff


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
