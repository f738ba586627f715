"""Council settings (admins): an overview of every group of settings, and a page for each group.

Each group (branding, reporting thresholds, sign-in, the council's values) is its own small form, so an
error is shown beside the one field it is about and nothing else is saved. Values are a list: each is
added and changed on its own page, removed after a page saying what is tagged with it, and moved with
buttons (POST, so the order can be changed without JavaScript and from a phone). Every change is
audited by the services.
"""

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from organisation import selectors, services
from organisation.forms import BrandingForm, CouncilValueForm, SignInSettingsForm, ThresholdsForm
from organisation.models import CouncilSettings, CouncilValue
from organisation.permissions import admin_required


@require_GET
@admin_required
def overview(request):
    return render(request, "organisation/settings/overview.html", {
        "council": CouncilSettings.load(),
        "values": selectors.council_values(),
        "identity_provider": selectors.identity_provider_name(),
    })


def _group_page(request, form_class, *, template, action, saved):
    """A page for one group of settings: its form, saved and audited when valid."""
    posted = request.method == "POST"  # an empty POST is still a POST: its form is checked, not shown blank
    form = form_class(request.POST if posted else None, request.FILES if posted else None, instance=CouncilSettings.load())
    if posted and form.is_valid():
        changed = services.council_settings_update(actor=request.user, form=form, action=action)
        messages.success(request, saved if changed else "Nothing was changed.")
        return redirect("organisation:settings")
    return render(request, template, {"form": form, "identity_provider": selectors.identity_provider_name()})


@require_http_methods(["GET", "POST"])
@admin_required
def branding(request):
    return _group_page(request, BrandingForm, template="organisation/settings/branding.html",
                       action="council branding changed", saved="Branding saved.")


@require_http_methods(["GET", "POST"])
@admin_required
def thresholds(request):
    return _group_page(request, ThresholdsForm, template="organisation/settings/thresholds.html",
                       action="reporting thresholds changed",
                       saved="Reporting thresholds saved. Survey waves that open from now on use them.")


@require_http_methods(["GET", "POST"])
@admin_required
def sign_in(request):
    return _group_page(request, SignInSettingsForm, template="organisation/settings/sign_in.html",
                       action="sign-in setting changed", saved="Sign-in setting saved.")


# --- Council values ----------------------------------------------------------------------------------------

def _back_to_values(anchor=""):
    response = redirect("organisation:settings_values")
    if anchor:
        response["Location"] += f"#{anchor}"
    return response


@require_GET
@admin_required
def values(request):
    return render(request, "organisation/settings/values.html", {"values": selectors.council_values()})


@require_http_methods(["GET", "POST"])
@admin_required
def value_new(request):
    form = CouncilValueForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        value = services.council_value_add(actor=request.user, **form.cleaned_data)
        messages.success(request, f"\u201c{value.name}\u201d added.")
        return _back_to_values(f"value-{value.pk}")
    return render(request, "organisation/settings/value_form.html", {"form": form})


@require_http_methods(["GET", "POST"])
@admin_required
def value_edit(request, pk):
    value = get_object_or_404(CouncilValue, pk=pk)
    name = value.name  # the form writes what was typed onto the instance, good or not
    form = CouncilValueForm(request.POST if request.method == "POST" else None, instance=value)
    if request.method == "POST" and form.is_valid():
        value = services.council_value_change(actor=request.user, value=value, **form.cleaned_data)
        messages.success(request, f"\u201c{value.name}\u201d saved.")
        return _back_to_values(f"value-{value.pk}")
    return render(request, "organisation/settings/value_form.html", {"form": form, "value": value, "name": name})


@require_http_methods(["GET", "POST"])
@admin_required
def value_remove(request, pk):
    value = get_object_or_404(CouncilValue, pk=pk)
    if request.method == "POST":
        if services.council_value_remove(actor=request.user, value=value):
            messages.success(request, f"\u201c{value.name}\u201d removed.")
        return _back_to_values()
    return render(request, "organisation/settings/value_remove.html",
                  {"value": value, "uses": selectors.council_value_uses(value)})


@require_POST
@admin_required
def value_move(request, pk):
    value = get_object_or_404(CouncilValue, pk=pk)
    direction = request.POST.get("direction")
    if direction not in ("up", "down"):
        messages.error(request, "Choose to move it up or down.")
        return _back_to_values()
    services.council_value_move(actor=request.user, value=value, by=-1 if direction == "up" else 1)
    return _back_to_values(f"value-{value.pk}")
