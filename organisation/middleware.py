from django.conf import settings
from django.contrib import messages
from django.shortcuts import redirect
from django.urls import reverse

from organisation import roles

# Paths an HR user or admin without an authenticator may still reach: signing in and out, setting
# up MFA (all under /accounts/), the public pages and static files.
_OPEN_PREFIXES = ("/accounts/", "/static/", "/media/", "/branding/", "/privacy/", "/accessibility/",
                  "/transparency/", "/healthz", "/certificates/verify/")


def signed_in_with_trusted_idp(request) -> bool:
    """True when this session began with Entra ID and the council trusts Entra ID's own MFA."""
    from allauth.account.internal.flows.login import get_authentication_records

    from organisation.models import CouncilSettings

    records = get_authentication_records(request, request.user)
    via_idp = any(r.get("method") == "socialaccount" for r in records)
    return via_idp and CouncilSettings.load().trust_idp_mfa


def has_totp(user) -> bool:
    from allauth.mfa.models import Authenticator

    return Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists()


class RequireMFAMiddleware:
    """HR and admins are sent to authenticator set-up before any other page (production always;
    demo mode skips it so a newcomer can explore every role)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = request.user
        if (
            settings.MFA_ENFORCED
            and user.is_authenticated
            and not request.path.startswith(_OPEN_PREFIXES)
            and roles.needs_mfa(user)
            and not has_totp(user)
            and not signed_in_with_trusted_idp(request)
        ):
            messages.info(request, "Your role needs an authenticator app. Set one up to continue.")
            return redirect(reverse("mfa_activate_totp"))
        return self.get_response(request)
