"""Downloads of a closed wave's aggregate results (CSV and XLSX), for the group and filters the results page
shows. They are built from the same page data (surveys.selectors_results.results_page), so a hidden cell is
"fewer than N responses" here too, never a blank or a zero. Every download is audited.

There is no response-level download: anonymous responses never leave the site one by one (DESIGN.md).
Every cell goes through organisation.spreadsheet.safe_cell, the one helper every export uses against formula
injection (OWASP: CSV injection); numbers stay numbers.
"""

import csv
import io
import re
from dataclasses import dataclass, field

from django.http import HttpResponse
from django.utils import timezone
from openpyxl import Workbook
from openpyxl.styles import Font

from organisation.services import audit_record
from organisation.spreadsheet import CSV_TYPE, XLSX_TYPE, safe_cell, sheet_title
from surveys.models import Wave
from surveys.selectors import Suppressed


@dataclass
class Table:
    title: str
    header: list[str]
    rows: list[list] = field(default_factory=list)


def _figure(cell: dict, name: str):
    return cell["value"] if cell["hidden"] else cell[name]


def _rate_row(label: str, rate: dict) -> list:
    if rate["hidden"]:
        return [label, rate["value"], rate["value"], rate["value"]]
    return [label, rate["invited"], rate["responses"], rate["rate"]]


def result_tables(wave: Wave, page: dict) -> list[Table]:
    """The results page's tables, in the page's order, with the same figures."""
    group = page["group"]
    labels = page["dimension_labels"]
    dims = page["dimensions"]
    suppressed = Suppressed(page["n"])
    about = Table("About these results", ["Item", "Detail"], [
        ["Survey", wave.survey.title],
        ["Wave", wave.name],
        ["Opened", timezone.localtime(wave.opens_at).strftime("%d %B %Y %H:%M")],
        ["Closed", timezone.localtime(wave.closes_at).strftime("%d %B %Y %H:%M")],
        ["Group", group.label],
        ["Anonymous or named", wave.get_mode_display()],
        ["Minimum group", f"Figures about fewer than {page['n']} responses are not shown, nor figures that would "
                          "let a smaller group's be worked out by subtraction: the table says "
                          f"\u201c{suppressed}\u201d instead."],
        ["Downloaded", timezone.localtime().strftime("%d %B %Y %H:%M")],
    ])
    rates = Table("Response rate", ["Group", "Invited", "Responses", "Response rate (%)"],
                  [_rate_row(group.label, page["rate"])])
    rates.rows += [_rate_row("\u2014 " * row["depth"] + row["label"], row["rate"]) for row in page["rows"]]
    tables = [about, rates]
    if dims:
        header = ["Dimension", "Mean (1 to 5)", "Responses"]
        if page["comparison"]:
            header += ["Whole organisation (1 to 5)", "Difference"]
        scores = Table(f"Scores by dimension: {group.label}", header)
        for i, cell in enumerate(page["scores"]):
            row = [labels[cell["dimension"]], _figure(cell, "mean"), _figure(cell, "responses")]
            if page["comparison"]:
                c = page["comparison"][i]
                row += [_figure(c["organisation"], "mean"),
                        suppressed if c["difference"] is None else c["difference"]]
            scores.rows.append(row)
        tables.append(scores)
    answers = Table(f"Answers by question: {group.label}", ["Question", "Answer", "Number", "Per cent"])
    if page["hidden"]:
        answers.rows.append(["All questions", suppressed, suppressed, suppressed])
    for q in page["questions"]:
        for row in q["rows"]:
            answers.rows.append([q["question"].text, row["label"], row["count"], row["percent"]])
    tables.append(answers)
    if dims:
        heatmap = Table("Departments by dimension (mean, 1 to 5)", ["Department", "Responses"] + [labels[d] for d in dims])
        for row in page["rows"]:
            responses = row["rate"]["value"] if row["rate"]["hidden"] else row["rate"]["responses"]
            heatmap.rows.append(["\u2014 " * row["depth"] + row["label"], responses]
                                + [_figure(c, "mean") for c in row["cells"]])
        trend = Table(f"Trend across waves: {group.label}", ["Wave"] + [labels[d] for d in dims])
        for row in page["trend"]:
            trend.rows.append([row["wave"].name] + [_figure(c, "mean") for c in row["cells"]])
        tables += [heatmap, trend]
    return tables


def _filename(wave: Wave, extension: str) -> str:
    slug = re.sub(r"[^a-z0-9]+", "-", f"{wave.survey.title} {wave.name}".lower()).strip("-")[:80] or "survey"
    return f"{slug}-results-{timezone.localdate().isoformat()}.{extension}"


def as_csv(tables: list[Table]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    for table in tables:
        writer.writerow([safe_cell(table.title)])
        writer.writerow([safe_cell(h) for h in table.header])
        for row in table.rows:
            writer.writerow([safe_cell(v) for v in row])
        writer.writerow([])
    return "\ufeff" + out.getvalue()  # the byte order mark makes Excel read UTF-8 text right


def as_xlsx(tables: list[Table]) -> bytes:
    book = Workbook()
    book.remove(book.active)
    used: set[str] = set()
    bold = Font(bold=True)
    for table in tables:
        sheet = book.create_sheet(sheet_title(table.title.split(":")[0], used))
        sheet.append([safe_cell(table.title)])
        sheet["A1"].font = Font(bold=True, size=14)
        sheet.append([safe_cell(h) for h in table.header])
        for c in sheet[2]:
            c.font = bold
        for row in table.rows:
            sheet.append([safe_cell(v) for v in row])
        sheet.column_dimensions["A"].width = 60
        for letter in "BCDEFGHIJ":
            sheet.column_dimensions[letter].width = 18
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def export_results(*, actor, wave: Wave, page: dict, fmt: str) -> HttpResponse:
    """The download, audited ("survey results exported")."""
    tables = result_tables(wave, page)
    group = page["group"]
    audit_record(actor=actor, action="survey results exported", target=str(wave),
                 detail={"wave": wave.pk, "format": fmt, "group": group.key})
    if fmt == "xlsx":
        response = HttpResponse(as_xlsx(tables), content_type=XLSX_TYPE)
    else:
        response = HttpResponse(as_csv(tables), content_type=CSV_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{_filename(wave, fmt)}"'
    return response
