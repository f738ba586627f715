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


SLIPS_PER_PRINT = 400  # staff ids in one slips form: well under Django's 1,000 fields a request


def import_preview(imp: StaffImport) -> dict:
    """An import's stored preview as its page shows it: departments by name with their code ("Finance
    (RES-FIN)", for a department that still exists; the code alone otherwise) and fields by the names
    people use. `new`: rows with `department_name` (None if it no longer exists); `updated`: rows with
    `changes` as (field, before, after).
    One query."""
    summary = imp.summary or {}
    new, updated = summary.get("new", []), summary.get("updated", [])
    codes = {n["department_code"] for n in new}
    for u in updated:
        codes.update(u["changes"].get("department_code", []))
    names = dict(Department.objects.filter(code__in=codes).values_list("code", "name")) if codes else {}

    from organisation import importing  # here, not at the top: importing uses services, which use selectors

    def department(code):
        return f"{names[code]} ({code})" if code in names else code

    return {
        "new": [{**n, "department_name": names.get(n["department_code"])} for n in new],
        "updated": [{**u, "changes": [
            (importing.FIELD_LABELS.get(name, name),
             *([department(v) for v in change] if name == "department_code" else change))
            for name, change in sorted(u["changes"].items(), key=_field_order)]} for u in updated],
    }


def _field_order(item) -> int:
    """Changes in the preview's order (importing.COMPARED): the stored JSON keeps no order on PostgreSQL."""
    from organisation import importing  # see above

    name = item[0]
    return importing.COMPARED.index(name) if name in importing.COMPARED else len(importing.COMPARED)


def import_next_steps(user, imp: StaffImport) -> dict:
    """After an import is applied: how many new staff were queued an invitation, and the new staff
    without a work email who still need a sign-in slip (active, never signed in, not protected, that the
    user may see), as batches of ids for the slips form. One query; none before it is applied."""
    summary = imp.summary or {}
    if imp.status != StaffImport.Status.APPLIED or not summary.get("without_email"):
        return {"invited": summary.get("invited_count", 0), "slips": 0, "slip_batches": []}
    ids = list(
        visible_staff(user).filter(staff_number__in=summary["without_email"], has_work_email=False, active=True,
                                   user__last_login__isnull=True)
        .annotate(protected=accounts.is_protected_expression("user")).filter(protected=False)
        .order_by("department__name", "user__last_name", "user__first_name").values_list("pk", flat=True)
    )
    return {"invited": summary.get("invited_count", 0), "slips": len(ids),
            "slip_batches": [ids[i:i + SLIPS_PER_PRINT] for i in range(0, len(ids), SLIPS_PER_PRINT)]}


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
