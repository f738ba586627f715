from allauth.account.app_settings import EmailVerificationMethod
from allauth.account.utils import perform_login
from allauth.mfa.base.forms import AuthenticateForm
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpResponseBadRequest, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from organisation import accounts, importing, ratelimit, selectors, services, tasks
from organisation.forms import (
    ChoosePasswordForm,
    SignInCodeForm,
    StaffImportForm,
)
from organisation.models import CouncilSettings, StaffImport
from organisation.permissions import admin_required, hr_required, manager_or_hr_required
from organisation.scoping import get_department_for_user

# --- Departments and staff (managers: their own subtree; HR: everything) ----------------------------

@require_GET
@manager_or_hr_required
def department_list(request):
    return render(request, "organisation/department_list.html", {"departments": selectors.department_rows(request.user)})


@require_GET
@manager_or_hr_required
def department_detail(request, pk):
    department = get_department_for_user(request.user, pk)
    staff = Paginator(selectors.department_staff(request.user, department), 50).get_page(request.GET.get("page"))
    return render(request, "organisation/department_detail.html", {
        "department": department,
        "children": selectors.department_children(request.user, department),
        "staff_page": staff,
    })


@require_POST
@manager_or_hr_required
def sign_in_slips(request):
    """Print sign-in slips for the chosen staff (those without a work email, in the user's scope)."""
    try:
        ids = [int(i) for i in request.POST.getlist("staff")]
    except ValueError:
        return HttpResponseBadRequest("Bad staff id")
    profiles = selectors.staff_for_slips(request.user, ids)
    if not profiles:
        messages.error(request, "Choose at least one member of staff without a work email.")
        return redirect(_safe_url(request, request.POST.get("back"), "organisation:departments"))
    try:
        slips = services.sign_in_slips_issue(issued_by=request.user, profiles=profiles)
    except services.SlipRefused as e:
        messages.error(request, str(e))
        return redirect(_safe_url(request, request.POST.get("back"), "organisation:departments"))
    return render(request, "organisation/sign_in_slips.html", {"slips": slips})


def _safe_url(request, url: str | None, fallback: str) -> str:
    """`url` if it is a page of this site, else the fallback (a URL name): never a redirect elsewhere."""
    if url and url_has_allowed_host_and_scheme(url, allowed_hosts={request.get_host()}, require_https=request.is_secure()):
        return url
    return reverse(fallback)


# --- Sign-in codes (staff without a work email) ------------------------------------------------------

_SLIP_SESSION_KEY = "tandem_slip"


@require_http_methods(["GET", "POST"])
def sign_in_code(request):
    form = SignInCodeForm(request.POST or None)
    if request.method == "POST" and not ratelimit.allow(request, "sign-in-code", limit=10, seconds=60):
        form.is_valid()
        form.add_error(None, "Too many attempts. Wait a minute, then try again.")
        return render(request, "organisation/sign_in_code.html", {"form": form}, status=429)
    if request.method == "POST" and form.is_valid():
        try:
            services.sign_in_code_check(staff_number=form.cleaned_data["staff_number"], code=form.cleaned_data["code"])
        except services.SlipError as e:
            form.add_error("code", str(e))
        else:
            request.session[_SLIP_SESSION_KEY] = {
                "staff_number": form.cleaned_data["staff_number"], "code": form.cleaned_data["code"]}
            return redirect("sign_in_code_password")
    return render(request, "organisation/sign_in_code.html", {"form": form})


@require_http_methods(["GET", "POST"])
def sign_in_code_password(request):
    slip = request.session.get(_SLIP_SESSION_KEY)
    if not slip:
        return redirect("sign_in_code")
    try:
        sic = services.sign_in_code_check(**slip)
    except services.SlipError as e:
        request.session.pop(_SLIP_SESSION_KEY, None)
        messages.error(request, str(e))
        return redirect("sign_in_code")
    form = ChoosePasswordForm(request.POST or None, user=sic.profile.user)
    if request.method == "POST" and form.is_valid():
        try:
            user = services.sign_in_code_redeem(request=request, password=form.cleaned_data["password1"], **slip)
        except services.SlipError as e:
            messages.error(request, str(e))
            return redirect("sign_in_code")
        request.session.pop(_SLIP_SESSION_KEY, None)
        messages.success(request, "Your password is set. Next time, sign in with your staff number and password.")
        # allauth's sign-in with all its stages, the MFA step included, as for a password: never a bare login().
        return perform_login(request, user, email_verification=EmailVerificationMethod.NONE, redirect_url=reverse("home"))
    return render(request, "organisation/sign_in_code_password.html", {"form": form, "profile": sic.profile})


# --- The MFA step for a session that began without it (organisation.middleware sends people here) ----

@require_http_methods(["GET", "POST"])
@login_required
def sign_in_authenticator(request):
    next_url = _safe_url(request, request.POST.get("next") or request.GET.get("next"), "home")
    if accounts.completed_mfa(request):
        return redirect(next_url)
    if not accounts.has_authenticator(request.user):
        return redirect("mfa_activate_totp")
    form = AuthenticateForm(request.POST or None, user=request.user)  # allauth's: rate-limited, TOTP or recovery code
    if request.method == "POST" and form.is_valid():
        form.save()  # allauth records the "mfa" step in this session, as its own sign-in step does
        request.session.cycle_key()  # the session now has more power: give it a new key
        return redirect(next_url)
    return render(request, "organisation/sign_in_authenticator.html", {"form": form, "next": next_url})


# --- Staff import (HR) ---------------------------------------------------------------------------

@require_http_methods(["GET", "POST"])
@hr_required
def import_upload(request):
    form = StaffImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        raw = upload.read(settings.STAFF_IMPORT_MAX_BYTES + 1)
        try:
            imp = importing.staff_import_create(
                actor=request.user, filename=upload.name, raw=raw,
                complete_file=form.cleaned_data["complete_file"], max_bytes=settings.STAFF_IMPORT_MAX_BYTES)
        except importing.FileRejected as e:
            form.add_error("file", str(e))
        else:
            if imp.row_count <= settings.STAFF_IMPORT_SYNC_MAX_ROWS:
                importing.staff_import_validate(import_id=imp.pk)
            else:
                tasks.staff_import_validate.delay(str(imp.pk))
            return redirect("organisation:import_detail", pk=imp.pk)
    return render(request, "organisation/import_upload.html", {
        "form": form, "imports": selectors.recent_imports(),
        "required_columns": importing.REQUIRED_COLUMNS, "optional_columns": importing.OPTIONAL_COLUMNS,
    })


@require_GET
@hr_required
def import_detail(request, pk):
    imp = get_object_or_404(StaffImport.objects.defer("content"), pk=pk)
    return render(request, "organisation/import_detail.html", _import_context(request, imp))


def _import_context(request, imp: StaffImport, **extra) -> dict:
    return {
        "imp": imp, "progress": importing.progress_get(imp.pk),
        "working": imp.status in {StaffImport.Status.VALIDATING, StaffImport.Status.APPLYING},
        "preview": selectors.import_preview(imp), "next_steps": selectors.import_next_steps(request.user, imp),
        **extra,
    }


def _typed_number(value: str) -> int | None:
    digits = value.replace(",", "").replace(" ", "")
    return int(digits) if digits.isascii() and digits.isdecimal() else None


@require_POST
@hr_required
def import_confirm(request, pk):
    imp = get_object_or_404(StaffImport.objects.defer("content"), pk=pk)
    if imp.nothing_to_change and imp.status == StaffImport.Status.READY:
        messages.info(request, "There is nothing to change: everyone in this file already matches the records, "
                               "so nothing was applied.")
        return redirect("organisation:import_detail", pk=imp.pk)
    leavers_typed = _typed_number(request.POST.get("leavers", ""))
    try:
        started = importing.staff_import_start_apply(import_id=imp.pk, leavers_typed=leavers_typed)
    except importing.LeaversNotConfirmed as e:
        return render(request, "organisation/import_detail.html", _import_context(request, imp, leavers_error=str(e)))
    if started:
        if imp.row_count <= settings.STAFF_IMPORT_SYNC_MAX_ROWS:
            try:
                importing.staff_import_apply(import_id=imp.pk, actor_id=request.user.pk, leavers_typed=leavers_typed)
            except Exception as exc:
                # Nothing was written (one transaction); say so on the page instead of "applying" for ever.
                importing.staff_import_fail(import_id=imp.pk, message=repr(exc))
                raise
        else:
            typed = [leavers_typed] if leavers_typed is not None else []  # only when HR typed one
            tasks.staff_import_apply.delay(str(imp.pk), request.user.pk, *typed)
    else:
        messages.info(request, "This import has already been applied or is being applied.")
    return redirect("organisation:import_detail", pk=imp.pk)


@require_GET
@hr_required
def import_progress(request, pk):
    imp = get_object_or_404(StaffImport.objects.only("status", "row_count"), pk=pk)
    if imp.status == StaffImport.Status.APPLIED:
        # The status commits a moment before the worker writes its last progress: the record wins.
        progress = {"stage": "Done", "done": imp.row_count, "total": imp.row_count}
    else:
        progress = importing.progress_get(imp.pk) or {"stage": imp.get_status_display(), "done": 0, "total": imp.row_count}
    return JsonResponse({"status": imp.status, **progress})


# --- Audit log (admin; council settings are in organisation.views_settings) ---------------------------

@require_GET
@admin_required
def audit_log(request):
    page = Paginator(selectors.audit_events(), 50).get_page(request.GET.get("page"))
    return render(request, "organisation/audit_log.html", {"page": page})


@require_GET
def council_logo(request):
    council = CouncilSettings.load()
    if not council.logo:
        raise Http404("No logo")
    return FileResponse(council.logo.open("rb"))
