"""Content-Security-Policy: our strict policy everywhere, and the Django admin's own under its path.

Our pages run no inline script or style: scripts need the request's nonce and styles come from files
(settings.CONTENT_SECURITY_POLICY). The Django admin and django-celery-beat's pages are not ours and do
use inline code (celery-beat's periodic task form has an inline script that drives its schedule
pickers; Django's change list writes a <style> element), so under settings.ADMIN_PATH, and only there,
the directives in settings.ADMIN_CONTENT_SECURITY_POLICY_REPLACE replace ours. Every other directive
(frame-ancestors, form-action, object-src, base-uri...) is the same as everywhere else. The admin is
reached only by staff who have passed MFA (organisation.middleware), which is what makes the looser
script rule there acceptable.
"""

from csp.middleware import CSPMiddleware, PolicyParts
from django.conf import settings


class PerPathCSPMiddleware(CSPMiddleware):
    def get_policy_parts(self, request, response, report_only=False) -> PolicyParts:
        parts = super().get_policy_parts(request, response, report_only)
        if not report_only and request.path_info.startswith("/" + settings.ADMIN_PATH):
            # A nonce in script-src makes browsers ignore 'unsafe-inline', so the admin's policy has none.
            parts.replace = {**(parts.replace or {}), **settings.ADMIN_CONTENT_SECURITY_POLICY_REPLACE}
            parts.nonce = None
        return parts
