"""Page-level reads for running surveys and reading their results (HR and managers), built on
surveys.selectors. What this module owns:

- who may see which wave's results (HR: every wave; a manager: waves sent to their departments, and only
  the figures of their own departments: anything else is 404, as for a wave that does not exist);
- the results page of a closed wave for one group (a department or the organisation, narrowed by at most
  two staff attributes): response rate, dimension scores, answers per question, departments by
  dimension, trend across the survey's waves and, for HR, the whole organisation beside it;
- comments, with sentiment and themes, for the department cells the comments release released;
- the named answers of a named wave (HR only).

Every figure is the figure of one cell (surveys.suppression) and is read only if the wave's release
(decided once, when it closed) released that cell; anything else comes back as `Suppressed` ("fewer than
N responses"), never as a number, a blank or a zero. The release hides every cell beneath a hidden one
and counts the people without a value for an attribute as a part of its own, so pages read it as it is.
Two more guards on top of it, each a function of the release alone, so every page and download here
makes the same choice:
- departments are read as the release saw them (the tree is stored with it), and if the responses a cell
  holds now differ in number from those the release counted, the cell is hidden: the decision was made
  for other data;
- comments (and their themes and sentiment) are offered for department cells only, never with attribute
  filters: department cells nest or are apart, so no comment can be singled out by intersecting two
  lists (a department's list and the frontline list would otherwise share exactly the comments of the
  department's frontline staff, however small that group is).

Sums over departments are fetched once per page (grouped by department) and rolled up the tree in
Python, so a page costs the same few queries however many departments it shows.
"""

import hashlib
import math
from collections import Counter, defaultdict
from dataclasses import dataclass, field

from django.db.models import Count, Exists, F, OuterRef, Q, QuerySet, Sum
from django.http import Http404

from organisation import roles
from organisation.models import Department, StaffProfile
from organisation.scoping import visible_departments
from surveys import selectors, sentiment
from surveys.models import Answer, Participation, Question, Response, Section, Survey, Wave
from surveys.selectors import Suppressed
from surveys.suppression import ORG, Release, Tree, cell_key

ATTRIBUTES = ["work_pattern", "contract", "has_work_email", "grade_band"]
ATTRIBUTE_LABELS = {"work_pattern": "Work pattern", "contract": "Contract", "has_work_email": "Work email",
                    "grade_band": "Grade band"}
AGREE_LABELS = {1: "Strongly disagree", 2: "Disagree", 3: "Neither agree nor disagree", 4: "Agree",
                5: "Strongly agree"}
DIMENSION_LABELS = dict(Question.Dimension.choices)
DIMENSION_ORDER = [d for d, _ in Question.Dimension.choices]


def value_label(attribute: str, value: str) -> str:
    if attribute == "work_pattern":
        return dict(StaffProfile.WorkPattern.choices).get(value, value)
    if attribute == "contract":
        return dict(StaffProfile.Contract.choices).get(value, value)
    if attribute == "has_work_email":
        return "Has a work email" if value == "True" else "No work email"
    return f"Grade {value}" if attribute == "grade_band" else value


def _attribute_lookups(filters, prefix: str = "") -> dict:
    return {f"{prefix}{a}": (v == "True") if a == "has_work_email" else v for a, v in filters}


# --- Surveys and waves (HR) --------------------------------------------------------------------------------

def surveys_for_hr() -> QuerySet[Survey]:
    return Survey.objects.annotate(wave_count=Count("waves")).order_by("-created_at", "-pk")


def get_survey_for_hr(survey_id: int) -> Survey:
    try:
        return Survey.objects.get(pk=survey_id)
    except Survey.DoesNotExist:
        raise Http404("No such survey") from None


def get_section_for_hr(section_id: int) -> Section:
    try:
        return Section.objects.select_related("survey").get(pk=section_id)
    except Section.DoesNotExist:
        raise Http404("No such section") from None


def get_question_for_hr(question_id: int) -> Question:
    try:
        return Question.objects.select_related("survey", "section").get(pk=question_id)
    except Question.DoesNotExist:
        raise Http404("No such question") from None


def survey_sections(survey: Survey):
    """The survey's sections in order, each with its questions (and their council values) in order."""
    return survey.sections.prefetch_related("questions__values").order_by("order", "pk")


def survey_waves(survey: Survey) -> QuerySet[Wave]:
    return survey.waves.prefetch_related("departments").order_by("-opens_at", "-pk")


def survey_dimensions(survey: Survey) -> list[str]:
    """The dimensions the survey's agreement questions are tagged with, in the model's order."""
    used = set(survey.questions.filter(type=Question.Type.AGREE5).exclude(dimension="")
               .values_list("dimension", flat=True))
    return [d for d in DIMENSION_ORDER if d in used]


# --- Who may see which results ------------------------------------------------------------------------------

def waves_for_user(user) -> QuerySet[Wave]:
    """Waves whose results the user may open: HR every wave; a manager the open and closed waves sent to
    any of their departments."""
    waves = Wave.objects.select_related("survey").order_by("-opens_at", "-pk")
    if roles.is_hr(user):
        return waves
    if roles.is_manager(user):
        sent_to_theirs = Participation.objects.filter(wave=OuterRef("pk"), department__in=visible_departments(user))
        return waves.exclude(status=Wave.Status.SCHEDULED).filter(Exists(sent_to_theirs))
    return waves.none()


def get_wave_for_user(user, wave_id) -> Wave:
    try:
        return waves_for_user(user).get(pk=wave_id)
    except (Wave.DoesNotExist, ValueError, TypeError):
        raise Http404("No such wave") from None


def default_department(user) -> Department | None:
    """Where a results page starts: the organisation for HR; a manager's highest department."""
    if roles.is_hr(user):
        return None
    rows = list(visible_departments(user).with_tree_fields().order_by("tree_depth", "name")[:1])
    if not rows:
        raise Http404("No departments")
    return rows[0]


def filter_choices(wave: Wave) -> dict[str, list[tuple[str, str]]]:
    """The attributes a wave's results may be narrowed by, with the values they take among the people it
    was sent to. People without a value (grade band is optional) are not a filter: the release counts
    them as a part of their own, hidden or shown like any other, so the values offered never add up to
    the whole minus a few people."""
    seen: dict[str, set[str]] = {a: set() for a in ATTRIBUTES}
    rows = list(Participation.objects.filter(wave=wave).values(*ATTRIBUTES).distinct())
    rows += list(Response.objects.filter(wave=wave).values(*ATTRIBUTES).distinct())
    for row in rows:
        for a in ATTRIBUTES:
            if row[a] not in (None, ""):
                seen[a].add(str(row[a]))
    order = {"work_pattern": [c for c, _ in StaffProfile.WorkPattern.choices],
             "contract": [c for c, _ in StaffProfile.Contract.choices], "has_work_email": ["True", "False"]}
    out = {}
    for a, values in seen.items():
        if not values:
            continue
        known = order.get(a, [])
        ordered = [v for v in known if v in values] + sorted(v for v in values if v not in known)
        out[a] = [(v, value_label(a, v)) for v in ordered]
    return out


# --- The group a page is about --------------------------------------------------------------------------------

@dataclass(frozen=True)
class Group:
    """A department (and everything beneath it) or the whole organisation, narrowed by at most
    MAX_FILTERS attribute filters ((attribute, value) pairs, values as the cell keys write them)."""

    department: Department | None = None
    filters: tuple[tuple[str, str], ...] = ()

    @property
    def scope(self) -> str:
        return ORG if self.department is None else f"d{self.department.pk}"

    @property
    def key(self) -> str:
        return cell_key(self.scope, self.filters)

    @property
    def filter_label(self) -> str:
        return ", ".join(value_label(a, v) for a, v in self.filters)

    @property
    def label(self) -> str:
        where = "The whole organisation" if self.department is None else f"{self.department.name} and the teams beneath it"
        return f"{where}: {self.filter_label}" if self.filters else where


def _scope_label(scope: str, names: dict[int, str]) -> str:
    if scope == ORG:
        return "The whole organisation"
    pk = int(scope[1:].rstrip("!"))
    return f"{names[pk]}: staff not in a team below" if scope.endswith("!") else names[pk]


# --- Live sums, rolled up the tree, read through the release -------------------------------------------------

class _Tree:
    """The department tree a wave's release was decided on, with each scope's departments cached."""

    def __init__(self, tree: Tree, *, current_names: bool = False):
        self.parent = tree.parent
        # Departments keep the shape the release saw; they are labelled by their names today if they
        # still exist (a renamed department is the same department).
        self.names = {**tree.names, **dict(Department.objects.values_list("pk", "name"))} if current_names else tree.names
        self.children: dict[int | None, list[int]] = tree.children()
        self._tree = tree
        self._members: dict[str, list[int] | None] = {}

    def members(self, scope: str) -> list[int] | None:
        """Departments whose responses a scope holds (None: all of them)."""
        if scope not in self._members:
            self._members[scope] = self._tree.members(scope)
        return self._members[scope]

    def in_order(self, roots: list[int]) -> list[tuple[int, int]]:
        """(department, depth below the roots) for the roots and everything beneath them, depth first,
        children by name."""
        out, stack = [], [(r, 0) for r in reversed(roots)]
        while stack:
            d, depth = stack.pop()
            out.append((d, depth))
            stack.extend((c, depth + 1) for c in reversed(self.children.get(d, [])))
        return out


def _total(per_department: dict, members: list[int] | None, zero=0):
    values = per_department.values() if members is None else [per_department[d] for d in members if d in per_department]
    total = zero
    for v in values:
        total = total + v
    return total


@dataclass
class _DimSum:
    total: int = 0
    answers: int = 0
    responses: int = 0

    def __add__(self, other):
        return _DimSum(self.total + other.total, self.answers + other.answers, self.responses + other.responses)


class _Cells:
    """Live figures of one wave under one set of attribute filters, for any scope. Read only through
    `hidden()`: a cell the release did not release, or whose live response count differs from the count
    the release decided on, is hidden."""

    def __init__(self, wave: Wave, release: Release, filters, tree: _Tree):
        self.wave, self.release, self.filters, self.tree = wave, release, tuple(filters), tree
        self.n = wave.min_group_size
        lookups = _attribute_lookups(self.filters)
        self.responses = dict(Response.objects.filter(wave=wave, **lookups).values("department_id")
                              .annotate(n=Count("pk")).values_list("department_id", "n"))
        self.invited = dict(Participation.objects.filter(wave=wave, **lookups).values("department_id")
                            .annotate(n=Count("pk")).values_list("department_id", "n"))
        self.dims: dict[str, dict[int, _DimSum]] = defaultdict(dict)
        rows = (Answer.objects.filter(response__wave=wave, question__type=Question.Type.AGREE5,
                                      number__isnull=False, **_attribute_lookups(self.filters, "response__"))
                .exclude(question__dimension="")
                .values("response__department_id", "question__dimension")
                .annotate(total=Sum("number"), answers=Count("pk"), responses=Count("response", distinct=True)))
        for r in rows:
            self.dims[r["question__dimension"]][r["response__department_id"]] = _DimSum(
                r["total"], r["answers"], r["responses"])

    def key(self, scope: str) -> str:
        return cell_key(scope, self.filters)

    def hidden(self, scope: str) -> bool:
        key = self.key(scope)
        if not self.release.is_released(key):
            return True
        return _total(self.responses, self.tree.members(scope)) != self.release.counts.get(key)

    def response_count(self, scope: str) -> int | Suppressed:
        return Suppressed(self.n) if self.hidden(scope) else self.release.counts[self.key(scope)]

    def rate(self, scope: str) -> dict:
        key = self.key(scope)
        if self.hidden(scope):
            return {"key": key, "hidden": True, "value": Suppressed(self.n)}
        invited = _total(self.invited, self.tree.members(scope))
        responses = self.release.counts[key]
        return {"key": key, "hidden": False, "invited": invited, "responses": responses,
                "rate": min(100, round(100 * responses / invited)) if invited else 100}

    def means(self, scope: str) -> dict[str, tuple[float, int]] | Suppressed:
        if self.hidden(scope):
            return Suppressed(self.n)
        members = self.tree.members(scope)
        out = {}
        for dim, per_department in self.dims.items():
            s = _total(per_department, members, _DimSum())
            if s.answers:
                # Exact: the barrier rule compares the unrounded mean with 3; cells round to show it.
                out[dim] = (s.total / s.answers, s.responses)
        return out


# --- Heatmap colours --------------------------------------------------------------------------------------------

# The heatmap's colours compare each mean with a reference (the organisation's mean for the same dimension,
# or the group shown), diverging either way, so contrast shows even when every mean sits between 3.5 and
# 4.5. Steps in hundredths of a point on the 1-5 scale, applied to means rounded to two places (as the cells
# hold them), so a boundary is exact: a difference of 0.10 is "0.1 to 0.29", 0.09 is "less than 0.1".
HEAT_STEPS = (10, 30, 60)
HEAT_KEY = (("m3", "0.6 or more below"), ("m2", "0.3 to 0.59 below"), ("m1", "0.1 to 0.29 below"),
            ("0", "less than 0.1 either way"), ("p1", "0.1 to 0.29 above"), ("p2", "0.3 to 0.59 above"),
            ("p3", "0.6 or more above"))


def relative_heat(mean: float | None, reference: float | None) -> str:
    """The heatmap class suffix (tandem-rheat--...) for a mean beside its reference: "m3".."m1" below,
    "0" within 0.1, "p1".."p3" above; "none" without both. The number is always printed too."""
    if mean is None or reference is None:
        return "none"
    hundredths = round((mean - reference) * 100)
    step = sum(abs(hundredths) >= s for s in HEAT_STEPS)
    if step == 0:
        return "0"
    return f"{'p' if hundredths > 0 else 'm'}{step}"


def _shade(cells: list[dict], reference: dict[str, float]) -> None:
    for c in cells:
        c["heat"] = "none" if c["hidden"] else relative_heat(c["mean"], reference.get(c["dimension"]))


def _dimension_cells(key: str, means, dimensions: list[str], n: int) -> list[dict]:
    if isinstance(means, Suppressed) or means is None:
        return [{"key": key, "dimension": d, "label": DIMENSION_LABELS[d], "hidden": True, "value": Suppressed(n)}
                for d in dimensions]
    out = []
    for d in dimensions:
        if d in means:
            mean, responses = means[d]
            out.append({"key": key, "dimension": d, "label": DIMENSION_LABELS[d], "hidden": False, "mean": round(mean, 2),
                        "responses": responses, "width": round(mean / 5 * 100, 1)})
        else:  # a released cell with no answers to this dimension cannot happen in an anonymous survey
            out.append({"key": key, "dimension": d, "label": DIMENSION_LABELS[d], "hidden": True,
                        "value": Suppressed(n)})
    return out


# --- Results of a closed wave ------------------------------------------------------------------------------------

def _rows(user, group: Group, tree: _Tree, release: Release) -> list[dict]:
    """The departments a page lists (the group's department and everything beneath it the user may see,
    or every department for the organisation), in tree order as the release saw it, each followed by its
    own staff where it has teams below. Only departments the wave was sent to are listed."""
    roots = [group.department.pk] if group.department is not None else tree.children.get(None, [])
    listed = tree.in_order(roots)
    if not roles.is_hr(user):
        visible = set(visible_departments(user).values_list("pk", flat=True))
        listed = [(d, depth) for d, depth in listed if d in visible]
    listed = [(d, depth) for d, depth in listed if f"d{d}" in release.counts]
    if not listed:
        return []
    top = min(depth for _, depth in listed)
    rows = []
    for d, depth in listed:
        name = tree.names.get(d, "")
        rows.append({"scope": f"d{d}", "label": name, "depth": depth - top})
        if tree.children.get(d) and f"d{d}!" in release.counts:
            rows.append({"scope": f"d{d}!", "label": f"{name}: staff not in a team below", "depth": depth - top + 1})
    return rows


# A department table longer than this is shown a directorate at a time.
LONG_TABLE = 12


def by_directorate(rows: list[dict], *, longest: int = LONG_TABLE) -> dict | None:
    """A long department table split for reading: `lead`, the top rows and the directorates (the
    departments directly beneath a single top department, or the top departments when there are several),
    shown as they are; and `sections`, the teams beneath each directorate (depth counted from just beneath
    it), each shown folded under its directorate's name. None when the table is short enough to show
    whole. The rows are the page's own (the same figures); only their grouping changes."""
    if len(rows) <= longest:
        return None
    level = 1 if sum(1 for r in rows if r["depth"] == 0) == 1 else 0
    lead, sections, current = [], [], None
    for row in rows:
        if row["depth"] <= level or current is None:
            lead.append(row)
            if row["depth"] == level and not row["scope"].endswith("!"):
                current = {"label": row["label"], "scope": row["scope"], "rows": []}
                sections.append(current)
        else:
            current["rows"].append({**row, "depth": row["depth"] - level - 1})
    sections = [s for s in sections if s["rows"]]
    return {"lead": lead, "sections": sections} if sections else None


def _distributions(wave: Wave, key: str, survey: Survey, responses: int) -> list[dict]:
    """Answers per value (scales) or per choice, for every non-text question, in one cell already known
    to be released."""
    questions = list(survey.questions.exclude(type=Question.Type.TEXT).select_related("section")
                     .order_by("section__order", "section_id", "order", "pk"))
    in_cell = Answer.objects.filter(response__in=selectors.cell_responses(wave, key), question__survey=survey)
    numbers: dict[int, dict[int, int]] = defaultdict(dict)
    for qid, number, n in (in_cell.filter(number__isnull=False).values("question_id", "number")
                           .annotate(n=Count("pk")).values_list("question_id", "number", "n")):
        numbers[qid][number] = n
    chosen: dict[int, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    answered: dict[int, int] = defaultdict(int)
    choice_types = [Question.Type.SINGLE, Question.Type.MULTIPLE]
    for qid, picks in in_cell.filter(question__type__in=choice_types).values_list("question_id", "choices"):
        answered[qid] += 1
        for c in picks or []:
            chosen[qid][c] += 1
    out = []
    for q in questions:
        if q.type == Question.Type.AGREE5:
            options = [(v, AGREE_LABELS[v]) for v in range(1, 6)]
            counts = numbers[q.pk]
        elif q.type == Question.Type.SCALE10:
            options = [(v, str(v)) for v in range(0, 11)]
            counts = numbers[q.pk]
        else:
            options = [(c["id"], c["text"]) for c in q.choices]
            counts = chosen[q.pk]
        # People can choose several answers to a "choose any" question: shares are of the people who answered.
        total = answered[q.pk] if q.type == Question.Type.MULTIPLE else sum(counts.values())
        palette = {"agree5": "agree", "scale10": "scale"}.get(q.type, "category")
        rows, x = [], 0.0
        for i, (value, text) in enumerate(options):
            count = counts.get(value, 0)
            share = 100 * count / total if total else 0
            rows.append({"label": text, "count": count, "percent": round(share), "x": round(x, 2),
                         "width": round(share, 2), "colour": i % 8 if palette == "category" else i})
            x += share
        out.append({"question": q, "key": key, "kind": "bars" if q.type == Question.Type.MULTIPLE else "stacked",
                    "palette": palette, "rows": rows, "total": total, "responses": responses})
    return out


def _released_means(w: Wave, key: str) -> dict | Suppressed:
    """A closed wave's dimension means for a cell, or Suppressed if its release hid the cell (or the data
    has changed since it closed)."""
    release = selectors.figures_release(w)
    if not release.is_released(key) or selectors.cell_responses(w, key).count() != release.counts.get(key):
        return Suppressed(w.min_group_size)
    return selectors.dimension_means(w, key)


def _trend(wave: Wave, key: str, dimensions: list[str], user) -> list[dict]:
    """The group's dimension scores in each closed wave of the survey the user may see, oldest first.

    Another wave's score is shown beside this wave's only where both waves released the cell (and the
    dimension): a trend compares two released figures, never a released one with a hidden one. This does
    not stop a reader who sets two released waves side by side from learning something about people who
    joined or left the group between them (docs/data-protection.md says what)."""
    waves = (waves_for_user(user).filter(survey_id=wave.survey_id, status=Wave.Status.CLOSED)
             .order_by("opens_at", "pk"))
    here = _released_means(wave, key)
    out = []
    for w in waves:
        if not isinstance(here, dict):
            means = Suppressed(w.min_group_size)
        else:
            means = here if w.pk == wave.pk else _released_means(w, key)
        if isinstance(means, dict):
            means = {d: v for d, v in means.items() if d in here}
        out.append({"wave": w, "current": w.pk == wave.pk, "hidden": not isinstance(means, dict),
                    "value": Suppressed(w.min_group_size),
                    "cells": _dimension_cells(key, means, dimensions, w.min_group_size)})
    return out


# --- The summary a results page opens with ----------------------------------------------------------------------

Z95 = 1.96


@dataclass(frozen=True)
class Spread:
    """One dimension in one released cell: the mean of its answers, how spread they are, and from how many
    responses. The spread is worked out from the answers per value, which the page already shows for the
    cell (Answers by question), so it releases nothing new."""

    mean: float
    sd: float
    responses: int


def _released_spread(w: Wave, key: str) -> dict[str, Spread] | Suppressed:
    """Each dimension's Spread in a closed wave's cell, or Suppressed if that wave's release hid the cell
    (or its data changed since it closed): read exactly as the trend reads another wave."""
    release = selectors.figures_release(w)
    if release is None or not release.is_released(key) or (
            selectors.cell_responses(w, key).count() != release.counts.get(key)):
        return Suppressed(w.min_group_size)
    rows = (Answer.objects.filter(response__in=selectors.cell_responses(w, key), question__type=Question.Type.AGREE5,
                                  number__isnull=False)
            .exclude(question__dimension="").values("question__dimension")
            .annotate(total=Sum("number"), squares=Sum(F("number") * F("number")), answers=Count("pk"),
                      responses=Count("response", distinct=True)).order_by())
    out = {}
    for r in rows:
        mean = r["total"] / r["answers"]
        variance = max(0.0, r["squares"] / r["answers"] - mean * mean)
        out[r["question__dimension"]] = Spread(mean, math.sqrt(variance), r["responses"])
    return out


def previous_wave(user, wave: Wave) -> Wave | None:
    """The closed wave of the same survey the user may see that opened just before this one."""
    earlier = Q(opens_at__lt=wave.opens_at) | Q(opens_at=wave.opens_at, pk__lt=wave.pk)
    return (waves_for_user(user).filter(earlier, survey_id=wave.survey_id, status=Wave.Status.CLOSED)
            .order_by("-opens_at", "-pk").first())


def change_between(then: Spread, now: Spread) -> dict:
    """A change of a mean between two waves, called a change only beyond its 95% margin of error (the
    answers' spread in each wave over its number of responses; answers from one person count once, so the
    margin is on the wide side)."""
    difference = round(now.mean, 2) - round(then.mean, 2)
    margin = Z95 * math.sqrt(then.sd ** 2 / then.responses + now.sd ** 2 / now.responses)
    beyond = abs(difference) > margin
    return {"then": round(then.mean, 2), "now": round(now.mean, 2), "difference": round(difference, 2),
            "margin": round(margin, 2), "beyond": beyond, "n_then": then.responses, "n_now": now.responses,
            "direction": ("up" if difference > 0 else "down") if beyond else "same"}


def results_summary(user, wave: Wave, group: Group, *, rate: dict, means, dimensions: list[str], n: int) -> dict:
    """What the results page opens with, for the group: its response rate, its mean for each ADKAR element
    (or each dimension, in a survey without them), the barrier point (from the exact means), and the change
    of each since the previous closed wave of the survey. Only released figures: a hidden group has no
    means and no barrier; a change is given only where both waves released the group (and the element)."""
    elements = [d for d in dimensions if d in Question.ADKAR] or dimensions
    released = isinstance(means, dict)
    adkar = {d: v for d, v in means.items() if d in Question.ADKAR} if released else {}
    barrier = selectors.barrier_point(adkar) if adkar else None
    out = {
        "rate": rate, "hidden": not released, "adkar": any(d in Question.ADKAR for d in elements),
        "elements": _dimension_cells(group.key, means if released else Suppressed(n), elements, n),
        "barrier": barrier, "barrier_label": DIMENSION_LABELS.get(barrier, ""),
        "barrier_mean": adkar[barrier][0] if barrier else None,
        "barrier_responses": adkar[barrier][1] if barrier else None,
        "previous": previous_wave(user, wave), "previous_hidden": False, "changes": [],
    }
    if out["previous"] is None or not released or not elements:
        return out
    then = _released_spread(out["previous"], group.key)
    now = _released_spread(wave, group.key)
    if not isinstance(then, dict) or not isinstance(now, dict):
        out["previous_hidden"] = True
        return out
    out["changes"] = [{"dimension": d, "label": DIMENSION_LABELS[d], "key": group.key, **change_between(then[d], now[d])}
                      for d in elements if d in then and d in now]
    return out


def results_page(user, wave: Wave, group: Group) -> dict | None:
    """Everything the results page (and its exports) shows for a closed wave and one group; None until
    the wave has closed."""
    release = selectors.figures_release(wave)
    if release is None:
        return None
    n = wave.min_group_size
    dimensions = survey_dimensions(wave.survey)
    tree = _Tree(selectors.release_tree(wave), current_names=True)
    cells = _Cells(wave, release, group.filters, tree)
    scope = group.scope
    focus_hidden = cells.hidden(scope)
    focus_means = cells.means(scope)
    summary = results_summary(user, wave, group, rate=cells.rate(scope), means=focus_means, dimensions=dimensions, n=n)
    rows = _rows(user, group, tree, release)
    for row in rows:
        row["key"] = cells.key(row["scope"])
        row["rate"] = cells.rate(row["scope"])
        row["cells"] = _dimension_cells(row["key"], cells.means(row["scope"]), dimensions, n)
    page = {
        "n": n, "group": group, "key": group.key, "hidden": focus_hidden, "dimensions": dimensions,
        "dimension_labels": DIMENSION_LABELS,
        "rate": cells.rate(scope),
        "scores": _dimension_cells(group.key, focus_means, dimensions, n),
        "summary": summary, "barrier": summary["barrier"],
        "questions": [] if focus_hidden else _distributions(wave, group.key, wave.survey, release.counts[group.key]),
        "rows": rows,
        "trend": _trend(wave, group.key, dimensions, user),
        "comparison": None,
    }
    # The whole organisation beside a department: HR only (managers see their own departments only).
    if roles.is_hr(user) and group.department is not None:
        org_cells = _dimension_cells(cells.key(ORG), cells.means(ORG), dimensions, n)
        page["comparison"] = [
            {"dimension": d, "group": g, "organisation": o,
             "difference": None if g["hidden"] or o["hidden"] else round(g["mean"] - o["mean"], 2)}
            for d, g, o in zip(dimensions, page["scores"], org_cells, strict=True)
        ]
        page["organisation_rate"] = cells.rate(ORG)
    page["score_rows"] = [
        {"label": c["label"], "group": c, "organisation": page["comparison"][i]["organisation"] if page["comparison"] else None}
        for i, c in enumerate(page["scores"])
    ]
    # Heatmap colours against the organisation's mean (HR), or the group's own (a manager, who sees no
    # organisation figure; or where the organisation's is hidden under the filters): both on the page.
    reference_cells = page["scores"]
    page["heat_reference"] = "group"
    if roles.is_hr(user):
        org_cells = [c["organisation"] for c in page["comparison"]] if page["comparison"] else page["scores"]
        if not all(c["hidden"] for c in org_cells):
            reference_cells, page["heat_reference"] = org_cells, "organisation"
    reference = {c["dimension"]: c["mean"] for c in reference_cells if not c["hidden"]}
    for row in rows:
        _shade(row["cells"], reference)
    page["heat_key"] = HEAT_KEY
    page["row_sections"] = by_directorate(rows)
    return page


def open_wave_rate(user, wave: Wave) -> dict | None:
    """While a wave runs only its overall response rate is shown (DESIGN.md), and only to HR: it is an
    organisation-wide figure."""
    if wave.status != Wave.Status.OPEN or not roles.is_hr(user):
        return None
    rate = selectors.overall_response_rate(wave)
    return {**rate, "hidden": isinstance(rate["rate"], Suppressed)}


# --- Comments ------------------------------------------------------------------------------------------------

def _commenters(answers) -> int:
    return answers.values("response_id").distinct().count()


def comment_order_key(seed: str, answer_id) -> str:
    """The place of a comment in one viewer's list: a hash of their seed and the comment's random id, so the
    order is random (it follows neither submission nor anything about the writer) yet the same on every page
    of one viewer's session, and paging neither repeats nor skips a comment."""
    return hashlib.sha256(f"{seed}:{answer_id}".encode()).hexdigest()


def comments_page(wave: Wave, department: Department | None, *, include_hidden: bool = False,
                  order_seed: str = "", theme: str = "", tone: str = "") -> dict:
    """The comments of one department cell (or the organisation), without dates, with a sentiment score and
    themes each, how many comments touch each theme and each sentiment, and the comments a theme or a
    sentiment picks out (`theme`, a slug of sentiment.THEMES; `tone`, one of sentiment.SENTIMENTS), by
    question, in a random order fixed by `order_seed`; only if the comments release released the cell.
    Counts are of the cell's comments, which are all shown: a count says nothing the comments do not.
    Hidden comments are left out (listed apart for HR when `include_hidden`)."""
    release = selectors.comments_release(wave)
    key = selectors.cell_key_for(department)
    n = wave.min_comment_group_size
    closed = release is not None
    text_answers = Answer.objects.filter(response__in=selectors.cell_responses(wave, key),
                                         question__type=Question.Type.TEXT).exclude(text="")
    if not closed or not release.is_released(key) or _commenters(text_answers) != release.counts.get(key):
        return {"key": key, "released": False, "closed": closed, "n": n, "value": Suppressed(n)}
    questions = list(wave.survey.questions.filter(type=Question.Type.TEXT)
                     .order_by("section__order", "section_id", "order", "pk"))
    position = {q.pk: i for i, q in enumerate(questions)}
    rows = sorted(text_answers.filter(hidden=False).values_list("pk", "question_id", "text"),
                  key=lambda r: (position.get(r[1], len(position)), comment_order_key(order_seed, r[0])))
    by_question = {q.pk: q for q in questions}
    comments = []
    for pk, qid, text in rows:
        compound = sentiment.score(text)
        comments.append({"id": pk, "question": by_question.get(qid), "text": text, "score": compound,
                         "label": sentiment.label(compound), "themes": sentiment.comment_themes(text)})
    texts = [c["text"] for c in comments]
    mean, count = sentiment.mean_score(texts)
    tones = Counter(c["label"] for c in comments)
    chosen = [c for c in comments
              if (not theme or any(t.slug == theme for t in c["themes"])) and (not tone or c["label"] == tone)]
    hidden = []
    if include_hidden:
        hidden = sorted(({"id": pk, "text": text} for pk, text in
                         text_answers.filter(hidden=True).values_list("pk", "text")),
                        key=lambda c: comment_order_key(order_seed, c["id"]))
    return {
        "key": key, "released": True, "closed": True, "n": n, "questions": questions,
        "comments": chosen, "mean": mean, "count": count,
        "mean_label": sentiment.label(mean) if mean is not None else "",
        "themes": sentiment.theme_counts(texts), "unthemed": sum(1 for c in comments if not c["themes"]),
        "tones": [(label, tones.get(label, 0)) for label in sentiment.SENTIMENTS],
        "hidden_comments": hidden,
    }


def get_comment_for_hr(wave: Wave, answer_id) -> Answer:
    try:
        return (Answer.objects.select_related("question__survey", "response")
                .get(pk=answer_id, response__wave=wave, question__type=Question.Type.TEXT))
    except (Answer.DoesNotExist, ValueError):
        raise Http404("No such comment") from None


def sentiment_by_department(wave: Wave, departments) -> list[dict]:
    """For adoption/: the mean VADER compound score (-1 to 1) and number of comments of each department
    (with everything beneath it), only where the wave's comments release released that department's
    cell (departments as it saw them); otherwise both are Suppressed ("hidden": True; both None before the
    wave closes). Comments HR hid are left out (the mean is None if none is left). One query whatever the
    number of departments."""
    departments = list(departments)
    release = selectors.comments_release(wave)
    if release is None:
        return [{"department": d, "key": selectors.cell_key_for(d), "hidden": True, "mean": None, "comments": None}
                for d in departments]
    n = wave.min_comment_group_size
    tree = _Tree(selectors.release_tree(wave))
    texts: dict[int, list[str]] = defaultdict(list)
    commenters: dict[int, set] = defaultdict(set)
    rows = (Answer.objects.filter(response__wave=wave, question__type=Question.Type.TEXT).exclude(text="")
            .values_list("response__department_id", "response_id", "text", "hidden"))
    for department_id, response_id, text, hidden in rows:
        commenters[department_id].add(response_id)
        if not hidden:
            texts[department_id].append(text)
    out = []
    for d in departments:
        key = selectors.cell_key_for(d)
        members = tree.members(f"d{d.pk}")
        live = sum(len(commenters[m]) for m in members if m in commenters)
        if not release.is_released(key) or live != release.counts.get(key):
            out.append({"department": d, "key": key, "hidden": True, "mean": Suppressed(n), "comments": Suppressed(n)})
            continue
        mean, count = sentiment.mean_score(t for m in members for t in texts.get(m, []))
        out.append({"department": d, "key": key, "hidden": False, "mean": mean, "comments": count})
    return out


# --- Named answers (HR only) ------------------------------------------------------------------------------------

@dataclass
class NamedResponse:
    profile: StaffProfile
    department: Department
    answers: list[tuple[Question, str]] = field(default_factory=list)


def get_named_wave(wave: Wave) -> Wave:
    """Named answers exist only for named waves: anonymous ones have no names to show (404)."""
    if wave.mode != Survey.Mode.NAMED or wave.status != Wave.Status.CLOSED:
        raise Http404("No named answers")
    return wave


def named_responses(wave: Wave) -> QuerySet[Response]:
    return (Response.objects.filter(wave=wave, profile__isnull=False)
            .select_related("profile__user", "department")
            .order_by("profile__user__last_name", "profile__user__first_name", "profile_id"))


def answer_text(question: Question, answer: Answer | None) -> str:
    if answer is None:
        return "Not answered"
    if question.type == Question.Type.AGREE5:
        return AGREE_LABELS.get(answer.number, "Not answered")
    if question.type == Question.Type.SCALE10:
        return "Not answered" if answer.number is None else f"{answer.number} of 10"
    if question.type in (Question.Type.SINGLE, Question.Type.MULTIPLE):
        texts = {c["id"]: c["text"] for c in question.choices}
        return "; ".join(texts.get(c, c) for c in answer.choices) or "Not answered"
    return answer.text or "Not answered"


def named_page(wave: Wave, responses) -> list[NamedResponse]:
    """One page of named responses with every answer in question order (two queries for the page)."""
    responses = list(responses)
    questions = list(wave.survey.questions.order_by("section__order", "section_id", "order", "pk"))
    answers: dict = defaultdict(dict)
    for a in Answer.objects.filter(response__in=[r.pk for r in responses]):
        answers[a.response_id][a.question_id] = a
    return [NamedResponse(r.profile, r.department,
                          [(q, answer_text(q, answers[r.pk].get(q.pk))) for q in questions]) for r in responses]
