"""Progress reads: completion, knowledge scores and confidence, for managers, HR and adoption/.

Stable API for adoption/ (keep these signatures and meanings; add, do not change):

    completion_by_department(scope, *, module_ids=None, today=None) -> {department id: Completion}
    completion_by_attribute(scope, attribute, *, module_ids=None, today=None) -> {value: Completion}
    knowledge_by_department(scope, *, module_ids=None) -> {department id: Knowledge}
    knowledge_by_attribute(scope, attribute, *, module_ids=None) -> {value: Knowledge}
    confidence_by_department(scope, *, module_ids=None) -> {department id: Confidence}
    confidence_by_attribute(scope, attribute, *, module_ids=None) -> {value: Confidence}
    progress_as_of(scope, as_of) -> (completion, knowledge, confidence by department, as the records
                                      show them at the end of a past day: for readiness backfills)

- `scope` is a user (their visible departments, organisation.scoping) or a list of department ids the
  caller has already scoped. Nothing outside the scope is counted or returned.
- `..._by_department`: one entry per department in scope, each covering its **subtree** (the department
  and every department beneath it that is in scope). Departments with nothing to count get zeros.
- `..._by_attribute`: all staff in the scope, grouped by one of `ATTRIBUTES`: "work_pattern" ("office",
  "hybrid", "frontline"), "contract" ("full-time", "part-time"), "has_work_email" (True / False) or
  "grade_band" (the HR system's text; "" when not recorded). Only values that occur are returned.
- Only **active** staff count (leavers keep their history but leave the figures).
- Completion counts **assigned** enrolments: those with a due date, i.e. covered by an active assignment.
  `completed` is how many of them are completed; `overdue` how many are not completed and due before
  `today` (default: today in the council's time zone). Optional enrolments (no due date) are not counted.
- Knowledge is `Enrolment.best_score` (percent) over every enrolment that has one, assigned or optional.
- Confidence is the 1-5 self-rating before and after a module: each side averaged over those who gave it,
  and `uplift_average` the mean of (after - before) over enrolments with both.
- Everything is aggregated by the database (one GROUP BY query per call, plus one query for the tree when
  rolling departments up into subtrees); Python only adds up one row per department. Averages are exact
  (sums and counts are rolled up, never averages of averages). No minimum-group suppression is applied
  here: callers that publish figures about groups apply their own thresholds using the counts given.

The rest of the module serves the pages in courses.views.assignments (team progress, assignments) and a
member of staff's learning on their staff page (adoption.views.staff_detail); it takes department ids
already scoped by the view, a profile fetched through the user's scope, or the user.
"""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.core.paginator import Page, Paginator
from django.db.models import (
    Case,
    CharField,
    Count,
    Exists,
    F,
    FilteredRelation,
    IntegerField,
    Min,
    OuterRef,
    Q,
    QuerySet,
    Sum,
    Value,
    When,
)
from django.http import Http404
from django.utils import timezone

from courses.models import Assignment, Enrolment, Module
from organisation import roles
from organisation.models import Department, StaffProfile
from organisation.scoping import visible_departments, visible_staff
from organisation.selectors import subtree_ids

ATTRIBUTES = ("work_pattern", "contract", "has_work_email", "grade_band")


@dataclass(frozen=True)
class Completion:
    assigned: int = 0
    completed: int = 0
    overdue: int = 0

    @property
    def rate(self) -> float | None:
        """Percent of assigned enrolments completed; None when nothing is assigned."""
        return 100 * self.completed / self.assigned if self.assigned else None


@dataclass(frozen=True)
class Knowledge:
    scored: int = 0  # enrolments with a best score
    total: int = 0   # sum of those scores

    @property
    def average(self) -> float | None:
        return self.total / self.scored if self.scored else None


@dataclass(frozen=True)
class Confidence:
    before_count: int = 0
    before_total: int = 0
    after_count: int = 0
    after_total: int = 0
    paired_count: int = 0   # enrolments with both ratings
    paired_uplift: int = 0  # sum of (after - before) over those

    @property
    def before_average(self) -> float | None:
        return self.before_total / self.before_count if self.before_count else None

    @property
    def after_average(self) -> float | None:
        return self.after_total / self.after_count if self.after_count else None

    @property
    def uplift_average(self) -> float | None:
        return self.paired_uplift / self.paired_count if self.paired_count else None


# --- Scope and shared aggregates ----------------------------------------------------------------------

def _scope_ids(scope) -> list[int]:
    if isinstance(scope, (list, tuple, set, frozenset)):
        return [int(i) for i in scope]
    return list(visible_departments(scope).values_list("pk", flat=True))


def _today(today: date | None) -> date:
    return today or timezone.localdate()


def _enrolments(department_ids: list[int], module_ids: Iterable[int] | None) -> QuerySet[Enrolment]:
    qs = Enrolment.objects.filter(profile__department_id__in=department_ids, profile__active=True)
    if module_ids is not None:
        qs = qs.filter(module_id__in=list(module_ids))
    return qs


def _completion_aggregates(today: date) -> dict:
    assigned = Q(due_date__isnull=False)
    done = Q(status=Enrolment.Status.COMPLETED)
    return {
        "assigned": Count("pk", filter=assigned),
        "completed": Count("pk", filter=assigned & done),
        "overdue": Count("pk", filter=assigned & ~done & Q(due_date__lt=today)),
    }


def _knowledge_aggregates() -> dict:
    return {"scored": Count("best_score"), "total": Sum("best_score", default=0)}


def _confidence_aggregates() -> dict:
    both = Q(confidence_before__isnull=False, confidence_after__isnull=False)
    return {
        "before_count": Count("confidence_before"),
        "before_total": Sum("confidence_before", default=0),
        "after_count": Count("confidence_after"),
        "after_total": Sum("confidence_after", default=0),
        "paired_count": Count("pk", filter=both),
        "paired_uplift": Sum(F("confidence_after") - F("confidence_before"), filter=both, default=0,
                             output_field=IntegerField()),
    }


def _direct_rows(ids: list[int], aggregates: dict, module_ids) -> dict[int, dict]:
    """{department id: aggregates over the enrolments of active staff directly in it}: one GROUP BY query."""
    return {
        row.pop("profile__department_id"): row
        for row in _enrolments(ids, module_ids).values("profile__department_id").annotate(**aggregates).order_by()
    }


def _roll_up(nodes: Iterable[Department], direct: dict[int, dict], keys: Iterable[str]) -> dict[int, dict]:
    """Each node's subtree totals, from the direct rows and the nodes' tree paths (with_tree_fields);
    only the given nodes count and receive totals."""
    keys = list(keys)
    nodes = list(nodes)
    in_scope = {d.pk for d in nodes}
    totals = {d.pk: dict.fromkeys(keys, 0) for d in nodes}
    for dept in nodes:
        row = direct.get(dept.pk)
        if row is None:
            continue
        for ancestor in dept.tree_path:  # itself included
            if ancestor in in_scope:
                for key, value in row.items():
                    totals[ancestor][key] += value or 0
    return totals


def _by_department(scope, aggregates: dict, kind, module_ids) -> dict:
    """{department id: kind(...)} over each in-scope department's subtree."""
    ids = _scope_ids(scope)
    direct = _direct_rows(ids, aggregates, module_ids)
    totals = _roll_up(Department.objects.with_tree_fields().filter(pk__in=ids), direct, aggregates)
    return {pk: kind(**totals.get(pk, dict.fromkeys(aggregates, 0))) for pk in ids}


def _by_attribute(scope, attribute: str, aggregates: dict, kind, module_ids) -> dict:
    if attribute not in ATTRIBUTES:
        raise ValueError(f"attribute must be one of {ATTRIBUTES}")
    field = f"profile__{attribute}"
    rows = _enrolments(_scope_ids(scope), module_ids).values(field).annotate(**aggregates).order_by(field)
    return {row.pop(field): kind(**{k: v or 0 for k, v in row.items()}) for row in rows}


# --- Stable API ----------------------------------------------------------------------------------------

def completion_by_department(scope, *, module_ids=None, today: date | None = None) -> dict[int, Completion]:
    return _by_department(scope, _completion_aggregates(_today(today)), Completion, module_ids)


def completion_by_attribute(scope, attribute: str, *, module_ids=None, today: date | None = None) -> dict:
    return _by_attribute(scope, attribute, _completion_aggregates(_today(today)), Completion, module_ids)


def knowledge_by_department(scope, *, module_ids=None) -> dict[int, Knowledge]:
    return _by_department(scope, _knowledge_aggregates(), Knowledge, module_ids)


def knowledge_by_attribute(scope, attribute: str, *, module_ids=None) -> dict:
    return _by_attribute(scope, attribute, _knowledge_aggregates(), Knowledge, module_ids)


def confidence_by_department(scope, *, module_ids=None) -> dict[int, Confidence]:
    return _by_department(scope, _confidence_aggregates(), Confidence, module_ids)


def confidence_by_attribute(scope, attribute: str, *, module_ids=None) -> dict:
    return _by_attribute(scope, attribute, _confidence_aggregates(), Confidence, module_ids)


def progress_as_of(scope, as_of: date) -> tuple[dict[int, Completion], dict[int, Knowledge], dict[int, Confidence]]:
    """The three `..._by_department` figures as they stood at the end of `as_of`, as far as the records
    show: an enrolment counts as completed if it was completed by then, overdue if due before then and not
    completed by then; scores and the confidence rating before a module count for enrolments started by
    then, the rating after (and the change) for those completed by then (a score or rating has no date of
    its own, so a score counts from the day its module was started). Assigned means has a due date now (when it was assigned is not recorded).
    Staff who are active now."""
    end = _end_of(as_of)
    by_then = Q(completed_at__lt=end)
    assigned = Q(due_date__isnull=False)
    completion = {
        "assigned": Count("pk", filter=assigned),
        "completed": Count("pk", filter=assigned & by_then),
        "overdue": Count("pk", filter=assigned & ~by_then & Q(due_date__lt=as_of)),
    }
    started = by_then | Q(started_at__lt=end)
    both = Q(confidence_before__isnull=False, confidence_after__isnull=False) & by_then
    knowledge = {"scored": Count("best_score", filter=started), "total": Sum("best_score", filter=started, default=0)}
    confidence = {
        "before_count": Count("confidence_before", filter=started),
        "before_total": Sum("confidence_before", filter=started, default=0),
        "after_count": Count("confidence_after", filter=by_then),
        "after_total": Sum("confidence_after", filter=by_then, default=0),
        "paired_count": Count("pk", filter=both),
        "paired_uplift": Sum(F("confidence_after") - F("confidence_before"), filter=both, default=0,
                             output_field=IntegerField()),
    }
    return (_by_department(scope, completion, Completion, None), _by_department(scope, knowledge, Knowledge, None),
            _by_department(scope, confidence, Confidence, None))


# --- Team progress page -----------------------------------------------------------------------------------

# An assigned module is in exactly one of four states, so they add up to the number assigned:
# completed; overdue (the due date has passed and it is not completed, started or not); in progress and
# not started (each only while the due date has not passed). Optional modules (no due date) are never
# overdue. A person's state is a summary of their modules' (see team_people).
STATE_LABELS = {"completed": "Completed", "overdue": "Overdue", "in-progress": "In progress",
                "not-started": "Not started", "none": "Nothing assigned"}
STATES = ("overdue", "in-progress", "not-started", "completed")  # the order of the status filter


@dataclass(frozen=True)
class Breakdown:
    """Assigned modules by state (the four add up to `assigned`)."""
    assigned: int = 0
    completed: int = 0
    in_progress: int = 0
    not_started: int = 0
    overdue: int = 0

    @property
    def rate(self) -> int | None:
        """Percent completed, rounded; None when nothing is assigned."""
        return round(100 * self.completed / self.assigned) if self.assigned else None


@dataclass(frozen=True)
class TeamRow:
    name: str
    department_id: int | None  # None for the staff directly in the department shown (no page of their own)
    figures: Breakdown
    direct: bool = False


def _state_aggregates(today: date, prefix: str = "", where: Q | None = None) -> dict:
    """Counts of assigned enrolments in each of the four states (STATE_LABELS), as aggregates over
    enrolments (prefix "") or over a relation to them (prefix "enrolments__", `where` choosing which)."""
    def q(**kwargs):
        return Q(**{prefix + k: v for k, v in kwargs.items()})

    assigned = q(due_date__isnull=False) & (where or Q())
    done = q(status=Enrolment.Status.COMPLETED)
    late = q(due_date__lt=today)
    pk = prefix + "pk"
    return {
        "assigned": Count(pk, filter=assigned),
        "completed": Count(pk, filter=assigned & done),
        "in_progress": Count(pk, filter=assigned & q(status=Enrolment.Status.IN_PROGRESS) & ~late),
        "not_started": Count(pk, filter=assigned & q(status=Enrolment.Status.NOT_STARTED) & ~late),
        "overdue": Count(pk, filter=assigned & ~done & late),
    }


def team_department_ids(user, department: Department | None) -> list[int]:
    """The departments a team page covers: a department's subtree (already fetched through the user's
    scope), or everything the user can see."""
    if department is not None:
        return subtree_ids(department)
    return _scope_ids(user)


def team_breakdown(department_ids: list[int], department: Department | None, *, module: Module | None = None,
                   today: date | None = None) -> tuple[list[TeamRow], Breakdown, Department | None]:
    """The team table: (rows, total, the department they split). `department_ids` are the page's (a
    department's subtree, or everything the user can see). With a department, a row for each of its
    child departments (with everything beneath it) and one for the staff directly in it; with none, a
    row for each top department of those given, or, when there is only one top (a council, a manager of
    one department), that one's children as above. Rows in name order, the direct staff last (left out
    when nothing is assigned to them). Two queries (the tree, then one GROUP BY for every team); the
    figures roll up in Python, as `completion_by_department`'s do."""
    aggregates = _state_aggregates(_today(today))
    nodes = list(Department.objects.with_tree_fields().filter(pk__in=department_ids))
    in_scope = {d.pk for d in nodes}
    totals = _roll_up(nodes, _direct_rows(department_ids, aggregates, [module.pk] if module else None), aggregates)
    if department is None:
        tops = [d for d in nodes if d.parent_id not in in_scope]
        if len(tops) == 1:
            department = tops[0]
    if department is None:
        shown = sorted(tops, key=lambda d: d.name.lower())
    else:
        shown = sorted((d for d in nodes if d.parent_id == department.pk), key=lambda d: d.name.lower())
    rows = [TeamRow(d.name, d.pk, Breakdown(**totals[d.pk])) for d in shown]
    if department is None:
        total = Breakdown(**{k: sum(getattr(r.figures, k) for r in rows) for k in aggregates})
        return rows, total, None
    total = Breakdown(**totals[department.pk])
    direct = Breakdown(**{k: getattr(total, k) - sum(getattr(r.figures, k) for r in rows) for k in aggregates})
    if direct.assigned:
        rows.append(TeamRow(department.name, None, direct, direct=True))
    return rows, total, department


def module_completion(department_ids: list[int], *, today: date | None = None) -> list[dict]:
    """Per module, over assigned enrolments of active staff in these departments: assigned and the four
    states (which add up to it), and the completion rate. One query."""
    today = _today(today)
    scoped = Q(enrolments__profile__department_id__in=department_ids, enrolments__profile__active=True)
    rows = (
        Module.objects.annotate(**_state_aggregates(today, "enrolments__", scoped))
        .filter(assigned__gt=0)
        .order_by("order", "title")
        .values("pk", "title", "assigned", "completed", "in_progress", "not_started", "overdue")
    )
    return [{**r, "rate": round(100 * r["completed"] / r["assigned"])} for r in rows]


def team_people(department_ids: list[int], *, module: Module | None = None, state: str | None = None,
                today: date | None = None, page: int | str | None = 1, per_page: int = 50) -> Page:
    """One page of active staff in these departments, ordered by name, each with counts of their assigned
    modules (or of one module): assigned, completed, in_progress, overdue, `next_due` (earliest due date
    not yet completed) and `state` (see STATE_LABELS: overdue if any module is overdue; completed only
    when every assigned module is; in progress when some are started or done). `state` keeps only people
    in that state. The page is chosen first and the counts computed for its rows only, so the cost does
    not grow with the team: three queries (count, the page's ids, their figures)."""
    today = _today(today)
    people = StaffProfile.objects.filter(department_id__in=department_ids, active=True)
    if state:
        people = _with_figures(people, module, today).filter(state=state)
    chosen = Paginator(people.order_by("user__last_name", "user__first_name", "pk").values_list("pk", flat=True),
                       per_page).get_page(page)
    ids = list(chosen.object_list)
    rows = {p.pk: p for p in _with_figures(StaffProfile.objects.filter(pk__in=ids), module, today)}
    chosen.object_list = [rows[pk] for pk in ids]
    return chosen


def _with_figures(people: QuerySet[StaffProfile], module: Module | None, today: date) -> QuerySet[StaffProfile]:
    assigned = Q(enrolments__due_date__isnull=False)
    if module is not None:
        assigned &= Q(enrolments__module=module)
    done = Q(enrolments__status=Enrolment.Status.COMPLETED)
    return (
        people.select_related("user", "department")
        .annotate(
            assigned=Count("enrolments", filter=assigned),
            completed=Count("enrolments", filter=assigned & done),
            in_progress=Count("enrolments", filter=assigned & Q(enrolments__status=Enrolment.Status.IN_PROGRESS)),
            overdue=Count("enrolments", filter=assigned & ~done & Q(enrolments__due_date__lt=today)),
            next_due=Min("enrolments__due_date", filter=assigned & ~done),
        )
        .annotate(state=Case(
            When(assigned=0, then=Value("none")),
            When(overdue__gt=0, then=Value("overdue")),
            When(completed=F("assigned"), then=Value("completed")),
            When(Q(in_progress__gt=0) | Q(completed__gt=0), then=Value("in-progress")),
            default=Value("not-started"),
            output_field=CharField(),
        ))
    )


def overdue_enrolments(department_ids: list[int], *, module: Module | None = None, today: date | None = None) -> QuerySet:
    """Assigned enrolments not completed and due before today, longest overdue first."""
    qs = Enrolment.objects.filter(
        profile__department_id__in=department_ids, profile__active=True, due_date__lt=_today(today),
    ).exclude(status=Enrolment.Status.COMPLETED)
    if module is not None:
        qs = qs.filter(module=module)
    return qs.select_related("profile__user", "profile__department", "module").order_by(
        "due_date", "profile__user__last_name", "profile__user__first_name", "pk")


def _state(today: date) -> Case:
    """An enrolment's state (STATE_LABELS): completed, overdue (due before today, not completed), in
    progress or not started."""
    return Case(
        When(status=Enrolment.Status.COMPLETED, then=Value("completed")),
        When(due_date__lt=today, then=Value("overdue")),
        When(status=Enrolment.Status.IN_PROGRESS, then=Value("in-progress")),
        default=Value("not-started"),
        output_field=CharField(),
    )


def export_enrolments(department_ids: list[int], *, module: Module | None = None, state: str | None = None,
                      today: date | None = None) -> QuerySet:
    """Every enrolment of active staff in these departments (assigned or optional), with `state`, for the
    CSV export (only those in `state`, if given). Iterate it with .iterator(): nothing is held in memory."""
    qs = Enrolment.objects.filter(profile__department_id__in=department_ids, profile__active=True)
    if module is not None:
        qs = qs.filter(module=module)
    qs = qs.annotate(state=_state(_today(today)))
    if state:
        qs = qs.filter(state=state)
    return (
        qs
        .select_related("profile__user", "profile__department", "module")
        .order_by("profile__department__name", "profile__user__last_name", "profile__user__first_name",
                  "profile_id", "module__order")
    )


def staff_learning(profile: StaffProfile, *, today: date | None = None) -> list[Enrolment]:
    """One person's enrolments for their staff page (the caller fetched the profile through the viewer's
    scope): each with `state`, assigned ones first by due date, then optional ones, in module order.
    One query, however many modules."""
    return list(
        Enrolment.objects.filter(profile=profile).annotate(state=_state(_today(today))).select_related("module")
        .order_by(F("due_date").asc(nulls_last=True), "module__order", "module__title")
    )


def modules_for_filter() -> QuerySet[Module]:
    return Module.objects.filter(published=True).order_by("order", "title")


# --- Assignments pages --------------------------------------------------------------------------------------

def assignments_for_user(user) -> QuerySet[Assignment]:
    """HR: every assignment. Managers: assignments to departments they can see, and those they made.
    Others: none."""
    qs = Assignment.objects.select_related("module", "department", "created_by")
    if roles.is_hr(user):
        return qs
    if roles.is_manager(user):
        return qs.filter(Q(target=Assignment.Target.DEPARTMENT, department__in=visible_departments(user))
                         | Q(created_by=user))
    return qs.none()


def get_assignment_for_user(user, pk) -> Assignment:
    try:
        return assignments_for_user(user).get(pk=pk)
    except (Assignment.DoesNotExist, ValueError, TypeError):
        raise Http404("No such assignment") from None


def assignment_figures(user, assignment: Assignment, *, today: date | None = None) -> dict:
    """How the people an assignment enrolled are getting on: active staff the user can see, in the four
    states of the team page (completed, in progress, not started, overdue: they add up to `enrolled`).
    One query (two for a manager: their departments)."""
    today = _today(today)
    done = Q(status=Enrolment.Status.COMPLETED)
    late = Q(due_date__lt=today)
    figures = Enrolment.objects.filter(
        assignments=assignment, profile__active=True, profile__department_id__in=_scope_ids(user),
    ).aggregate(
        enrolled=Count("pk"),
        completed=Count("pk", filter=done),
        in_progress=Count("pk", filter=Q(status=Enrolment.Status.IN_PROGRESS) & ~late),
        not_started=Count("pk", filter=Q(status=Enrolment.Status.NOT_STARTED) & ~late),
        overdue=Count("pk", filter=~done & late),
    )
    figures["rate"] = round(100 * figures["completed"] / figures["enrolled"]) if figures["enrolled"] else None
    return figures


def assignment_named_staff(user, assignment: Assignment, limit: int = 100) -> list[StaffProfile]:
    """The named staff of an assignment that the user can still see (someone may have moved away since)."""
    return list(
        visible_staff(user).filter(pk__in=assignment.staff.values("pk")).select_related("user", "department")
        .order_by("user__last_name", "user__first_name")[:limit]
    )


def withdrawal_preview(assignment: Assignment) -> dict:
    """What withdrawing would do: how many enrolments would be removed (not started, covered by no other
    active assignment) and how many kept. One query."""
    through = Enrolment.assignments.through
    others = through.objects.filter(enrolment_id=OuterRef("pk"), assignment__withdrawn_at__isnull=True).exclude(
        assignment_id=assignment.pk)
    counts = Enrolment.objects.filter(assignments=assignment).annotate(covered=Exists(others)).aggregate(
        removed=Count("pk", filter=Q(status=Enrolment.Status.NOT_STARTED, started_at__isnull=True, covered=False)),
        total=Count("pk"),
    )
    return {"removed": counts["removed"], "kept": counts["total"] - counts["removed"]}


# --- Progress reports (adoption.reports): every member of staff by module, as at the end of a day ----------

def _end_of(day: date) -> datetime:
    """The end of a day in the council's time zone, as a moment (a __date lookup is slow on SQLite)."""
    return timezone.make_aware(datetime.combine(day + timedelta(days=1), time.min))


def report_state(*, due_date, started_at, completed_at, as_of: date, end: datetime) -> str:
    """An assigned module's state at the end of `as_of` (STATE_LABELS' keys), as the records show it: the
    same rule as progress_as_of (completed by then; else overdue when due before that day; else in progress
    when started by then; else not started)."""
    if completed_at is not None and completed_at < end:
        return "completed"
    if due_date is not None and due_date < as_of:
        return "overdue"
    if started_at is not None and started_at < end:
        return "in-progress"
    return "not-started"


def report_modules(department_ids: list[int], *, start: date, as_of: date) -> list[dict]:
    """Per module with assigned enrolments of active staff in these departments: assigned, completed by the
    end of `as_of`, completed within start..as_of, overdue then, and the completion rate (None when nothing
    is assigned). In module order. One query."""
    end, begin = _end_of(as_of), _end_of(start - timedelta(days=1))
    scoped = Q(enrolments__profile__department_id__in=department_ids, enrolments__profile__active=True,
               enrolments__due_date__isnull=False)
    done = Q(enrolments__completed_at__lt=end)
    rows = (
        Module.objects.annotate(
            assigned=Count("enrolments", filter=scoped),
            completed=Count("enrolments", filter=scoped & done),
            completed_in_period=Count("enrolments", filter=scoped & done & Q(enrolments__completed_at__gte=begin)),
            overdue=Count("enrolments", filter=scoped & ~done & Q(enrolments__due_date__lt=as_of)),
        )
        .filter(assigned__gt=0).order_by("order", "title")
        .values("pk", "slug", "title", "assigned", "completed", "completed_in_period", "overdue")
    )
    return [{**r, "rate": 100 * r["completed"] / r["assigned"]} for r in rows]


def report_module_departments(department_ids: list[int], *, as_of: date) -> dict[int, dict[int, Completion]]:
    """{module id: {department id: Completion}} for each department's own active staff (not its subtree),
    as at the end of `as_of`. One query."""
    end = _end_of(as_of)
    done = Q(completed_at__lt=end)
    rows = (Enrolment.objects.filter(profile__department_id__in=department_ids, profile__active=True,
                                     due_date__isnull=False)
            .values("module_id", "profile__department_id")
            .annotate(assigned=Count("pk"), completed=Count("pk", filter=done),
                      overdue=Count("pk", filter=~done & Q(due_date__lt=as_of)))
            .order_by())
    out: dict[int, dict[int, Completion]] = {}
    for r in rows:
        out.setdefault(r["module_id"], {})[r["profile__department_id"]] = Completion(
            r["assigned"], r["completed"], r["overdue"])
    return out


REPORT_STAFF_FIELDS = ("pk", "staff_number", "user__first_name", "user__last_name", "department_id",
                       "work_pattern", "contract", "has_work_email")


def report_staff_rows(department_ids: list[int], *, start: date, as_of: date, chunk_size: int = 2000):
    """Every active member of staff in these departments, one at a time, as (person, {module id: (state,
    due date, completed date or None)}) with `person` a dict of REPORT_STAFF_FIELDS; staff with nothing
    assigned come with an empty dict. States are as at the end of `as_of` (report_state).

    One query, streamed: a server-side cursor on PostgreSQL (chunks on SQLite), grouped by person as the
    rows arrive, so memory holds one person at a time whatever the number of staff. Ordered by department,
    then surname, first name and id."""
    end = _end_of(as_of)
    rows = (
        StaffProfile.objects.filter(department_id__in=department_ids, active=True)
        .annotate(assigned=FilteredRelation("enrolments", condition=Q(enrolments__due_date__isnull=False)))
        .order_by("department__name", "department_id", "user__last_name", "user__first_name", "pk")
        .values_list(*REPORT_STAFF_FIELDS, "assigned__module_id", "assigned__due_date", "assigned__started_at",
                     "assigned__completed_at")
        .iterator(chunk_size=chunk_size)
    )
    width = len(REPORT_STAFF_FIELDS)
    current, person, modules = None, None, {}
    for row in rows:
        if row[0] != current:
            if person is not None:
                yield person, modules
            current, person, modules = row[0], dict(zip(REPORT_STAFF_FIELDS, row[:width], strict=True)), {}
        module_id, due, started, completed = row[width:]
        if module_id is not None:
            state = report_state(due_date=due, started_at=started, completed_at=completed, as_of=as_of, end=end)
            modules[module_id] = (state, due, timezone.localdate(completed) if state == "completed" else None)
    if person is not None:
        yield person, modules
