"""Reads for pages that combine apps: readiness, its trends, by value, and each role's home page.

Readiness reads courses and surveys through their selectors only (DESIGN.md). The whole organisation's
table is worked out in one pass with a fixed number of queries (whatever the number of staff or
departments); a page then shows the rows its user may see (organisation.scoping).
"""

from dataclasses import dataclass, field
from datetime import date, timedelta

from django.db.models import Count, Min, Q
from django.utils import timezone

from adoption import readiness as model
from adoption.models import ReadinessSnapshot, ReadinessWeights
from courses.selectors import authoring as authoring_selectors
from courses.selectors import learning as learning_selectors
from courses.selectors import progress as progress_selectors
from organisation import roles
from organisation import selectors as org_selectors
from organisation.models import CouncilSettings, CouncilValue, Department, StaffProfile
from organisation.scoping import visible_departments
from surveys import selectors as survey_selectors
from surveys.selectors import Suppressed

TREND_DAYS = 90


@dataclass
class Row:
    department: Department | None  # None: the whole organisation
    parent_id: int | None
    depth: int
    headcount: int  # active staff in the department and beneath it
    inputs: model.Inputs
    result: model.Readiness
    lever: model.Lever | None = None
    why: list[str] = field(default_factory=list)
    change: model.Change | None = None
    has_children: bool = False

    @property
    def pk(self) -> int | None:
        return self.department.pk if self.department else None

    @property
    def name(self) -> str:
        return self.department.name if self.department else "Whole organisation"

    @property
    def score(self) -> float | None:
        return self.result.score


@dataclass
class Table:
    organisation: Row
    rows: list[Row]  # tree order
    weights: dict[str, int]
    min_n: int
    wave: object | None
    medians: dict[str, float]
    as_of: date

    @property
    def weight_items(self) -> list[tuple[str, int]]:
        return [(c.phrase, self.weights.get(c.key, 0)) for c in model.COMPONENTS]

    def row(self, pk: int) -> Row | None:
        return next((r for r in self.rows if r.pk == pk), None)


def _tree() -> list[Department]:
    """Every department in tree order with its direct active headcount (one query)."""
    return list(Department.objects.with_tree_fields().annotate(
        direct_headcount=Count("staff", filter=Q(staff__active=True))))


def _survey_inputs(wave, departments: list[Department]) -> tuple[dict, dict, object]:
    """ADKAR (through the release) and participation per department id, and the organisation's."""
    if wave is None:
        return {}, {}, None
    adkar = survey_selectors.adkar_by_department(wave, [d.pk for d in departments])
    rates = {r["group"].pk: r for r in survey_selectors.participation_rates(wave, departments)}
    rates[None] = survey_selectors.overall_response_rate(wave)
    return adkar, rates, wave


def _inputs(pk, headcount, completion, knowledge, confidence, adkar, rates, wave, n) -> model.Inputs:
    kw = {"headcount": headcount}
    if completion is not None:
        kw.update(assigned=completion.assigned, completed=completion.completed, overdue=completion.overdue)
    if knowledge is not None:
        kw.update(scored=knowledge.scored, score_total=knowledge.total)
    if confidence is not None:
        kw.update(paired=confidence.paired_count, uplift_total=confidence.paired_uplift)
    if wave is not None:
        wave_n = wave.min_group_size or n
        kw["wave_name"] = f"{wave.survey.title}, {wave.name}"
        a = adkar.get(pk, "absent")
        if isinstance(a, dict) and a.get("means"):
            kw["adkar"] = a
        elif isinstance(a, Suppressed):
            kw["adkar_missing"] = (f"hidden in {wave.name}: fewer than {wave_n} responses, or hidden to protect a "
                                   "smaller group")
        elif a == "absent":
            kw["adkar_missing"] = f"not part of {wave.name}"
        else:
            kw["adkar_missing"] = f"no ADKAR answers in {wave.name}"
        r = rates.get(pk)
        if r is not None and not isinstance(r["invited"], Suppressed):
            kw.update(invited=r["invited"], responded=r["responded"])
        elif a == "absent":
            kw["participation_missing"] = f"not part of {wave.name}"
        else:
            kw["participation_missing"] = f"fewer than {wave_n} staff were invited to {wave.name}"
    return model.Inputs(**kw)


def readiness_table(*, as_of: date | None = None) -> Table:
    """Readiness of every department and the organisation. `as_of` (a past day): from the records of that
    day as far as they show it (courses.selectors.progress.progress_as_of), for backfilled snapshots."""
    today = timezone.localdate()
    weights = ReadinessWeights.load().as_dict()
    n = CouncilSettings.load().min_group_size
    departments = _tree()
    ids = [d.pk for d in departments]
    if as_of is None or as_of >= today:
        as_of = today
        completion = progress_selectors.completion_by_department(ids, today=today)
        knowledge = progress_selectors.knowledge_by_department(ids)
        confidence = progress_selectors.confidence_by_department(ids)
        wave = survey_selectors.latest_closed_wave()
    else:
        completion, knowledge, confidence = progress_selectors.progress_as_of(ids, as_of)
        wave = survey_selectors.latest_closed_wave(as_of=as_of)
    adkar, rates, wave = _survey_inputs(wave, departments)

    # Subtree headcounts in one pass up each department's path.
    headcount = dict.fromkeys(ids, 0)
    children = set()
    for d in departments:
        if d.parent_id is not None:
            children.add(d.parent_id)
        for ancestor in d.tree_path:
            if ancestor in headcount:
                headcount[ancestor] += d.direct_headcount
    roots = [d.pk for d in departments if d.parent_id is None]

    def total(figures, kind):
        values = [figures[r] for r in roots if r in figures]
        if not values:
            return kind()
        return kind(**{f: sum(getattr(v, f) for v in values) for f in kind.__dataclass_fields__})

    rows = []
    for d in departments:
        inputs = _inputs(d.pk, headcount[d.pk], completion.get(d.pk), knowledge.get(d.pk), confidence.get(d.pk),
                         adkar, rates, wave, n)
        rows.append(Row(d, d.parent_id, d.tree_depth, headcount[d.pk], inputs, model.readiness(inputs, weights, n),
                        has_children=d.pk in children))
    org_inputs = _inputs(None, sum(headcount[r] for r in roots), total(completion, progress_selectors.Completion),
                         total(knowledge, progress_selectors.Knowledge),
                         total(confidence, progress_selectors.Confidence), adkar, rates, wave, n)
    org = Row(None, None, -1, org_inputs.headcount, org_inputs, model.readiness(org_inputs, weights, n))
    medians = model.medians(r.result for r in rows)
    for row in [org, *rows]:
        row.lever = model.biggest_lever(row.result, medians)
        row.why = model.why(row.result, row.lever)
    return Table(org, rows, weights, n, wave, medians, as_of)


def add_changes(table: Table, days: int = TREND_DAYS) -> None:  # also used by the manager digest
    """Each row's change since its earliest snapshot with a score in the last `days` days (two queries,
    whatever the number of departments: the earliest day per department, then the rows of those days)."""
    since = table.as_of - timedelta(days=days)
    window = ReadinessSnapshot.objects.filter(date__gte=since, date__lt=table.as_of, score__isnull=False)
    first = {r["department"]: r["first"] for r in window.values("department").annotate(first=Min("date")).order_by()}
    if not first:
        return
    then = {s.department_id: s for s in window.filter(date__in=set(first.values())) if first.get(s.department_id) == s.date}
    for row in [table.organisation, *table.rows]:
        old = then.get(row.pk)
        if old is not None and row.score is not None:
            row.change = model.change(old.score, old.headcount, row.score, row.headcount, old.date)


def readiness_for_user(user, *, directorate: int | None = None) -> tuple[Table, list[Row]]:
    """The organisation's table (for comparison) and the rows this user may see, in tree order, with depth
    relative to the shallowest visible one. `directorate`: only that top-level department's subtree."""
    table = readiness_table()
    add_changes(table)
    visible = set(visible_departments(user).values_list("pk", flat=True))
    rows = [r for r in table.rows if r.pk in visible]
    if directorate is not None:
        rows = [r for r in rows if directorate in r.department.tree_path]
    if rows:
        top = min(r.depth for r in rows)
        for r in rows:
            r.depth -= top
    return table, rows


def weights_explained() -> list[dict]:
    """Each part of readiness with the council's weight and how it is worked out (the transparency page)."""
    weights = ReadinessWeights.load().as_dict()
    return [{"label": c.label, "weight": weights[c.key], "how": model.HOW[c.key]} for c in model.COMPONENTS]


def directorates() -> list[Department]:
    """The departments a filter offers: the top-level ones, or, where one department (the council itself)
    is the only top, the departments directly beneath it."""
    tops = list(Department.objects.filter(parent__isnull=True).order_by("name"))
    if len(tops) == 1:
        return list(Department.objects.filter(parent=tops[0]).order_by("name")) or tops
    return tops


def trend(department: Department | None, *, days: int = TREND_DAYS, today: date | None = None) -> list[ReadinessSnapshot]:
    """A department's (or the organisation's) snapshots over the last `days` days, oldest first."""
    today = today or timezone.localdate()
    return list(ReadinessSnapshot.objects.filter(department=department, date__gte=today - timedelta(days=days))
                .order_by("date"))


def top_barriers(rows: list[Row]) -> list[tuple[str, int, int]]:
    """(element label, departments, staff in them) for each ADKAR barrier among these rows, most staff first.
    Only leaf-level counting would double-count parents, so each department counts its own subtree once
    and a department is counted only when none of its visible ancestors has the same barrier."""
    counts: dict[str, list[int]] = {}
    by_pk = {r.pk: r for r in rows}
    for r in rows:
        b = r.result.barrier
        if b is None:
            continue
        parent = by_pk.get(r.parent_id)
        if parent is not None and parent.result.barrier is not None and parent.result.barrier.element == b.element:
            continue
        acc = counts.setdefault(b.element, [0, 0])
        acc[0] += 1
        acc[1] += r.headcount
    return sorted(((model.ADKAR_LABELS[e], c, h) for e, (c, h) in counts.items()), key=lambda t: (-t[2], t[0]))


@dataclass
class ValueRow:
    value: CouncilValue
    modules: int
    completion: object  # progress Completion
    knowledge: object
    agreement: object  # (mean, answers) | Suppressed | None


def readiness_by_value(department: Department | None, department_ids: list[int]) -> list[ValueRow]:
    """For each council value: learning completion and knowledge on the modules tagged with it, and mean
    agreement on the survey questions tagged with it (through the release) in the latest closed wave.
    Queries grow with the number of values (a handful), not with staff or departments."""
    values = list(CouncilValue.objects.prefetch_related("modules"))
    wave = survey_selectors.latest_closed_wave()
    means = survey_selectors.value_means(wave, department) if wave is not None else None
    roots = _root_ids() & set(department_ids) if department is None else set()
    out = []
    for v in values:
        module_ids = [m.pk for m in v.modules.all()]
        key = department.pk if department else None
        if module_ids:
            comp = progress_selectors.completion_by_department(department_ids, module_ids=module_ids)
            know = progress_selectors.knowledge_by_department(department_ids, module_ids=module_ids)
            if key is None:
                comp_v = progress_selectors.Completion(*(sum(getattr(comp[r], f) for r in roots)
                                                         for f in ("assigned", "completed", "overdue")))
                know_v = progress_selectors.Knowledge(sum(know[r].scored for r in roots), sum(know[r].total for r in roots))
            else:
                comp_v, know_v = comp.get(key), know.get(key)
        else:
            comp_v = know_v = None
        agreement = means if isinstance(means, Suppressed) else (means or {}).get(v.pk)
        out.append(ValueRow(v, len(module_ids), comp_v, know_v, agreement))
    return out


def _root_ids() -> set[int]:
    return set(Department.objects.filter(parent__isnull=True).values_list("pk", flat=True))


def overdue_staff(department_ids: list[int]):
    """Named overdue training (a manager may see their own staff's training status; never survey answers)."""
    return progress_selectors.overdue_enrolments(department_ids)


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
        table, visible = readiness_for_user(user)
        ctx["readiness"] = table
        ctx["headline"] = _headline(user, table, visible)
    if roles.is_hr(user):
        ctx["recent_imports"] = list(org_selectors.recent_imports(3))
    if roles.is_manager(user):
        ctx["managed"] = list(user.managed_departments.order_by("name"))
    if roles.is_author(user):
        modules = list(authoring_selectors.modules_for_author(user))
        published = sum(1 for m in modules if m.published)
        ctx["authoring"] = {"total": len(modules), "published": published, "drafts": len(modules) - published}
    if roles.is_admin(user):
        ctx["council"] = CouncilSettings.load()
    return ctx


def _headline(user, table: Table, visible: list[Row]) -> dict:
    """HR: the organisation's row. A manager: each department they manage (the top of what they see)."""
    heads = [table.organisation] if roles.is_hr(user) else [r for r in visible if r.depth == 0]
    overdue = sum(r.inputs.overdue for r in heads)
    barriers = top_barriers(visible) if not roles.is_hr(user) else top_barriers(table.rows)
    return {"rows": heads, "overdue": overdue, "top_barrier": barriers[0] if barriers else None,
            "wave": table.wave}
