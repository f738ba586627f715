"""allauth adapters: no public sign-up. Accounts come from the staff import or an admin."""

from allauth.account.adapter import DefaultAccountAdapter
from allauth.socialaccount.adapter import DefaultSocialAccountAdapter


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


class SocialAccountAdapter(DefaultSocialAccountAdapter):
    def is_open_for_signup(self, request, sociallogin):
        # Entra ID may only sign in people who already have a Tandem account with the same email.
        return False
