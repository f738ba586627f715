"""allauth adapters: no public sign-up. Accounts come from the staff import or an admin.

Sign-in with the council's identity provider (Entra ID or another OpenID Connect provider; settings in
config/identity.py) finds an existing account only:
- by an identity already linked to it (the provider's `sub`), or
- by an email the provider vouches for: `email_verified: true`, Entra ID's `xms_edov: true`, or a
  domain of the council's own (allauth's `verified_email` app setting); a provider that says the
  address is not verified is believed.
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


def _flags(sociallogin, name: str) -> set[str]:
    return {str(c[name]).strip().lower() for c in _claims(sociallogin) if name in c}


FALSE, TRUE = {"false", "0"}, {"true", "1"}


class SocialAccountAdapter(DefaultSocialAccountAdapter):
    def is_open_for_signup(self, request, sociallogin):
        return False

    def authenticate_by_email(self, sociallogin):
        # allauth trusts an address the provider marked `email_verified` *or* one in the council's
        # domains. Entra ID's optional claim `xms_edov` ("email domain owner verified") counts as
        # verified too. An explicit "not verified" from either claim wins over the domains.
        edov = _flags(sociallogin, "xms_edov")
        if (_flags(sociallogin, "email_verified") | edov) & FALSE:
            return None
        if edov & TRUE:
            for address in sociallogin.email_addresses:
                address.verified = True
        return super().authenticate_by_email(sociallogin)

    def pre_social_login(self, request, sociallogin):
        # Also covers "connect" (linking an identity while signed in): only an identity that finds
        # this same account by the rules above can be linked, never one of the person's choosing.
        if not sociallogin.is_existing:
            context = {"provider_name": sociallogin.provider.name,
                       "email": sociallogin.user.email if sociallogin.user else ""}
            raise ImmediateHttpResponse(render(request, "socialaccount/no_account.html", context, status=403))
