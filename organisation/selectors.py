"""Reads of the organisation for pages and, later, for adoption/. Every function takes the user (the
scope) and starts from organisation.scoping, so nothing outside the user's view is ever returned.

Stable for adoption/: `department_rows(user)` and `staff_in_subtree(user, department)`.
"""

from typing import NamedTuple

from django.conf import settings
from django.db.models import Count, Q, QuerySet

from organisation import accounts
from organisation.models import AuditEvent, CouncilValue, Department, StaffImport, StaffProfile
from organisation.scoping import _subtree_ids, visible_departments, visible_staff


def department_rows(user) -> list[Department]:
    """Visible departments in tree order, each with `depth` (relative to the shallowest visible one)
    and `headcount` (active staff directly in it). Two queries whatever the size of the organisation."""
    visible = set(visible_departments(user).values_list("pk", flat=True))
    rows = [
        d for d in Department.objects.with_tree_fields().annotate(
            headcount=Count("staff", filter=Q(staff__active=True))
        )
        if d.pk in visible
    ]
    if rows:
        top = min(d.tree_depth for d in rows)
        for d in rows:
            d.depth = d.tree_depth - top
    return rows


def subtree_ids(*departments) -> list[int]:
    """The given departments (objects or ids) and everything beneath them (one recursive query)."""
    ids = [getattr(d, "pk", d) for d in departments]
    return _subtree_ids(Department.objects.filter(pk__in=ids))


def staff_in_subtree(user, department: Department) -> QuerySet[StaffProfile]:
    """Active staff in a department and all beneath it, as far as the user may see them."""
    return (
        visible_staff(user)
        .filter(department_id__in=subtree_ids(department), active=True)
        .select_related("user", "department")
        .order_by("user__last_name", "user__first_name")
    )


def department_staff(user, department: Department) -> QuerySet[StaffProfile]:
    """The department page's staff: `staff_in_subtree`, each with `slip_refused` (a protected account,
    organisation.accounts, which may not have a sign-in slip). Still one query a page."""
    return staff_in_subtree(user, department).annotate(slip_refused=accounts.is_protected_expression("user"))


def department_children(user, department: Department) -> QuerySet[Department]:
    return visible_departments(user).filter(parent=department).annotate(
        headcount=Count("staff", filter=Q(staff__active=True))
    ).order_by("name")


def staff_for_slips(user, ids: list[int]) -> list[StaffProfile]:
    """Staff without a work email, among the ids given, that the user may see."""
    return list(
        visible_staff(user).filter(pk__in=ids, has_work_email=False, active=True).select_related("user", "department")
    )


def recent_imports(limit: int = 10) -> QuerySet[StaffImport]:
    return StaffImport.objects.defer("content").select_related("created_by")[:limit]


def audit_events() -> QuerySet[AuditEvent]:
    return AuditEvent.objects.all()


# --- Council settings (admins only: the views check the role; nothing here is scoped) -------------------

def council_values() -> list[CouncilValue]:
    """The council's values in their order (the order lessons list them in)."""
    return list(CouncilValue.objects.order_by("order", "name", "pk"))


class ValueUses(NamedTuple):
    modules: int
    survey_questions: int


def council_value_uses(value: CouncilValue) -> ValueUses:
    """How many modules and survey questions are tagged with a value. Counted through the reverse
    relations courses and surveys declare (`modules`, `survey_questions`): organisation imports neither."""
    return ValueUses(modules=value.modules.count(), survey_questions=value.survey_questions.count())


def identity_provider_name() -> str | None:
    """The name of the identity provider staff can sign in with (config.identity), or None if none is set up."""
    apps = settings.SOCIALACCOUNT_PROVIDERS.get("openid_connect", {}).get("APPS", [])
    return apps[0].get("name") if apps else None
