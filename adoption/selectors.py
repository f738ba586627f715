"""Reads for pages that combine apps (the role home pages). Later: readiness, equity, trends."""

from courses.selectors import learning as learning_selectors
from organisation import roles
from organisation import selectors as org_selectors
from organisation.models import StaffProfile


def home_context(user) -> dict:
    """What each role's home page shows. Sections are independent: a person with several roles sees
    each of theirs."""
    ctx = {"profile": StaffProfile.objects.filter(user=user).select_related("department", "line_manager__user").first()}
    if ctx["profile"] is not None:
        ctx["learning"] = learning_selectors.my_learning(user)
    if roles.is_manager(user) or roles.is_hr(user):
        rows = org_selectors.department_rows(user)
        ctx["departments"] = rows
        ctx["visible_headcount"] = sum(d.headcount for d in rows)
    if roles.is_hr(user):
        ctx["recent_imports"] = list(org_selectors.recent_imports(3))
    if roles.is_manager(user):
        ctx["managed"] = list(user.managed_departments.order_by("name"))
    return ctx
