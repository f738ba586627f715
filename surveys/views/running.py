"""Running surveys (HR: surveys from the shipped templates, their waves, opening and closing them now) and
reading results (HR: every wave; managers: their own departments' aggregates).

Results are read through surveys.selectors_results, which shows only what the wave's release released. A
wave or department outside the user's scope is 404, the same as one that does not exist; a page the role
may not use at all is 403.
"""

import secrets
from urllib.parse import urlencode

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpResponseBadRequest
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from organisation import roles
from organisation.permissions import hr_required, manager_or_hr_required
from organisation.scoping import get_department_for_user
from organisation.selectors import department_rows
from organisation.services import audit_record
from surveys import exports, services
from surveys import selectors_results as results
from surveys.forms_manage import (
    CommentsFilterForm,
    ResultsFilterForm,
    SurveyCopyForm,
    SurveyCreateForm,
    SurveySettingsForm,
    WaveForm,
    add_service_errors,
)
from surveys.models import Wave
from surveys.sentiment import THEMES_BY_SLUG
from surveys.services import (
    WaveNotReady,
    survey_create,
    survey_settings_update,
    wave_cancel,
    wave_close_now,
    wave_open_now,
    wave_reschedule,
    wave_schedule,
)
from surveys.shipped import TEMPLATES

# --- Surveys (HR) --------------------------------------------------------------------------------------------


@require_GET
@hr_required
def survey_list(request):
    return render(request, "surveys/manage/list.html", {"surveys": results.surveys_for_hr()})


@require_http_methods(["GET", "POST"])
@hr_required
def survey_new(request):
    form = SurveyCreateForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        survey = survey_create(actor=request.user, key=form.cleaned_data["template"], title=form.cleaned_data["title"],
                               mode=form.cleaned_data["mode"])
        messages.success(request, f"\u201c{survey.title}\u201d created. Schedule a wave to send it to staff.")
        return redirect("surveys:survey", survey_id=survey.pk)
    return render(request, "surveys/manage/create.html", {"form": form, "templates": TEMPLATES})


@require_GET
@hr_required
def survey_detail(request, survey_id):
    survey = results.get_survey_for_hr(survey_id)
    return render(request, "surveys/manage/detail.html", {
        "survey": survey, "sections": results.survey_sections(survey), "waves": results.survey_waves(survey),
        "mode_locked": services.survey_mode_locked(survey), "problems": services.survey_problems(survey),
        "now": timezone.now(),
        "template_title": next((t["title"] for t in TEMPLATES if t["key"] == survey.template_key), survey.template_key),
    })


@require_http_methods(["GET", "POST"])
@hr_required
def survey_settings(request, survey_id):
    survey = results.get_survey_for_hr(survey_id)
    form = SurveySettingsForm(request.POST or None, survey=survey)
    if request.method == "POST" and form.is_valid():
        try:
            survey_settings_update(actor=request.user, survey=survey, title=form.cleaned_data["title"],
                                   mode=form.cleaned_data["mode"], introduction=form.cleaned_data["introduction"])
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, "Survey settings saved.")
            return redirect("surveys:survey", survey_id=survey.pk)
    return render(request, "surveys/manage/settings.html", {"survey": survey, "form": form})


@require_http_methods(["GET", "POST"])
@hr_required
def survey_copy(request, survey_id):
    survey = results.get_survey_for_hr(survey_id)
    form = SurveyCopyForm(request.POST or None, initial={"title": f"{survey.title} (copy)"[:200]})
    if request.method == "POST" and form.is_valid():
        try:
            copy = services.survey_copy(actor=request.user, survey=survey, title=form.cleaned_data["title"])
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, f"\u201c{copy.title}\u201d is a copy of \u201c{survey.title}\u201d. "
                                      "Change its questions, then schedule a wave.")
            return redirect("surveys:survey", survey_id=copy.pk)
    return render(request, "surveys/manage/copy.html", {"survey": survey, "form": form})


@require_http_methods(["GET", "POST"])
@hr_required
def survey_delete(request, survey_id):
    survey = results.get_survey_for_hr(survey_id)
    if request.method == "POST":
        try:
            services.survey_delete(actor=request.user, survey=survey)
        except services.SurveyInUse as error:
            messages.error(request, str(error))
            return redirect("surveys:survey", survey_id=survey.pk)
        messages.success(request, f"\u201c{survey.title}\u201d deleted.")
        return redirect("surveys:manage")
    if survey.waves.exists():
        messages.error(request, str(services.SurveyInUse()))
        return redirect("surveys:survey", survey_id=survey.pk)
    return render(request, "surveys/manage/delete.html", {"survey": survey, "questions": survey.questions.count()})


# --- Waves (HR) --------------------------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
@hr_required
def wave_new(request, survey_id):
    survey = results.get_survey_for_hr(survey_id)
    initial = {"opens": "later", "population": "all", "include_subdepartments": True}
    form = WaveForm(request.POST or None, user=request.user, initial=initial)
    if request.method == "POST" and form.is_valid():
        wave = wave_schedule(actor=request.user, survey=survey, **form.schedule())
        if form.cleaned_data["opens"] == "now":
            return _open_now(request, wave)
        messages.success(request, f"{wave.name} scheduled. It opens by itself at the time you chose.")
        return redirect("surveys:survey", survey_id=survey.pk)
    return render(request, "surveys/manage/wave_form.html", {"survey": survey, "form": form})


@require_http_methods(["GET", "POST"])
@hr_required
def wave_edit(request, wave_id):
    wave = _hr_wave(wave_id)
    if wave.status != Wave.Status.SCHEDULED:
        messages.error(request, "This wave has already opened, so it can no longer be changed.")
        return redirect("surveys:survey", survey_id=wave.survey_id)
    chosen = [str(pk) for pk in wave.departments.values_list("pk", flat=True)]
    initial = {"name": wave.name, "opens": "later", "opens_at": timezone.localtime(wave.opens_at),
               "closes_at": timezone.localtime(wave.closes_at), "population": "departments" if chosen else "all",
               "departments": chosen, "include_subdepartments": wave.include_subdepartments}
    form = WaveForm(request.POST or None, user=request.user, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            wave = wave_reschedule(actor=request.user, wave=wave, **form.schedule())
        except WaveNotReady as error:
            messages.error(request, str(error))
            return redirect("surveys:survey", survey_id=wave.survey_id)
        if form.cleaned_data["opens"] == "now":
            return _open_now(request, wave)
        messages.success(request, f"{wave.name} changed. It opens by itself at the time you chose.")
        return redirect("surveys:survey", survey_id=wave.survey_id)
    return render(request, "surveys/manage/wave_form.html", {"survey": wave.survey, "form": form, "wave": wave})


@require_POST
@hr_required
def wave_cancel_view(request, wave_id):
    wave = _hr_wave(wave_id)
    try:
        wave_cancel(actor=request.user, wave=wave)
    except WaveNotReady as error:
        messages.error(request, str(error))
    else:
        messages.success(request, f"{wave.name} cancelled. Nobody had been invited.")
    return redirect("surveys:survey", survey_id=wave.survey_id)


def _open_now(request, wave):
    try:
        wave = wave_open_now(actor=request.user, wave=wave)
    except (WaveNotReady, ValidationError) as error:
        messages.error(request, " ".join(getattr(error, "messages", [str(error)])))
    else:
        messages.success(request, f"{wave.name} is open: {wave.invited_count:,} "
                                  f"{'person was' if wave.invited_count == 1 else 'people were'} invited.")
    return redirect("surveys:survey", survey_id=wave.survey_id)


def _hr_wave(wave_id) -> Wave:
    try:
        return Wave.objects.get(pk=wave_id)
    except Wave.DoesNotExist:
        raise Http404("No such wave") from None


@require_POST
@hr_required
def wave_open(request, wave_id):
    return _open_now(request, _hr_wave(wave_id))


@require_POST
@hr_required
def wave_close(request, wave_id):
    wave = _hr_wave(wave_id)
    try:
        wave = wave_close_now(actor=request.user, wave=wave)
    except WaveNotReady as error:
        messages.error(request, str(error))
    else:
        messages.success(request, f"{wave.name} is closed. Its results are ready.")
    return redirect("surveys:survey", survey_id=wave.survey_id)


# --- Results (HR and managers) ---------------------------------------------------------------------------------


def _group_form(request, wave):
    """The filter form and the group it names. A department outside the user's scope is 404; a manager
    with no department chosen starts at their own highest department."""
    hr = roles.is_hr(request.user)
    data = request.GET.copy()
    if data.get("department"):
        department = get_department_for_user(request.user, data["department"])
    else:
        department = results.default_department(request.user)
        data["department"] = str(department.pk) if department else ""
    form = ResultsFilterForm(data, user=request.user, choices=results.filter_choices(wave), hr=hr)
    group = results.Group(department, form.filters()) if form.is_valid() else None
    return form, group


@require_GET
@manager_or_hr_required
def results_list(request):
    return render(request, "surveys/results/list.html", {"waves": results.waves_for_user(request.user)})


@require_GET
@manager_or_hr_required
def wave_results(request, wave_id):
    wave = results.get_wave_for_user(request.user, wave_id)
    form, group = _group_form(request, wave)
    page = results.results_page(request.user, wave, group) if group else None
    if page is not None:
        audit_record(actor=request.user, action="survey results viewed", target=str(wave),
                     detail={"wave": wave.pk, "group": group.key})
    return render(request, "surveys/results/results.html", {
        "wave": wave, "form": form, "page": page, "query": request.GET.urlencode(),
        "open_rate": results.open_wave_rate(request.user, wave),
    })


def _export(request, wave_id, fmt):
    wave = results.get_wave_for_user(request.user, wave_id)
    if wave.status != Wave.Status.CLOSED:
        raise Http404("No results until the wave closes")
    form, group = _group_form(request, wave)
    if group is None:
        return HttpResponseBadRequest(" ".join(form.non_field_errors()) or "Check the filters.")
    page = results.results_page(request.user, wave, group)
    return exports.export_results(actor=request.user, wave=wave, page=page, fmt=fmt)


@require_GET
@manager_or_hr_required
def export_csv(request, wave_id):
    return _export(request, wave_id, "csv")


@require_GET
@manager_or_hr_required
def export_xlsx(request, wave_id):
    return _export(request, wave_id, "xlsx")


COMMENTS_PER_PAGE = 25


def _comment_order_seed(request, wave) -> str:
    """Random per session, so each reader gets their own order, and the same on every page they turn."""
    seed = request.session.get("comment_order_seed")
    if seed is None:
        seed = request.session["comment_order_seed"] = secrets.token_hex(16)
    return f"{seed}:{wave.pk}"


def _filter_label(chosen: dict) -> str:
    """'about Job security, negative': what the chosen filters pick out, to finish a sentence."""
    parts = []
    if chosen.get("theme"):
        parts.append(f"about {THEMES_BY_SLUG[chosen['theme']].label.lower()}")
    if chosen.get("sentiment"):
        parts.append(f"scored {chosen['sentiment'].lower()}")
    return " and ".join(parts)


@require_GET
@manager_or_hr_required
def comments(request, wave_id):
    wave = results.get_wave_for_user(request.user, wave_id)
    hr = roles.is_hr(request.user)
    raw = request.GET.get("department")
    department = get_department_for_user(request.user, raw) if raw else results.default_department(request.user)
    form = CommentsFilterForm({"department": str(department.pk) if department else "",
                               "theme": request.GET.get("theme", ""), "sentiment": request.GET.get("sentiment", "")},
                              user=request.user, hr=hr)
    form.is_valid()  # a value not offered is shown as a field error and that filter is not applied
    chosen = form.cleaned_data
    page = results.comments_page(wave, department, include_hidden=hr, order_seed=_comment_order_seed(request, wave),
                                 theme=chosen.get("theme", ""), tone=chosen.get("sentiment", ""))
    listing = Paginator(page.get("comments", []), COMMENTS_PER_PAGE).get_page(request.GET.get("page"))
    if page["released"]:
        audit_record(actor=request.user, action="survey comments viewed", target=str(wave),
                     detail={"wave": wave.pk, "group": page["key"]})
    rows = department_rows(request.user) if page["released"] else []
    query = urlencode({k: v for k, v in chosen.items() if v})
    department_query = urlencode({"department": department.pk} if department else {})
    return render(request, "surveys/results/comments.html", {
        "wave": wave, "form": form, "department": department, "page": page, "listing": listing, "query": query,
        "department_query": department_query,
        "filter_label": _filter_label(chosen),
        "by_department": zip(rows, results.sentiment_by_department(wave, rows), strict=True),
    })


@require_POST
@hr_required
def comment_hide(request, wave_id, answer_id):
    wave = results.get_wave_for_user(request.user, wave_id)
    answer = results.get_comment_for_hr(wave, answer_id)
    hide = request.POST.get("hidden", "1") != "0"
    services.comment_hide(actor=request.user, answer=answer, hidden=hide)
    messages.success(request, "Comment hidden. It no longer shows on this page." if hide
                     else "Comment shown again.")
    url = reverse("surveys:comments", kwargs={"wave_id": wave.pk})
    department = request.POST.get("department", "")
    return redirect(f"{url}?department={int(department)}" if department.isdigit() else url)


@require_GET
@manager_or_hr_required
def named_answers(request, wave_id):
    wave = results.get_wave_for_user(request.user, wave_id)
    results.get_named_wave(wave)  # 404 for anonymous waves, whoever asks
    if not roles.is_hr(request.user):
        raise PermissionDenied  # named answers are shown to HR only (DESIGN.md)
    page = Paginator(results.named_responses(wave), 25).get_page(request.GET.get("page"))
    audit_record(actor=request.user, action="survey named answers viewed", target=str(wave),
                 detail={"wave": wave.pk, "page": page.number})
    return render(request, "surveys/results/named.html", {
        "wave": wave, "page": page, "responses": results.named_page(wave, page.object_list),
    })


urlpatterns = [
    path("surveys/manage/", survey_list, name="manage"),
    path("surveys/manage/new/", survey_new, name="survey_new"),
    path("surveys/manage/<int:survey_id>/", survey_detail, name="survey"),
    path("surveys/manage/<int:survey_id>/settings/", survey_settings, name="survey_settings"),
    path("surveys/manage/<int:survey_id>/copy/", survey_copy, name="survey_copy"),
    path("surveys/manage/<int:survey_id>/delete/", survey_delete, name="survey_delete"),
    path("surveys/manage/<int:survey_id>/waves/new/", wave_new, name="wave_new"),
    path("surveys/manage/waves/<int:wave_id>/change/", wave_edit, name="wave_edit"),
    path("surveys/manage/waves/<int:wave_id>/cancel/", wave_cancel_view, name="wave_cancel"),
    path("surveys/manage/waves/<int:wave_id>/open/", wave_open, name="wave_open"),
    path("surveys/manage/waves/<int:wave_id>/close/", wave_close, name="wave_close"),
    path("surveys/results/", results_list, name="results_list"),
    path("surveys/results/<int:wave_id>/", wave_results, name="results"),
    path("surveys/results/<int:wave_id>/export.csv", export_csv, name="results_csv"),
    path("surveys/results/<int:wave_id>/export.xlsx", export_xlsx, name="results_xlsx"),
    path("surveys/results/<int:wave_id>/comments/", comments, name="comments"),
    path("surveys/results/<int:wave_id>/comments/<uuid:answer_id>/hide/", comment_hide, name="comment_hide"),
    path("surveys/results/<int:wave_id>/named/", named_answers, name="named_answers"),
]
