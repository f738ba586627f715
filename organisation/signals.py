from allauth.account.models import EmailAddress
from allauth.account.signals import password_reset
from allauth.mfa.signals import authenticator_added
from django.conf import settings
from django.contrib.auth.signals import user_logged_in
from django.dispatch import receiver


@receiver(user_logged_in)
def shorter_sessions_for_shared_devices(sender, request, user, **kwargs):
    """Staff-number accounts (frontline staff, often on shared devices) time out after 30 idle
    minutes; others keep the default (SESSION_COOKIE_AGE)."""
    if not user.email:
        request.session.set_expiry(settings.STAFF_NUMBER_SESSION_IDLE)


@receiver(password_reset)
def reset_link_verifies_email(sender, request, user, **kwargs):
    """A password-reset (or invitation) link arrives by email: following it proves the mailbox."""
    EmailAddress.objects.filter(user=user, email__iexact=user.email).update(verified=True)


@receiver(authenticator_added)
def new_authenticator_counts_as_recent_mfa(sender, request, user, authenticator, **kwargs):
    """Entering a valid code to add an authenticator proves it, so the next step (seeing recovery
    codes) does not ask for the password and a code all over again."""
    from allauth.account.internal.flows.login import record_authentication

    if request is not None:
        record_authentication(request, user, "mfa", id=authenticator.pk, type=authenticator.type, reauthenticated=True)
