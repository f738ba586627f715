"""allauth adapters: no public sign-up. Accounts come from the staff import or an admin.

Sign-in with the council's identity provider (Entra ID or another OpenID Connect provider; settings in
config/identity.py) finds an existing account only:
- by an identity already linked to it (the provider's `sub`), or
- by an email the provider vouches for: `email_verified: true`, or a domain of the council's own
  (allauth's `verified_email` app setting); a provider that says `email_verified: false` is believed.
It never creates an account, nor links an identity those rules would not find. HR and admins still pass Tandem's MFA stage
afterwards (allauth's, and organisation.middleware).
"""

from allauth.account.adapter import DefaultAccountAdapter
from allauth.core.exceptions import ImmediateHttpResponse
from allauth.socialaccount.adapter import DefaultSocialAccountAdapter
from django.shortcuts import render


class AccountAdapter(DefaultAccountAdapter):
    def is_open_for_signup(self, request):
        return False

    def is_reauthentication_required(self, *, app: str, **kwargs) -> bool:
        """Setting up a *first* authenticator (which HR and admins are made to do straight after
        signing in) does not ask for the password again; changing or removing one still does."""
        if app == "allauth.mfa" and self.request is not None and self.request.user.is_authenticated:
            from allauth.mfa.models import Authenticator

            if not Authenticator.objects.filter(user=self.request.user).exists():
                return False
        return super().is_reauthentication_required(app=app, **kwargs)


def _claims(sociallogin) -> list[dict]:
    """The claim sets a provider sent (OpenID Connect: userinfo and the id_token; others: one dict)."""
    data = sociallogin.account.extra_data or {}
    parts = [data.get("userinfo"), data.get("id_token")]
    return [p for p in parts if isinstance(p, dict)] or [data]


def _provider_says_unverified(sociallogin) -> bool:
    return any(str(c.get("email_verified", "")).lower() == "false" for c in _claims(sociallogin))


class SocialAccountAdapter(DefaultSocialAccountAdapter):
    def is_open_for_signup(self, request, sociallogin):
        return False

    def authenticate_by_email(self, sociallogin):
        # allauth trusts an address the provider marked verified *or* one in the configured domains;
        # an explicit "not verified" (e.g. a self-service address at a generic provider) wins.
        if _provider_says_unverified(sociallogin):
            return None
        return super().authenticate_by_email(sociallogin)

    def pre_social_login(self, request, sociallogin):
        # Also covers "connect" (linking an identity while signed in): only an identity that finds
        # this same account by the rules above can be linked, never one of the person's choosing.
        if not sociallogin.is_existing:
            context = {"provider_name": sociallogin.provider.name,
                       "email": sociallogin.user.email if sociallogin.user else ""}
            raise ImmediateHttpResponse(render(request, "socialaccount/no_account.html", context, status=403))
