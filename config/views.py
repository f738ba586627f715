"""Public pages every public body needs, and a health check."""

from django.conf import settings
from django.db import connection
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from organisation.models import CouncilSettings


@require_GET
def privacy(request):
    return render(request, "pages/privacy.html", {"session_idle_minutes": settings.STAFF_NUMBER_SESSION_IDLE // 60})


@require_GET
def accessibility(request):
    return render(request, "pages/accessibility.html")


@require_GET
def transparency(request):
    return render(request, "pages/transparency.html", {"council": CouncilSettings.load()})


def not_here(request):
    raise Http404("Not available in Tandem")


@require_GET
def healthz(request):
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return JsonResponse({"status": "ok"})


def _darker(hex_colour: str, factor: float = 0.6) -> str:
    r, g, b = (int(hex_colour[i:i + 2], 16) for i in (1, 3, 5))
    return "#{:02x}{:02x}{:02x}".format(*(int(c * factor) for c in (r, g, b)))


@require_GET
def theme_css(request):
    """The council's colour as CSS custom properties (a file, so the CSP needs no inline styles)."""
    colour = CouncilSettings.load().colour
    css = f":root {{ --council-colour: {colour}; --council-colour-dark: {_darker(colour)}; }}\n"
    response = HttpResponse(css, content_type="text/css")
    response["Cache-Control"] = "max-age=60"
    return response
