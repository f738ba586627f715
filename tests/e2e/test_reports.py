"""Progress reports in the browser: HR asks for a PDF on the whole organisation, watches it go from queued
to compiling (a progress bar) to ready, and downloads it (audited); a manager asks for a CSV on their own
department and downloads it; a bad period is a field error; HR's scheduled reports. Every page is checked
with axe and screenshotted at desktop and phone widths.

No Celery worker runs in browser tests (as for assignments and nudges): `report_compile.delay` is replaced
by a list of the queued report ids, and the test then plays the worker, running the real task in its own
thread while the page polls the live server.
"""

import csv
import io
import re
from datetime import timedelta
from pathlib import Path

import pytest
from django.utils import timezone
from playwright.sync_api import expect
from pypdf import PdfReader

from adoption import services_reports, tasks
from adoption.models import Report
from courses.models import Enrolment, Module
from organisation.models import AuditEvent
from tests.e2e.conftest import check_page, sign_in, totp_secret
from tests.factories import PASSWORD, build_org, make_staff

REPORT_URL = re.compile(r"/reports/[0-9a-f-]{36}/$")


@pytest.fixture
def queued(monkeypatch):
    """The ids of reports queued for the worker (none runs here: the test runs the task itself)."""
    ids = []
    monkeypatch.setattr(tasks.report_compile, "delay", lambda pk: ids.append(pk))
    return ids


def _learning(org):
    """A module with a past due date: some staff completed it this month, the rest are overdue."""
    module = Module.objects.create(slug="ai-basics", title="What AI is and isn't", summary="s",
                                   confidence_question="q", published=True, order=1)
    today = timezone.localdate()
    people = [org.staff.profile, org.frontline.profile, org.env_manager.profile] + [
        make_staff(org.parks if i % 2 else org.finance, first=name, last="Example")
        for i, name in enumerate(["Aisha", "Ben", "Chloe", "Daniel"])]
    for i, person in enumerate(people):
        done = i % 2 == 0
        Enrolment.objects.create(profile=person, module=module, due_date=today - timedelta(days=3),
                                 status="completed" if done else "not-started",
                                 completed_at=timezone.now() if done else None, best_score=90 if done else None)
    return module


def _open_reports(page):
    page.get_by_role("navigation", name="Menu").get_by_role("link", name="Readiness").click()
    page.get_by_role("navigation", name="Readiness").get_by_role("link", name="Reports", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Progress reports")


@pytest.mark.django_db(transaction=True)
def test_hr_asks_for_a_pdf_watches_it_compile_and_downloads_it(page, live_server, queued, monkeypatch):
    org = build_org()
    _learning(org)
    sign_in(page, live_server, org.hr.email, PASSWORD, totp=totp_secret(org.hr))
    _open_reports(page)
    expect(page.get_by_text("No reports yet.")).to_be_visible()
    check_page(page, "reports-list-empty")

    page.get_by_label("Departments covered").select_option(label="Whole organisation")
    page.get_by_label("PDF").check()
    page.get_by_role("button", name="Compile the report").click()

    # Queued: the page says so, shows an empty bar, and keeps polling (it must not reload in a loop).
    expect(page).to_have_url(REPORT_URL)
    assert len(queued) == 1
    report = Report.objects.get(pk=queued[0])
    assert (report.whole_organisation, report.format, report.requested_by) == (True, "pdf", org.hr)
    expect(page.get_by_role("heading", level=1)).to_have_text("Whole organisation")
    expect(page.locator("main strong.govuk-tag")).to_have_text("Queued")
    expect(page.get_by_label("Progress")).to_be_visible()
    expect(page.locator("[data-progress-text]")).to_have_text("Waiting for a worker to start")
    loads = []
    page.on("load", lambda _: loads.append(page.url))
    page.wait_for_timeout(2500)  # two polls
    assert loads == [], "the page reloaded while the report was still queued"
    check_page(page, "report-queued")

    # The worker: while it counts learning, the page shows "Compiling" and the bar at that stage.
    seen = []
    real_set = services_reports.progress_store.set

    def progress_set(key, **values):
        real_set(key, **values)
        if values.get("stage") == "Counting learning" and not seen:
            expect(page.locator("main strong.govuk-tag")).to_have_text("Compiling")
            expect(page.locator("[data-progress-text]")).to_have_text("Counting learning: 2 of 5 steps")
            bar = page.get_by_label("Progress")
            expect(bar).to_have_attribute("max", "5")
            expect(bar).to_have_js_property("value", 2)
            check_page(page, "report-compiling")
            seen.append(values)

    monkeypatch.setattr(services_reports.progress_store, "set", progress_set)
    tasks.report_compile.apply(args=[queued[0]], throw=True)
    assert seen, "the worker never reported the 'Counting learning' stage"

    # Ready: the page reloads by itself and offers the file.
    expect(page.locator("main strong.govuk-tag")).to_have_text("Ready", timeout=15_000)
    check_page(page, "report-ready")
    assert not AuditEvent.objects.filter(action="report.download").exists()
    with page.expect_download() as info:
        page.get_by_role("link", name="Download the report (PDF)").click()
    download = info.value
    assert download.suggested_filename.endswith(".pdf")
    data = Path(download.path()).read_bytes()
    assert data.startswith(b"%PDF")
    text = "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(data)).pages)
    assert "Progress report" in text
    event = AuditEvent.objects.get(action="report.download")
    assert event.actor == org.hr and event.detail.get("report") == str(report.pk)

    # The list shows it, with its status.
    page.get_by_role("link", name="All reports").click()
    row = page.get_by_role("table", name="Reports asked for, newest first").locator("tbody tr")
    expect(row).to_have_count(1)
    expect(row.locator("td")).to_have_text(["Whole organisation", re.compile(" to "), "PDF",
                                            re.compile("by Helen"), "Ready"])
    check_page(page, "reports-list")


@pytest.mark.django_db(transaction=True)
def test_a_manager_asks_for_a_csv_on_their_department(page, live_server, queued):
    org = build_org()
    module = _learning(org)
    sign_in(page, live_server, org.env_manager.email, PASSWORD)
    _open_reports(page)
    scope = page.get_by_label("Departments covered")
    # A manager's choices are their own department and those beneath it; never the organisation.
    assert [o.strip() for o in scope.locator("option").all_inner_texts()] == ["Environment", "Parks",
                                                                              "Waste Collection"]
    scope.select_option(label="Environment")
    page.get_by_label("CSV").check()
    page.get_by_role("button", name="Compile the report").click()
    expect(page).to_have_url(REPORT_URL)
    expect(page.locator("main strong.govuk-tag")).to_have_text("Queued")

    tasks.report_compile.apply(args=[queued[0]], throw=True)
    expect(page.locator("main strong.govuk-tag")).to_have_text("Ready", timeout=15_000)
    check_page(page, "report-ready-csv")
    with page.expect_download() as info:
        page.get_by_role("link", name="Download the report (CSV)").click()
    rows = list(csv.reader(io.StringIO(Path(info.value.path()).read_text(encoding="utf-8-sig"))))
    assert rows[0][:4] == ["Staff number", "First name", "Last name", "Department"] and rows[0][-1] == module.title
    names = {(r[1], r[3]) for r in rows[1:]}
    assert ("Dave", "Waste Collection") in names and ("Morgan", "Environment") in names
    assert all(department in {"Environment", "Parks", "Waste Collection"} for _, department in names)
    assert AuditEvent.objects.filter(action="report.download", actor=org.env_manager).count() == 1

    # A report that failed says why, and Retry queues the same request again.
    today = timezone.localdate()
    failed = Report.objects.create(requested_by=org.env_manager, department=org.waste, scope_label="Waste Collection",
                                   format="xlsx", period_start=today.replace(day=1), period_end=today,
                                   status="failed", failure="The storage could not be reached. Try again later.")
    page.goto(f"{live_server.url}/reports/{failed.pk}/")
    expect(page.locator(".govuk-error-summary")).to_contain_text("The storage could not be reached")
    check_page(page, "report-failed")
    page.get_by_role("button", name="Retry").click()
    expect(page.locator("main strong.govuk-tag")).to_have_text("Queued")
    assert queued[-1] == str(failed.pk)


@pytest.mark.django_db(transaction=True)
def test_a_bad_period_is_a_field_error(page, live_server, queued):
    org = build_org()
    sign_in(page, live_server, org.hr.email, PASSWORD, totp=totp_secret(org.hr))
    page.goto(f"{live_server.url}/reports/")
    today = timezone.localdate()

    page.get_by_label("From", exact=True).fill(today.isoformat())
    page.get_by_label("To", exact=True).fill((today - timedelta(days=10)).isoformat())
    page.get_by_role("button", name="Compile the report").click()
    expect(page).to_have_title(re.compile("^Error: "))
    summary = page.locator(".govuk-error-summary")
    expect(summary).to_contain_text("From: The period must start on or before the day it ends.")
    expect(page.locator("#id_start-error")).to_have_text("Error: The period must start on or before the day it ends.")
    expect(page.get_by_label("From", exact=True)).to_have_class(re.compile("govuk-input--error"))
    check_page(page, "reports-period-error")
    summary.get_by_role("link").click()
    expect(page.get_by_label("From", exact=True)).to_be_focused()

    page.get_by_label("From", exact=True).fill((today - timedelta(days=5)).isoformat())
    page.get_by_label("To", exact=True).fill((today + timedelta(days=1)).isoformat())
    page.get_by_role("button", name="Compile the report").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("To: The period cannot end after today.")
    expect(page.locator("#id_end-error")).to_have_text("Error: The period cannot end after today.")
    assert not Report.objects.exists() and queued == []


@pytest.mark.django_db(transaction=True)
def test_hr_adds_a_scheduled_report(page, live_server, queued):
    org = build_org()
    sign_in(page, live_server, org.hr.email, PASSWORD, totp=totp_secret(org.hr))
    page.get_by_role("navigation", name="Menu").get_by_role("link", name="Readiness").click()
    page.get_by_role("navigation", name="Readiness").get_by_role("link", name="Scheduled reports").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Scheduled reports")
    check_page(page, "report-schedules-empty")

    page.get_by_role("link", name="Add a schedule").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Add a scheduled report")
    check_page(page, "report-schedule-form")

    # Nothing chosen: each missing answer is a field error.
    page.get_by_role("button", name="Save the schedule").click()
    summary = page.locator(".govuk-error-summary")
    expect(summary).to_contain_text("Name: Enter a name for the schedule")
    expect(summary).to_contain_text("Send the link to: Choose at least one person")
    check_page(page, "report-schedule-form-errors")
    summary.get_by_role("link", name=re.compile("^Send the link to")).click()
    expect(page.get_by_role("group", name="Send the link to").get_by_role("checkbox").first).to_be_focused()

    page.get_by_label("Name").fill("Monthly for the leadership team")
    page.get_by_label("Departments covered").select_option(label="Environment")
    page.get_by_role("group", name="Format").get_by_label("PDF").check()
    page.get_by_role("group", name="Frequency").get_by_label(re.compile("^Monthly")).check()
    # Ruth manages Resources, not Environment: only HR and Environment's manager may receive it.
    page.get_by_role("group", name="Send the link to").get_by_label(re.compile("Ruth")).check()
    page.get_by_role("button", name="Save the schedule").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("cannot see Environment")
    page.get_by_role("group", name="Send the link to").get_by_label(re.compile("Ruth")).uncheck()
    page.get_by_role("group", name="Send the link to").get_by_label(re.compile("Morgan")).check()
    page.get_by_role("button", name="Save the schedule").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Scheduled reports")
    expect(page.locator(".govuk-notification-banner")).to_contain_text("Schedule 'Monthly for the leadership team' saved")
    row = page.get_by_role("table", name="Scheduled reports").locator("tbody tr")
    expect(row).to_have_count(1)
    expect(row.locator("td")).to_have_text(["Monthly for the leadership team", "Environment",
                                            "Monthly, on the first working day of the month", "PDF",
                                            re.compile("^Morgan"), re.compile(r"^\w{3} \d{1,2} \w{3} \d{4}$")])
    check_page(page, "report-schedules")
    page.get_by_role("link", name="Monthly for the leadership team").click()
    expect(page.get_by_role("group", name="Send the link to").get_by_label(re.compile("Morgan"))).to_be_checked()
    check_page(page, "report-schedule-edit")
