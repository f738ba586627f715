"""CSV and XLSX downloads of a wave's aggregate results: the same figures and suppression as the page,
safe against formula injection, audited; no response-level download for anonymous surveys."""

import csv
import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from organisation.models import AuditEvent, Department
from surveys import exports, selectors
from tests.surveys.test_results import _people
from tests.surveys.test_results_seed import make_pulse, run_wave

FEWER = str(selectors.Suppressed(5))  # "fewer than 5 responses, or ..."


@pytest.fixture
def wave(org):
    people = _people(org)
    return run_wave(make_pulse(), [p for g in people.values() for p in g], seed=7)


def _csv_rows(response) -> list[list[str]]:
    text = response.content.decode("utf-8")
    assert text.startswith("\ufeff")
    return list(csv.reader(io.StringIO(text[1:])))


def _xlsx_rows(response) -> dict[str, list[list]]:
    book = load_workbook(io.BytesIO(response.content))
    return {sheet.title: [list(r) for r in sheet.iter_rows(values_only=True)] for sheet in book.worksheets}


@pytest.mark.parametrize("value", ["=1+1", "+44 1234", "-2+3", "@SUM(A1)", "\tx", "\rx", "=HYPERLINK(\"http://x\")"])
def test_formula_like_text_is_neutralised(value):
    assert exports.safe_cell(value) == "'" + value


@pytest.mark.parametrize("value", ["Finance", "", "fewer than 5 responses", "a=b"])
def test_ordinary_text_is_left_alone(value):
    assert exports.safe_cell(value) == value


def test_numbers_stay_numbers():
    assert exports.safe_cell(-0.25) == -0.25 and exports.safe_cell(12) == 12 and exports.safe_cell(None) == ""


def test_csv_has_the_pages_tables_and_suppression(client, org, wave):
    client.force_login(org.hr)
    response = client.get(reverse("surveys:results_csv", args=[wave.pk]), {"department": org.environment.pk})
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    assert response["Content-Disposition"].startswith('attachment; filename="ai-readiness-pulse-spring-results-')
    rows = _csv_rows(response)
    titles = [r[0] for r in rows if len(r) == 1]
    assert titles[:2] == ["About these results", "Response rate"]
    assert any(t.startswith("Departments by dimension") for t in titles)
    flat = [v for r in rows for v in r]
    assert FEWER in flat and "" not in [v for r in rows if len(r) > 1 for v in r[1:]]
    parks = next(r for r in rows if r and r[0].endswith("Parks") and len(r) == 4)
    assert parks[1:] == [FEWER] * 3


def test_xlsx_matches_the_csv(client, org, wave):
    client.force_login(org.hr)
    params = {"department": org.finance.pk, "work_pattern": "hybrid"}
    csv_rows = _csv_rows(client.get(reverse("surveys:results_csv", args=[wave.pk]), params))
    sheets = _xlsx_rows(client.get(reverse("surveys:results_xlsx", args=[wave.pk]), params))
    xlsx_rows = []
    for rows in sheets.values():
        xlsx_rows += [[("" if v is None else str(v)) for v in r] for r in rows] + [[]]
    normalise = [[v for v in r if v != ""] for r in csv_rows if not (r and r[0] == "Downloaded")]
    normalise_x = [[v for v in r if v != ""] for r in xlsx_rows if not (r and r[0] == "Downloaded")]
    # Numbers come back from the spreadsheet as numbers ("3.25", "12"): compare as text.
    assert [r for r in normalise if r] == [r for r in normalise_x if r]


def test_a_department_named_like_a_formula_is_neutralised_in_both(client, org, wave):
    Department.objects.filter(pk=org.finance.pk).update(name="=cmd|' /C calc'!A0")
    client.force_login(org.hr)
    params = {"department": org.finance.pk}
    csv_text = client.get(reverse("surveys:results_csv", args=[wave.pk]), params).content.decode()
    assert "'=cmd|' /C calc'!A0 and the teams beneath it" in csv_text
    assert "\n=cmd" not in csv_text and ",=cmd" not in csv_text and '"=cmd' not in csv_text
    sheets = _xlsx_rows(client.get(reverse("surveys:results_xlsx", args=[wave.pk]), params))
    values = [v for rows in sheets.values() for r in rows for v in r if isinstance(v, str)]
    assert not any(v.startswith("=") for v in values)
    assert "'=cmd|' /C calc'!A0" in values


def test_every_export_is_audited(client, org, wave):
    client.force_login(org.env_manager)
    client.get(reverse("surveys:results_csv", args=[wave.pk]))
    client.get(reverse("surveys:results_xlsx", args=[wave.pk]), {"department": org.waste.pk})
    events = list(AuditEvent.objects.filter(action="survey results exported").order_by("id"))
    assert [(e.actor, e.detail["format"], e.detail["group"]) for e in events] == [
        (org.env_manager, "csv", f"d{org.environment.pk}"), (org.env_manager, "xlsx", f"d{org.waste.pk}")]


def test_exports_show_only_released_figures(org, wave):
    """Every number in the export belongs to a released cell: the tables are the page's, row for row."""
    from surveys import selectors_results as results

    release = selectors.figures_release(wave)
    page = results.results_page(org.hr, wave, results.Group(org.environment))
    tables = exports.result_tables(wave, page)
    heatmap = next(t for t in tables if t.title.startswith("Departments by dimension"))
    for row, data in zip(page["rows"], heatmap.rows, strict=True):
        if release.is_released(row["key"]):
            assert data[1] == release.counts[row["key"]]
        else:
            assert [str(v) for v in data[1:]] == [FEWER] * (len(data) - 1)


def test_a_manager_exports_only_their_own_departments(client, org, wave):
    client.force_login(org.env_manager)
    rows = _csv_rows(client.get(reverse("surveys:results_csv", args=[wave.pk])))
    text = "\n".join(",".join(r) for r in rows)
    assert "Finance" not in text and "Whole organisation" not in text and "whole organisation" not in text
    assert client.get(reverse("surveys:results_csv", args=[wave.pk]), {"department": org.finance.pk}).status_code == 404


def test_no_response_level_download_exists():
    """Nothing in the URLconf downloads responses one by one."""
    from tests.security.urlmap import all_patterns

    routes = [route for _, route in all_patterns()]
    assert not [r for r in routes if "response" in r.lower() and ("export" in r or ".csv" in r or ".xlsx" in r)]
