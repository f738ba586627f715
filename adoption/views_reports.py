"""Report pages: ask for a report and see it compile, download it (audited), retry a failed one; HR's
scheduled reports."""

from django.conf import settings
from django.contrib import messages
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from adoption import reports
from adoption import selectors_reports as selectors
from adoption import services_reports as services
from adoption.forms_reports import ReportRequestForm, ReportScheduleForm
from adoption.models import Report, ReportSchedule
from organisation import roles
from organisation.permissions import hr_required, manager_or_hr_required
from organisation.spreadsheet import CSV_TYPE, PDF_TYPE, XLSX_TYPE

CONTENT_TYPES = {"csv": CSV_TYPE, "xlsx": XLSX_TYPE, "pdf": PDF_TYPE}


def _request_form(request, data=None):
    hr = roles.is_hr(request.user)
    start, end = reports.default_period()
    return ReportRequestForm(data, departments=selectors.departments_for_request(request.user),
                             whole_organisation=hr, initial={"start": start, "end": end})


@require_http_methods(["GET", "POST"])
@manager_or_hr_required
def report_list(request):
    """Ask for a report (HR: any scope; a manager: their departments), and the reports asked for."""
    form = _request_form(request, request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            report = services.report_request(actor=request.user, department=data["scope"], format=data["format"],
                                             start=data["start"], end=data["end"])
        except services.ReportRefused as e:
            form.add_error(None, str(e))
        else:
            return redirect("adoption:report", report.pk)
    page = Paginator(selectors.reports_for_user(request.user), 25).get_page(request.GET.get("page"))
    page.object_list = selectors.with_access(request.user, page.object_list)
    return render(request, "adoption/reports/list.html", {
        "form": form, "page": page, "hr": roles.is_hr(request.user),
        "retention_days": settings.REPORT_RETENTION_DAYS,
    })


def _progress(report) -> dict:
    """The progress to show: staff rows are counted in staff; the PDF's stages (and the summary the XLSX
    starts with) are steps."""
    shown = selectors.report_progress(report)
    return {**shown, "unit": "staff" if shown.get("stage") == reports.STAFF_ROWS_STAGE else "steps"}


@require_GET
@manager_or_hr_required
def report_detail(request, pk):
    report = selectors.get_report_for_user(request.user, pk)
    return render(request, "adoption/reports/detail.html", {
        "report": report, "progress": _progress(report),
        "working": report.status in (Report.Status.QUEUED, Report.Status.RUNNING),
    })


@require_GET
@manager_or_hr_required
def report_progress(request, pk):
    report = selectors.get_report_for_user(request.user, pk)
    return JsonResponse(_progress(report))


@require_GET
@manager_or_hr_required
def report_download(request, pk):
    """The file, to HR, whoever asked, or a recipient of its schedule (each while the scope is theirs);
    every download is audited."""
    report = selectors.get_report_for_user(request.user, pk)
    if report.status != Report.Status.READY or not report.file_name:
        raise Http404("This report has no file to download")
    try:
        handle = services.report_download(actor=request.user, report=report)
    except FileNotFoundError:
        raise Http404("The file has gone from storage") from None
    response = FileResponse(handle, as_attachment=True, filename=report.download_name,
                            content_type=CONTENT_TYPES[report.format])
    response["Cache-Control"] = "private, no-store"
    return response


@require_POST
@manager_or_hr_required
def report_retry(request, pk):
    report = selectors.get_report_for_user(request.user, pk)
    if report.status not in (Report.Status.FAILED, Report.Status.EXPIRED):
        messages.info(request, "Only a failed or expired report can be compiled again.")
    else:
        services.report_retry(actor=request.user, report=report)
        messages.success(request, "The report is queued again.")
    return redirect("adoption:report", report.pk)


# --- Scheduled reports (HR) --------------------------------------------------------------------------

@require_GET
@hr_required
def schedule_list(request):
    return render(request, "adoption/reports/schedules.html", {"schedules": selectors.schedules_for_hr()})


@require_http_methods(["GET", "POST"])
@hr_required
def schedule_edit(request, pk=None):
    schedule = get_object_or_404(ReportSchedule, pk=pk) if pk is not None else ReportSchedule()
    form = ReportScheduleForm(request.POST or None, instance=schedule,
                              departments=selectors.departments_for_request(request.user),
                              eligible=services.recipient_choices())
    if request.method == "POST" and form.is_valid():
        schedule = form.save(commit=False)
        schedule.department = form.cleaned_data["scope"]
        try:
            services.schedule_save(actor=request.user, schedule=schedule, recipients=form.cleaned_data["recipients"])
        except services.ReportRefused as e:
            form.add_error("recipients", str(e))
        else:
            messages.success(request, f"Schedule '{schedule.name}' saved. Its next report is compiled on "
                                      f"{services.schedule_next_run(schedule):%A %-d %B %Y}.")
            return redirect("adoption:report_schedules")
    return render(request, "adoption/reports/schedule_form.html", {"form": form, "schedule": schedule})


@require_http_methods(["GET", "POST"])
@hr_required
def schedule_delete(request, pk):
    """Asks first (GET), then deletes (POST)."""
    schedule = get_object_or_404(ReportSchedule, pk=pk)
    if request.method == "GET":
        return render(request, "adoption/reports/schedule_delete.html", {"schedule": schedule})
    services.schedule_delete(actor=request.user, schedule=schedule)
    messages.success(request, f"Schedule '{schedule.name}' deleted. Reports it made are kept until they expire.")
    return redirect("adoption:report_schedules")
