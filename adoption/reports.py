"""Progress reports: what goes in them and how each format is written (CSV, XLSX, PDF).

Reads go through each app's selectors (DESIGN.md): staff and modules from courses.selectors.progress,
readiness from adoption.selectors, survey figures through the wave's release only (surveys.selectors), so
a report shows nothing a page would hide. adoption.services_reports runs these from the Celery task.

- CSV: every active member of staff in scope, one row each: assigned, completed, completed in the
  period, overdue, and a column per module with its state at the end of the period. Streamed from the
  database one person at a time, so a worker's memory does not grow with the number of staff.
- XLSX: a summary sheet, then a sheet per directorate (the staff rows, as in the CSV) and one per module
  (each department's completion). openpyxl's write-only mode streams rows to disk too.
- PDF: a readable document for leadership and elected members (adoption/reports/pdf.html, WeasyPrint).

Every cell goes through organisation.spreadsheet (formula injection).
"""

from __future__ import annotations

import csv
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from django.template.loader import render_to_string
from django.utils import timezone

from adoption import readiness as model
from adoption import selectors as readiness_selectors
from courses.selectors import progress as progress_selectors
from organisation.models import CouncilSettings, Department, StaffProfile
from organisation.selectors import subtree_ids
from organisation.spreadsheet import safe_cell, safe_text, sheet_title
from surveys import selectors as survey_selectors
from surveys.selectors import Suppressed
from surveys.selectors_results import value_label

Progress = Callable[[str, int, int], None]  # (stage, done, total)
PROGRESS_EVERY = 500  # staff rows between progress updates
FOUR_FIFTHS = 0.8

STATE_TEXT = {"completed": "Completed", "overdue": "Overdue", "in-progress": "In progress",
              "not-started": "Not started"}
WORK_PATTERNS = dict(StaffProfile.WorkPattern.choices)
CONTRACTS = dict(StaffProfile.Contract.choices)
ATTRIBUTE_LABELS = {"work_pattern": "Work pattern", "contract": "Contract", "has_work_email": "Work email"}


def _no_progress(stage: str, done: int, total: int) -> None:
    return None


# --- Scope -------------------------------------------------------------------------------------------

@dataclass
class Group:
    """A part of the scope that gets its own sheet: a directorate (or, for a department's report, each
    team beneath it, and the department's own staff)."""

    name: str
    department_ids: set[int]


@dataclass
class Scope:
    department: Department | None  # None: the whole organisation
    label: str
    department_ids: list[int]
    names: dict[int, str]
    group_of: dict[int, int]  # department id -> index in groups
    groups: list[Group]
    top_ids: list[int]  # the departments the groups are named after (directorates, or the teams beneath)

    def group_name(self, department_id: int) -> str:
        return self.groups[self.group_of[department_id]].name


def scope_for(department: Department | None) -> Scope:
    """The departments a report covers, their names and the groups its spreadsheet is split into."""
    nodes = list(Department.objects.with_tree_fields().only("pk", "name", "parent_id"))
    if department is None:
        ids = [d.pk for d in nodes]
        tops = list(readiness_selectors.directorates())
        label = "Whole organisation"
    else:
        ids = subtree_ids(department)
        tops = sorted((d for d in nodes if d.parent_id == department.pk), key=lambda d: d.name)
        label = department.name
    in_scope = set(ids)
    names = {d.pk: d.name for d in nodes if d.pk in in_scope}
    groups: list[Group] = []
    group_of: dict[int, int] = {}
    top_ids = {t.pk: i for i, t in enumerate(tops)}
    for t in tops:
        groups.append(Group(t.name, set()))
    rest = None
    for d in nodes:
        if d.pk not in in_scope:
            continue
        index = next((top_ids[a] for a in d.tree_path if a in top_ids), None)
        if index is None:  # above the groups (the council itself) or the department itself
            if rest is None:
                rest = len(groups)
                groups.append(Group(f"{department.name if department else 'Organisation'} (own staff)", set()))
            index = rest
        group_of[d.pk] = index
        groups[index].department_ids.add(d.pk)
    return Scope(department, label, ids, names, group_of, groups, [t.pk for t in tops])


# --- Staff rows (CSV and the directorate sheets) ----------------------------------------------------------

STAFF_ROWS_STAGE = "Writing staff rows"  # the one stage counted in staff (the page says so)
STAFF_HEADER = ["Staff number", "First name", "Last name", "Department", "Directorate", "Work pattern",
                "Contract", "Work email", "Assigned", "Completed", "Completed in period", "Overdue"]


def _module_cell(entry) -> str:
    if entry is None:
        return "Not assigned"
    state, due, completed = entry
    if state == "completed":
        return f"Completed {completed.isoformat()}"
    if state == "overdue":
        return f"Overdue (due {due.isoformat()})"
    return STATE_TEXT[state]


def staff_rows(scope: Scope, modules: list[dict], *, start: date, end: date) -> Iterator[tuple[int, list]]:
    """(group index, row) for every active member of staff in scope, streamed (courses' report_staff_rows)."""
    for person, states in progress_selectors.report_staff_rows(scope.department_ids, start=start, as_of=end):
        done = [s for s in states.values() if s[0] == "completed"]
        row = [
            person["staff_number"], person["user__first_name"], person["user__last_name"],
            scope.names.get(person["department_id"], ""), scope.group_name(person["department_id"]),
            WORK_PATTERNS.get(person["work_pattern"], person["work_pattern"]),
            CONTRACTS.get(person["contract"], person["contract"]), person["has_work_email"],
            len(states), len(done), sum(1 for s in done if s[2] is not None and start <= s[2] <= end),
            sum(1 for s in states.values() if s[0] == "overdue"),
        ]
        row += [_module_cell(states.get(m["pk"])) for m in modules]
        yield scope.group_of[person["department_id"]], row


def staff_count(scope: Scope) -> int:
    return StaffProfile.objects.filter(department_id__in=scope.department_ids, active=True).count()


def write_csv(fh, scope: Scope, *, start: date, end: date, progress: Progress = _no_progress) -> int:
    """Write the CSV (text mode file, UTF-8 with a byte order mark for Excel). Returns the staff rows."""
    modules = progress_selectors.report_modules(scope.department_ids, start=start, as_of=end)
    total = staff_count(scope)
    writer = csv.writer(fh, lineterminator="\r\n")
    fh.write("\ufeff")
    writer.writerow([safe_text(h) for h in STAFF_HEADER + [m["title"] for m in modules]])
    n = 0
    progress(STAFF_ROWS_STAGE, 0, total)
    for _, row in staff_rows(scope, modules, start=start, end=end):
        writer.writerow([safe_text(v) for v in row])
        n += 1
        if n % PROGRESS_EVERY == 0:
            progress(STAFF_ROWS_STAGE, n, total)
    progress(STAFF_ROWS_STAGE, n, total)
    return n


# --- The summary (XLSX summary sheet and the PDF) ----------------------------------------------------------

@dataclass
class EquityRow:
    attribute: str
    group: str
    base: int | None  # assigned modules, or people invited; None when fewer than the minimum group
    rate: float | None
    ratio: float | None = None
    flagged: bool = False
    measure: str = "learning completion"

    @property
    def attribute_label(self) -> str:
        return ATTRIBUTE_LABELS[self.attribute]


@dataclass
class Summary:
    council: str
    scope: Scope
    start: date
    end: date
    compiled_at: datetime
    min_n: int
    row: object  # adoption.selectors.Row for the scope
    children: list = field(default_factory=list)  # Rows of the groups beneath
    chart: object | None = None
    trend_points: list = field(default_factory=list)
    barriers: list = field(default_factory=list)
    modules: list[dict] = field(default_factory=list)
    completion_equity: list[EquityRow] = field(default_factory=list)
    participation_equity: list[EquityRow] = field(default_factory=list)
    wave: object | None = None
    response_rate: dict | None = None
    child_rates: list[dict] = field(default_factory=list)
    dimensions: list[tuple[str, float, int]] | Suppressed | None = None
    weights: list = field(default_factory=list)

    @property
    def completion_measured(self) -> bool:
        return any(r.base for r in self.completion_equity)

    @property
    def equity_measured(self) -> bool:
        return self.completion_measured or any(r.base for r in self.participation_equity)

    @property
    def flags(self) -> list[EquityRow]:
        return [r for r in self.completion_equity + self.participation_equity if r.flagged]

    @property
    def period_label(self) -> str:
        return f"{self.start:%-d %B %Y} to {self.end:%-d %B %Y}"


def _four_fifths(attribute: str, rows: list[tuple[object, int, int]], n: int, measure: str) -> list[EquityRow]:
    """Each group's rate compared with the best group's (the four-fifths rule: under 0.8 is flagged).
    Groups smaller than the minimum group are listed without a figure and left out of the comparison."""
    out = []
    for value, base, hits in rows:
        if base == 0:  # nothing to measure (a count of none discloses nothing)
            out.append(EquityRow(attribute, value_label(attribute, str(value)), 0, None, measure=measure))
        elif base < n:
            out.append(EquityRow(attribute, value_label(attribute, str(value)), None, None, measure=measure))
        else:
            out.append(EquityRow(attribute, value_label(attribute, str(value)), base, 100 * hits / base,
                                 measure=measure))
    rated = [r for r in out if r.rate is not None]
    best = max((r.rate for r in rated), default=None)
    if best and len(rated) > 1:
        for r in rated:
            r.ratio = r.rate / best
            r.flagged = r.ratio < FOUR_FIFTHS
    return out


def summary(scope: Scope, *, start: date, end: date, progress: Progress = _no_progress) -> Summary:
    """Everything the summary sheet and the PDF show, for the scope, as at the end of the period."""
    council = CouncilSettings.load()
    progress("Working out readiness", 0, 5)
    table = readiness_selectors.readiness_table(as_of=end)
    readiness_selectors.add_changes(table)
    row = table.organisation if scope.department is None else table.row(scope.department.pk)
    tops = set(scope.top_ids)
    children = [r for r in table.rows if r.pk in tops]
    in_scope = set(scope.department_ids)
    barriers = readiness_selectors.top_barriers([r for r in table.rows if r.pk in in_scope])

    progress("Reading the trend", 1, 5)
    days = max(readiness_selectors.TREND_DAYS, (end - start).days)
    snapshots = readiness_selectors.trend(scope.department, days=days, today=end)
    points = [(s.date, s.score) for s in snapshots if s.date <= end]
    chart = model.trend_chart(points, width=640, height=220)

    progress("Counting learning", 2, 5)
    modules = progress_selectors.report_modules(scope.department_ids, start=start, as_of=end)
    equity = []
    for attribute in ATTRIBUTE_LABELS:
        by = progress_selectors.completion_by_attribute(scope.department_ids, attribute, today=end)
        equity += _four_fifths(attribute, [(v, c.assigned, c.completed) for v, c in sorted(by.items(), key=lambda t: str(t[0]))],
                               table.min_n, "learning completion")

    progress("Reading survey results", 3, 5)
    wave = table.wave
    response_rate, child_rates, dimensions, participation = None, [], None, []
    if wave is not None:
        if scope.department is None:
            response_rate = survey_selectors.overall_response_rate(wave)
            # Response rates by group of staff are the organisation's only (the participation record
            # holds these attributes); a department's report leaves them out.
            for attribute in ATTRIBUTE_LABELS:
                rates = survey_selectors.participation_by_segment(wave, attribute)
                participation += _four_fifths(attribute, [
                    (r["group"], r["invited"] if not isinstance(r["invited"], Suppressed) else 0,
                     r["responded"] if not isinstance(r["responded"], Suppressed) else 0) for r in rates], table.min_n,
                    "survey response")
        else:
            response_rate = survey_selectors.participation_rates(wave, [scope.department])[0]
        child_rates = survey_selectors.participation_rates(wave, [c.department for c in children]) if children else []
        means = survey_selectors.dimension_means(wave, survey_selectors.cell_key_for(scope.department))
        if isinstance(means, dict):
            dimensions = sorted(((d, m, k) for d, (m, k) in means.items()), key=lambda t: -t[1])
        else:
            dimensions = means
    progress("Laying out", 4, 5)
    return Summary(
        council=council.name, scope=scope, start=start, end=end, compiled_at=timezone.now(), min_n=table.min_n,
        row=row, children=children, chart=chart, trend_points=points, barriers=barriers, modules=modules,
        completion_equity=equity, participation_equity=participation, wave=wave, response_rate=response_rate,
        child_rates=child_rates, dimensions=dimensions, weights=table.weight_items,
    )


def _score_text(score) -> str:
    return "Not enough data" if score is None else f"{score:.0f} of 100"


def _suppressed_text(value, n) -> str:
    return f"Fewer than {n}" if isinstance(value, Suppressed) else value


# --- XLSX -----------------------------------------------------------------------------------------

def write_xlsx(path, scope: Scope, *, start: date, end: date, progress: Progress = _no_progress) -> int:
    """Write the workbook to `path` (write-only: rows go to disk as they come). Returns the staff rows."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    bold = Font(bold=True)
    heading = Font(bold=True, size=14)
    wb = Workbook(write_only=True)
    used: set[str] = set()

    def cells(sheet, values, font=None):
        out = []
        for v in values:
            c = WriteOnlyCell(sheet, value=safe_cell(v))
            if font is not None:
                c.font = font
            out.append(c)
        return out

    def widths(sheet, values):  # set before any row is written (write-only sheets)
        for i, w in enumerate(values, start=1):
            sheet.column_dimensions[get_column_letter(i)].width = w
        # Printed: landscape, every column on the page's width.
        sheet.page_setup.orientation = "landscape"
        sheet.sheet_properties.pageSetUpPr.fitToPage = True
        sheet.page_setup.fitToWidth, sheet.page_setup.fitToHeight = 1, 0

    data = summary(scope, start=start, end=end, progress=progress)
    sheet = wb.create_sheet(sheet_title("Summary", used))
    widths(sheet, [34, 24, 14, 18, 12, 14, 10])  # long text in B runs on over the empty cells beside it
    sheet.append(cells(sheet, [f"{data.council}: progress report"], heading))
    for label, value in [("Scope", scope.label), ("Period", data.period_label),
                         ("Compiled", timezone.localtime(data.compiled_at).strftime("%-d %B %Y %H:%M")),
                         ("Active staff", data.row.headcount), ("Readiness", _score_text(data.row.score))]:
        sheet.append(cells(sheet, [label]) + cells(sheet, [value]))
    for line in data.row.why:
        sheet.append(cells(sheet, ["Why", line]))
    sheet.append([])
    sheet.append(cells(sheet, ["Completion by module"], bold))
    sheet.append(cells(sheet, ["Module", "Assigned", "Completed", "Completed in period", "Overdue", "Completion (%)"], bold))
    for m in data.modules:
        sheet.append(cells(sheet, [m["title"], m["assigned"], m["completed"], m["completed_in_period"], m["overdue"],
                                   round(m["rate"])]))
    sheet.append([])
    sheet.append(cells(sheet, [f"Equity (four-fifths rule; a group with a base under {data.min_n} is not compared)"], bold))
    sheet.append(cells(sheet, ["Measure", "Attribute", "Group", "Base", "Rate (%)", "Ratio to best", "Flagged"], bold))
    for measure, rows in (("Learning completion", data.completion_equity), ("Survey response", data.participation_equity)):
        for r in rows:
            sheet.append(cells(sheet, [measure, ATTRIBUTE_LABELS[r.attribute], r.group,
                                       r.base if r.base is not None else f"Fewer than {data.min_n}",
                                       round(r.rate) if r.rate is not None else "",
                                       round(r.ratio, 2) if r.ratio is not None else "", r.flagged]))
    if data.wave is not None:
        sheet.append([])
        sheet.append(cells(sheet, [f"Survey: {data.wave.survey.title}, {data.wave.name}"], bold))
        rate = data.response_rate
        sheet.append(cells(sheet, ["Response rate", _suppressed_text(rate["rate"], data.min_n)]))

    # Sheets per directorate, filled as staff rows stream past.
    modules = data.modules
    header = STAFF_HEADER + [m["title"] for m in modules]
    group_sheets = []
    for g in scope.groups:
        s = wb.create_sheet(sheet_title(g.name, used))
        widths(s, [13, 14, 16, 28, 24, 13, 11, 10, 9, 10, 11, 9] + [26] * len(modules))
        s.freeze_panes = "D2"
        s.append(cells(s, header, bold))
        group_sheets.append(s)
    total = staff_count(scope)
    n = 0
    progress(STAFF_ROWS_STAGE, 0, total)
    for index, row in staff_rows(scope, modules, start=start, end=end):
        group_sheets[index].append([safe_cell(v) for v in row])
        n += 1
        if n % PROGRESS_EVERY == 0:
            progress(STAFF_ROWS_STAGE, n, total)

    # A sheet per module: each department's own staff.
    by_module = progress_selectors.report_module_departments(scope.department_ids, as_of=end)
    for m in modules:
        s = wb.create_sheet(sheet_title(m["title"], used))
        widths(s, [34, 26, 11, 11, 11, 14])
        s.append(cells(s, [m["title"]], heading))
        s.append(cells(s, ["Department (its own staff)", "Directorate", "Assigned", "Completed", "Overdue",
                           "Completion (%)"], bold))
        figures = by_module.get(m["pk"], {})
        for pk in scope.department_ids:
            c = figures.get(pk)
            if c is None:
                continue
            s.append(cells(s, [scope.names[pk], scope.group_name(pk), c.assigned, c.completed, c.overdue,
                               round(c.rate) if c.rate is not None else ""]))
        s.append(cells(s, ["Total", "", m["assigned"], m["completed"], m["overdue"], round(m["rate"])], bold))
    progress("Saving the workbook", n, total)
    wb.save(path)
    return n


# --- PDF ------------------------------------------------------------------------------------------

def _refuse_fetch(url, *args, **kwargs):
    # The report needs nothing from outside its template: never let the PDF renderer fetch a URL.
    raise ValueError(f"not fetched: {url}")


def pdf_context(data: Summary) -> dict:
    return {"s": data, "row": data.row, "min_n": data.min_n,
            "actions": data.row.result.barrier.actions if data.row.result.barrier else []}


def write_pdf(path, scope: Scope, *, start: date, end: date, progress: Progress = _no_progress) -> int:
    import weasyprint  # slow to import: only the PDF needs it

    data = summary(scope, start=start, end=end, progress=progress)
    html = render_to_string("adoption/reports/pdf.html", pdf_context(data))
    progress("Drawing the pages", 4, 5)
    # PDF/UA: a tagged PDF that screen readers can follow (public sector accessibility regulations).
    weasyprint.HTML(string=html, url_fetcher=_refuse_fetch).write_pdf(path, pdf_variant="pdf/ua-1")
    progress("Done", 5, 5)
    return data.row.headcount


def default_period(today: date | None = None) -> tuple[date, date]:
    """The month so far (or, on the first of a month, the month before)."""
    today = today or timezone.localdate()
    if today.day == 1:
        last = today - timedelta(days=1)
        return last.replace(day=1), last
    return today.replace(day=1), today
