from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.shortcuts import redirect
from django.urls import Resolver404, resolve, reverse

from organisation import accounts, roles
from organisation.accounts import signed_in_with_trusted_idp

# Pages anyone may reach whatever the state of their sign-in: the public pages and static files.
_PUBLIC_PREFIXES = ("/static/", "/media/", "/branding/", "/privacy/", "/accessibility/",
                    "/transparency/", "/healthz", "/certificates/verify/")
# Until the session has completed MFA, the only other pages are the step that completes it and
# signing out. Nothing else under /accounts/ either: changing the password, removing or replacing the
# authenticator, or connecting another sign-in would let a half-signed-in session lock the owner out
# or get round the step.
_SIGN_OUT = "account_logout"


def _url_name(path: str) -> str | None:
    try:
        return resolve(path).url_name
    except Resolver404:
        return None


class RequireMFAMiddleware:
    """Where MFA is required (HR, admins, staff status; production always, demo mode never), a
    signed-in session that has not completed MFA itself reaches only the step that completes it:
    the code from the account's authenticator, or setting one up if it has none. This holds however
    the session began (password, sign-in slip, Entra ID, password reset) and whenever the role came."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = request.user
        if (
            settings.MFA_ENFORCED
            and user.is_authenticated
            and not request.path.startswith(_PUBLIC_PREFIXES)
            and roles.needs_mfa(user)
            and not accounts.completed_mfa(request)
            and not signed_in_with_trusted_idp(request)
        ):
            # Never setting up another authenticator in place of the one the account has.
            step = "sign_in_authenticator" if accounts.has_authenticator(user) else "mfa_activate_totp"
            if _url_name(request.path_info) in {step, _SIGN_OUT}:
                return self.get_response(request)
            if step == "mfa_activate_totp":
                messages.info(request, "Your role needs an authenticator app. Set one up to continue.")
                return redirect(reverse(step))
            url = reverse(step)
            if request.method == "GET":
                url += "?" + urlencode({"next": request.get_full_path()})
            return redirect(url)
        return self.get_response(request)
