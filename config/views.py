"""Public pages every public body needs, a health check, the favicon, and the error pages."""

import logging

from django.conf import settings
from django.db import connection
from django.http import Http404, HttpResponse, HttpResponsePermanentRedirect, HttpResponseServerError, JsonResponse
from django.shortcuts import render
from django.template import loader
from django.templatetags.static import static
from django.views.decorators.http import require_GET

from adoption import selectors as adoption_selectors
from organisation.models import CouncilSettings


@require_GET
def privacy(request):
    return render(request, "pages/privacy.html", {"session_idle_minutes": settings.STAFF_NUMBER_SESSION_IDLE // 60,
                                                  "report_retention_days": settings.REPORT_RETENTION_DAYS})


@require_GET
def accessibility(request):
    return render(request, "pages/accessibility.html")


@require_GET
def transparency(request):
    return render(request, "pages/transparency.html", {
        "council": CouncilSettings.load(), "readiness_components": adoption_selectors.weights_explained(),
        "report_retention_days": settings.REPORT_RETENTION_DAYS})


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


@require_GET
def favicon(request):
    """Browsers ask for /favicon.ico whatever the page links to: send them to the SVG."""
    return HttpResponsePermanentRedirect(static("tandem/favicon.svg"))


# --- Error pages (config/urls.py names them; Django uses them when DEBUG is off) ----------------
# Each is in the site frame with a plain message and a way back. Outside a manager's scope is a 404
# by design (organisation.scoping), so the 404 page says so without saying whether the thing exists.

forbidden_log = logging.getLogger("tandem.forbidden")


def page_not_found(request, exception):
    return render(request, "errors/404.html", status=404)


def permission_denied(request, exception):
    """403: one log line (who, what), not the traceback Django would log for PermissionDenied."""
    user = getattr(request, "user", None)
    who = f"user {user.pk}" if user is not None and user.is_authenticated else "anonymous"
    forbidden_log.warning("Forbidden: %s %s (%s)", request.method, request.path, who)
    response = render(request, "errors/403.html", status=403)
    response._has_been_logged = True  # django.utils.log.log_response: logged above, in one line
    return response


def csrf_failure(request, reason=""):
    """403 for a form whose CSRF token no longer matches (a page open too long, or a session that ended):
    the site frame and what to do, in one log line, instead of Django's bare page."""
    forbidden_log.warning("CSRF refused: %s %s (%s)", request.method, request.path, reason)
    response = render(request, "errors/csrf.html", status=403)
    response._has_been_logged = True
    return response


def server_error(request):
    """500: a static page. Whatever broke may be the database, so nothing here may need it (no
    council settings, no menu, no request context)."""
    return HttpResponseServerError(loader.get_template("errors/500.html").render())
