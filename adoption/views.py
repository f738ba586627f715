"""Pages that combine apps: each role's home page, readiness, and a member of staff's page (their record
from organisation, their learning from courses). (adoption/ may import every other app.)"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods

from adoption import readiness as model
from adoption import selectors, services
from adoption.forms import ReadinessFilterForm, ReadinessWeightsForm
from adoption.models import ReadinessWeights
from courses.selectors import progress as course_progress
from organisation import accounts, roles
from organisation.permissions import admin_required, manager_or_hr_required
from organisation.scoping import get_department_for_user, get_staff_for_user
from organisation.selectors import subtree_ids


@require_GET
@login_required
def home(request):
    return render(request, "adoption/home.html", selectors.home_context(request.user))


@require_GET
@manager_or_hr_required
def staff_detail(request, pk):
    """A member of staff: their record and sign-in slip (organisation) and their learning (courses).
    Managers see their own departments' staff only (404 otherwise); a manager may see their staff's
    training status (DESIGN)."""
    profile = get_staff_for_user(request.user, pk)
    learning = course_progress.staff_learning(profile)
    assigned = [e for e in learning if e.assigned]
    return render(request, "adoption/staff_detail.html", {
        "profile": profile, "slip_refusal": accounts.protected_reason(profile.user),
        "learning": learning, "assigned_count": len(assigned),
        "completed_count": sum(e.state == "completed" for e in assigned),
        "overdue_count": sum(e.state == "overdue" for e in assigned), "optional_count": len(learning) - len(assigned),
    })


def _cells(row, organisation) -> list[dict]:
    """A row's heatmap cells: each component's value and its colour against the organisation's."""
    out = []
    for c in row.result.components:
        org = organisation.result.component(c.key)
        out.append({"key": c.key, "value": c.value, "missing": c.missing,
                    "heat": model.heat_bin(c.value, org.value if org else None)})
    return out


def _sort_key(sort: str):
    if sort == "name":
        return lambda r: r.name.lower()
    if sort == "staff":
        return lambda r: r.headcount
    if sort == "score":
        return lambda r: r.score
    return lambda r: r.result.component(sort).value


@require_GET
@manager_or_hr_required
def readiness(request):
    """Every department the user may see, as a tree table and heatmap, with the organisation beside it."""
    hr = roles.is_hr(request.user)
    directorates = selectors.directorates() if hr else []
    form = ReadinessFilterForm(request.GET or None, directorates=directorates)
    sort, order, directorate = "tree", "asc", None
    if form.is_bound and form.is_valid():
        sort = form.cleaned_data["sort"] or "tree"
        order = form.cleaned_data["order"] or ("asc" if sort in ("tree", "name") else "desc")
        directorate = form.cleaned_data["directorate"] if hr else None
    table, rows = selectors.readiness_for_user(request.user, directorate=directorate)
    if sort != "tree":
        key = _sort_key(sort)
        known = [r for r in rows if key(r) is not None]
        unknown = [r for r in rows if key(r) is None]
        rows = sorted(known, key=key, reverse=order == "desc") + sorted(unknown, key=lambda r: r.name.lower())
    names = {r.pk: r.name for r in table.rows}
    for r in rows:
        r.cells = _cells(r, table.organisation)
        r.score_heat = model.heat_bin(r.score, table.organisation.score)
        r.parent_name = names.get(r.parent_id, "")
    return render(request, "adoption/readiness.html", {
        "table": table, "rows": rows, "form": form, "hr": hr, "sort": sort, "order": order,
        "organisation_cells": _cells(table.organisation, table.organisation),
        "barriers": selectors.top_barriers(rows),
        "by_value": selectors.readiness_by_value(None, [r.pk for r in table.rows]) if hr else None,
        "heat_bins": model.HEAT_BINS, "components": model.COMPONENTS,
    })


@require_GET
@manager_or_hr_required
def readiness_department(request, pk):
    """One department's readiness with its why, parts, barrier, trend, teams, values and overdue staff."""
    department = get_department_for_user(request.user, pk)  # 404 outside scope
    table, rows = selectors.readiness_for_user(request.user)
    row = next(r for r in rows if r.pk == department.pk)
    teams = [r for r in rows if r.parent_id == department.pk]
    for r in teams:
        r.score_heat = model.heat_bin(r.score, table.organisation.score)
    snapshots = selectors.trend(department)
    chart = model.trend_chart([(s.date, s.score) for s in snapshots])
    ids = subtree_ids(department)
    overdue = Paginator(selectors.overdue_staff(ids), 50).get_page(request.GET.get("page"))
    components = [{"c": c, "org": table.organisation.result.component(c.key),
                   "heat": model.heat_bin(c.value, (table.organisation.result.component(c.key) or c).value)}
                  for c in row.result.components]
    means = row.result.adkar_means
    adkar_rows = [(model.ADKAR_LABELS[e], means[e]) for e in model.ADKAR if e in means]
    return render(request, "adoption/readiness_department.html", {
        "adkar_rows": adkar_rows,
        "department": department, "row": row, "table": table, "teams": teams, "components": components,
        "snapshots": snapshots, "chart": chart, "overdue": overdue,
        "by_value": selectors.readiness_by_value(department, ids),
    })


@require_http_methods(["GET", "POST"])
@admin_required
def readiness_weights(request):
    form = ReadinessWeightsForm(request.POST or None, instance=ReadinessWeights.load())
    if request.method == "POST" and form.is_valid():
        services.weights_update(actor=request.user, weights=form.instance)
        messages.success(request, "Readiness weights saved. Pages use them from now on; stored snapshots keep "
                                  "the weights of their day.")
        return redirect("adoption:weights")
    return render(request, "adoption/readiness_weights.html", {"form": form})
