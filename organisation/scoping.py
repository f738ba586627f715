"""Who may see which departments and staff: the one place that decides.

Every selector that returns organisation data starts from `visible_departments(user)` or
`visible_staff(user)`. Objects are fetched *through* the scope (`get_department_for_user`,
`get_staff_for_user`), so an object outside it is a 404, the same as one that does not exist.
"""

from django.db.models import Q, QuerySet
from django.http import Http404

from organisation import roles
from organisation.models import Department, StaffProfile


def _subtree_ids(roots: QuerySet[Department]) -> list[int]:
    """Ids of the given departments and every department beneath them, found by the database's
    recursive query over the tree (tree_path lists a node's ancestors' ids, itself included)."""
    root_ids = list(roots.values_list("pk", flat=True))
    if not root_ids:
        return []
    under_any = Q()
    for root_id in root_ids:
        under_any |= Q(tree_path__contains=root_id)
    return list(Department.objects.with_tree_fields().filter(under_any).values_list("pk", flat=True))


def visible_departments(user) -> QuerySet[Department]:
    """HR and admins: all. Managers: the departments they manage and all beneath. Others: none."""
    if roles.is_hr(user):
        return Department.objects.all()
    if roles.is_manager(user):
        return Department.objects.filter(pk__in=_managed_subtree_ids(user))
    return Department.objects.none()


def _managed_subtree_ids(user) -> list[int]:
    # Worked out once per request (cached on the user object): pages call this several times.
    ids = getattr(user, "_tandem_visible_department_ids", None)
    if ids is None:
        ids = _subtree_ids(user.managed_departments.all())
        user._tandem_visible_department_ids = ids
    return ids


def can_see_department(user, department_id: int) -> bool:
    """The same rule as visible_departments, for one department, without a query per call (for lists
    that check many objects)."""
    if roles.is_hr(user):
        return True
    if roles.is_manager(user):
        return department_id in _managed_subtree_ids(user)
    return False


def visible_staff(user) -> QuerySet[StaffProfile]:
    """Staff records this user may see by name: HR all; managers their departments' staff; staff
    themselves only."""
    if roles.is_hr(user):
        return StaffProfile.objects.all()
    if roles.is_manager(user):
        return StaffProfile.objects.filter(
            Q(department__in=visible_departments(user)) | Q(user_id=user.pk)
        )
    if user.is_authenticated:
        return StaffProfile.objects.filter(user_id=user.pk)
    return StaffProfile.objects.none()


def get_department_for_user(user, pk) -> Department:
    try:
        return visible_departments(user).get(pk=pk)
    except (Department.DoesNotExist, ValueError, TypeError):
        raise Http404("No such department") from None


def get_staff_for_user(user, pk) -> StaffProfile:
    try:
        return visible_staff(user).select_related("user", "department", "line_manager__user").get(pk=pk)
    except (StaffProfile.DoesNotExist, ValueError, TypeError):
        raise Http404("No such member of staff") from None
