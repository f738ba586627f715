"""Assigning modules (HR: the whole organisation; managers: their own departments), following an
assignment while the worker enrols people, withdrawing it, and the team progress page with its CSV export.

Everything is fetched through the user's scope: a department, member of staff or assignment outside it is
404; one the user can see but not change is 403."""

import csv
from datetime import datetime

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, JsonResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.urls import path
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from courses.forms_assign import AssignForm, TeamFilterForm
from courses.models import Assignment
from courses.selectors import progress
from courses.services import assignments as services
from organisation.permissions import manager_or_hr_required
from organisation.scoping import get_department_for_user, visible_staff
from organisation.services import audit_record
from organisation.spreadsheet import safe_text

PEOPLE_PER_PAGE = 50
OVERDUE_SHOWN = 25

# --- Scope checks on what a request names ---------------------------------------------------------------


def _check_named_targets(request) -> None:
    """404 for a department or staff id outside the user's scope (the same as one that does not exist);
    403 for "all managers" from anyone but HR (the choice is never offered to them)."""
    data = request.POST if request.method == "POST" else request.GET
    if data.get("target") == Assignment.Target.MANAGERS and not services.can_assign_to_managers(request.user):
        raise PermissionDenied
    if data.get("department"):
        get_department_for_user(request.user, data["department"])
    staff_ids = data.getlist("staff")
    if staff_ids:
        try:
            ids = {int(i) for i in staff_ids}
        except ValueError:
            raise Http404("No such member of staff") from None
        if visible_staff(request.user).filter(pk__in=ids, active=True).count() != len(ids):
            raise Http404("No such member of staff")


def _team_filters(request):
    """The department (fetched through the user's scope: 404 outside it), module and status a team page
    shows (a filter with an unknown value is ignored)."""
    raw = request.GET.get("department")
    department = get_department_for_user(request.user, raw) if raw else None
    form = TeamFilterForm(request.GET or None, user=request.user)
    form.is_valid()
    cleaned = getattr(form, "cleaned_data", {})
    return form, department, cleaned.get("module"), cleaned.get("state") or None


# --- Assigning -----------------------------------------------------------------------------------------------

@require_http_methods(["GET", "POST"])
@manager_or_hr_required
def assign(request):
    _check_named_targets(request)
    if request.method == "POST":
        form = AssignForm(request.POST, user=request.user)
    else:
        initial = {"include_subdepartments": True, "department": request.GET.get("department"),
                   "staff": request.GET.getlist("staff"), "target": "staff" if request.GET.get("staff") else None}
        form = AssignForm(user=request.user, initial=initial)
    if request.method == "POST" and form.is_valid():
        assignment = services.assignment_create(actor=request.user, **form.service_kwargs())
        if assignment.status == Assignment.Status.APPLIED:
            messages.success(request, f"{assignment.module} assigned to {assignment.enrolled_count:,} "
                                      f"{'person' if assignment.enrolled_count == 1 else 'people'}.")
        return redirect("courses:assignment", pk=assignment.pk)
    return render(request, "courses/assignments/assign.html", {"form": form})


@require_GET
@manager_or_hr_required
def assignment_list(request):
    page = Paginator(progress.assignments_for_user(request.user), 25).get_page(request.GET.get("page"))
    return render(request, "courses/assignments/list.html", {"page": page})


@require_GET
@manager_or_hr_required
def assignment_detail(request, pk):
    assignment = progress.get_assignment_for_user(request.user, pk)
    return render(request, "courses/assignments/detail.html", {
        "assignment": assignment,
        "figures": progress.assignment_figures(request.user, assignment),
        "named": progress.assignment_named_staff(request.user, assignment),
        "progress": services.progress_get(assignment.pk),
        "working": assignment.withdrawn_at is None and assignment.status in _WORKING,
        "can_change": services.can_change(request.user, assignment),
    })


_WORKING = {Assignment.Status.PENDING, Assignment.Status.APPLYING}


@require_GET
@manager_or_hr_required
def assignment_progress(request, pk):
    """For the status page's poller (static/tandem/app.mjs): it keeps polling while status is "applying"."""
    assignment = progress.get_assignment_for_user(request.user, pk)
    if assignment.withdrawn_at is not None:
        status = "withdrawn"
    else:
        status = "applying" if assignment.status in _WORKING else assignment.status
    shown = services.progress_get(assignment.pk) or {
        "stage": "Waiting for the worker to start" if assignment.status == Assignment.Status.PENDING
        else assignment.get_status_display(),
        "done": assignment.enrolled_count, "total": 0}
    return JsonResponse({"status": status, **shown, "unit": "people"})


@require_http_methods(["GET", "POST"])
@manager_or_hr_required
def assignment_withdraw(request, pk):
    assignment = progress.get_assignment_for_user(request.user, pk)
    if not services.can_change(request.user, assignment):
        raise PermissionDenied
    if assignment.withdrawn_at is not None:
        messages.info(request, "This assignment has already been withdrawn.")
        return redirect("courses:assignment", pk=assignment.pk)
    if request.method == "POST":
        result = services.assignment_withdraw(actor=request.user, assignment=assignment)
        messages.success(request, f"Assignment withdrawn. {result.removed:,} enrolment{'s' if result.removed != 1 else ''} "
                                  f"not started were removed; {result.kept:,} kept with their history.")
        return redirect("courses:assignment", pk=assignment.pk)
    return render(request, "courses/assignments/withdraw.html", {
        "assignment": assignment, "preview": progress.withdrawal_preview(assignment)})


@require_POST
@manager_or_hr_required
def assignment_retry(request, pk):
    assignment = progress.get_assignment_for_user(request.user, pk)
    if not services.can_change(request.user, assignment):
        raise PermissionDenied
    if not services.assignment_retry(actor=request.user, assignment=assignment):
        messages.info(request, "This assignment is not waiting to be tried again.")
    return redirect("courses:assignment", pk=assignment.pk)


# --- Team progress ---------------------------------------------------------------------------------------------

@require_GET
@manager_or_hr_required
def team(request):
    form, department, module, state = _team_filters(request)
    ids = progress.team_department_ids(request.user, department)
    overdue = progress.overdue_enrolments(ids, module=module)
    teams, total, split = progress.team_breakdown(ids, department, module=module)
    return render(request, "courses/assignments/team.html", {
        "form": form, "department": department, "module": module, "state": state,
        "state_label": progress.STATE_LABELS.get(state), "teams": teams, "teams_total": total, "split": split,
        "modules": progress.module_completion(ids),
        "overdue": overdue[:OVERDUE_SHOWN], "overdue_count": overdue.count(),
        "people": progress.team_people(ids, module=module, state=state, page=request.GET.get("page"),
                                       per_page=PEOPLE_PER_PAGE),
        "query": _filters_query(request), "today": timezone.localdate(),
    })


def _filters_query(request) -> str:
    """The page's filters as a query string without the page number (for pagination and the export link)."""
    query = request.GET.copy()
    query.pop("page", None)
    return query.urlencode()


EXPORT_HEADER = ["Staff number", "First name", "Last name", "Department", "Work pattern", "Module", "Status",
                 "Due date", "Started", "Completed", "Best score (%)"]


def _iso(value) -> str:
    if value is None:
        return ""
    return (timezone.localtime(value).date() if isinstance(value, datetime) else value).isoformat()


class _Line:
    def write(self, value):
        return value


def _export_lines(enrolments):
    writer = csv.writer(_Line(), lineterminator="\r\n")
    yield "\ufeff" + writer.writerow(EXPORT_HEADER)  # the byte order mark makes Excel read UTF-8 names right
    for e in enrolments.iterator(chunk_size=2000):
        p = e.profile
        yield writer.writerow([safe_text(v) for v in (
            p.staff_number, p.user.first_name, p.user.last_name, p.department.name, p.get_work_pattern_display(),
            e.module.title, progress.STATE_LABELS[e.state], _iso(e.due_date), _iso(e.started_at),
            _iso(e.completed_at), e.best_score)])


@require_GET
@manager_or_hr_required
def team_export(request):
    _, department, module, state = _team_filters(request)
    ids = progress.team_department_ids(request.user, department)
    detail = {"department": department.pk if department else None, "module": module.pk if module else None}
    if state:
        detail["status"] = state
    audit_record(actor=request.user, action="course progress exported",
                 target=department.name if department else "All departments", detail=detail)
    response = StreamingHttpResponse(_export_lines(progress.export_enrolments(ids, module=module, state=state)),
                                     content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="team-progress-{timezone.localdate().isoformat()}.csv"'
    return response


urlpatterns = [
    path("courses/assign/", assign, name="assign"),
    path("courses/assignments/", assignment_list, name="assignments"),
    path("courses/assignments/<int:pk>/", assignment_detail, name="assignment"),
    path("courses/assignments/<int:pk>/progress/", assignment_progress, name="assignment_progress"),
    path("courses/assignments/<int:pk>/withdraw/", assignment_withdraw, name="assignment_withdraw"),
    path("courses/assignments/<int:pk>/retry/", assignment_retry, name="assignment_retry"),
    path("courses/team/", team, name="team"),
    path("courses/team/export.csv", team_export, name="team_export"),
]
