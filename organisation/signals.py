from allauth.account.models import EmailAddress
from allauth.account.signals import password_reset
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
