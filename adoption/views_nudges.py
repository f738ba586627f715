"""Nudge pages: a person's notifications and preferences, the unsubscribe link's page, HR's nudge
settings and outbox."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from adoption import nudges, services_nudges
from adoption import selectors_nudges as selectors
from adoption.forms import NudgePreferencesForm, NudgeSettingsForm, OutboxFilterForm
from adoption.models import NudgeSettings, Outbox
from courses.selectors import learning as learning_selectors
from courses.selectors import progress as progress_selectors
from organisation.models import StaffProfile
from organisation.permissions import hr_required, manager_or_hr_required


@require_http_methods(["GET", "POST"])
@login_required
def notifications(request):
    """The reminders sent to me, and which ones I get."""
    profile = learning_selectors.learner_profile(request.user)
    manager = request.user.managed_departments.exists()
    if request.method == "POST":
        form = NudgePreferencesForm(request.POST, manager=manager)
        if profile is not None and form.is_valid():
            services_nudges.nudge_preferences_update(profile=profile, rules_on=set(form.cleaned_data["rules_on"]),
                                                     rules_shown=form.rules_shown)
            messages.success(request, "Your reminder choices are saved.")
        return redirect("adoption:notifications")
    off = selectors.opt_outs_for(profile)
    form = NudgePreferencesForm(initial={"rules_on": [r for r in nudges.RULES if r not in off]}, manager=manager)
    history = Paginator(selectors.history_for(profile), 50).get_page(request.GET.get("page"))
    return render(request, "adoption/nudges/notifications.html", {
        "profile": profile, "form": form, "history": history, "labels": nudges.OUTBOX_LABELS})


@csrf_exempt  # RFC 8058: mail clients POST "List-Unsubscribe=One-Click" with no session; the signed link is the proof
@require_http_methods(["GET", "POST"])
def unsubscribe(request, token):
    """GET: a button to confirm (a link scanner following the URL changes nothing). POST: done."""
    found = services_nudges.read_unsubscribe_token(token)
    if found is None or not StaffProfile.objects.filter(pk=found[0]).exists():
        raise Http404
    profile_id, rule = found
    label = nudges.RULE_LABELS[rule].lower()
    if request.method == "POST":
        services_nudges.nudge_opt_out(profile_id=profile_id, rule=rule)
        return render(request, "adoption/nudges/unsubscribed.html", {"label": label, "rule": rule})
    return render(request, "adoption/nudges/unsubscribe.html", {"label": label, "rule": rule})


@require_http_methods(["GET", "POST"])
@hr_required
def nudge_settings(request):
    form = NudgeSettingsForm(request.POST or None, instance=NudgeSettings.load(),
                             modules=progress_selectors.modules_for_filter())
    if request.method == "POST" and form.is_valid():
        services_nudges.nudge_settings_update(actor=request.user, config=form.instance)
        messages.success(request, "Nudge settings saved. The next daily run uses them.")
        return redirect("adoption:nudge_settings")
    return render(request, "adoption/nudges/settings.html", {"form": form})


@require_GET
@hr_required
def outbox(request):
    form = OutboxFilterForm(request.GET or None)
    status = form.cleaned_data["status"] if form.is_bound and form.is_valid() else ""
    page = Paginator(selectors.outbox_for_hr(status), 50).get_page(request.GET.get("page"))
    return render(request, "adoption/nudges/outbox.html", {
        "form": form, "page": page, "counts": selectors.outbox_counts(), "status": status,
        "labels": nudges.OUTBOX_LABELS})


@require_POST
@hr_required
def outbox_resend(request, pk):
    row = get_object_or_404(Outbox, pk=pk)
    if row.status != Outbox.Status.FAILED:
        messages.error(request, "Only a failed message can be sent again.")
    else:
        services_nudges.outbox_resend(actor=request.user, row=row)
        messages.success(request, f"The message to {row.to} is queued to be sent again.")
    return redirect(reverse("adoption:outbox") + "?status=failed")


@require_POST
@manager_or_hr_required
def team_remind(request):
    """From team progress: remind the chosen overdue people now (only those in the user's scope)."""
    back = reverse("courses:team") + ("?" + request.POST["query"] if request.POST.get("query") else "")
    chosen = [int(v) for v in request.POST.getlist("enrolment") if v.isdigit()]
    if not chosen:
        messages.error(request, "Choose the people to remind.")
        return redirect(back)
    if not nudges.is_working_day(timezone.localdate(), NudgeSettings.load().division):
        messages.error(request, "Reminders are not sent at weekends or on bank holidays. Try again on the next "
                                "working day.")
        return redirect(back)
    scope = progress_selectors.team_department_ids(request.user, None)
    enrolments = list(progress_selectors.overdue_enrolments(scope).filter(pk__in=chosen))  # others: ignored
    result = services_nudges.nudge_remind_overdue(actor=request.user, enrolments=enrolments)
    parts = [f"{result.queued} reminder{'s' if result.queued != 1 else ''} queued"]
    if result.no_email:
        parts.append(f"{result.no_email} without an email address (remind them in person)")
    if result.held_back:
        parts.append(f"{result.held_back} held back (reminders turned off, already reminded today, or the weekly "
                     "limit reached)")
    messages.success(request, "; ".join(parts) + ".")
    return redirect(back)
