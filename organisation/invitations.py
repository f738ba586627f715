"""Invitations: new staff with a work email get an email with a link to choose their password.

The link is allauth's password-reset link (valid for PASSWORD_RESET_TIMEOUT, 3 days; after that the
person uses "Forgotten your password?"). Following it proves the person reads that mailbox, so the
address is then marked verified (organisation.signals).
"""

from allauth.account.forms import default_token_generator
from allauth.account.utils import user_pk_to_url_str
from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from organisation.models import CouncilSettings, StaffProfile


def invitation_link(user) -> str:
    path = reverse("account_reset_password_from_key",
                   kwargs={"uidb36": user_pk_to_url_str(user), "key": default_token_generator.make_token(user)})
    return settings.BASE_URL + path


def invitations_send(*, profile_ids: list[int]) -> int:
    """Send each not-yet-invited person their invitation. Each send and its mark share a transaction
    with the row locked, so a retried or duplicated task never sends twice, and a failed send is
    retried (the mark rolls back with it)."""
    council = CouncilSettings.load()
    sent = 0
    for pk in profile_ids:
        with transaction.atomic():
            profile = (
                StaffProfile.objects.select_for_update(skip_locked=True)
                .select_related("user")
                .filter(pk=pk, invited_at__isnull=True, has_work_email=True, active=True)
                .first()
            )
            if profile is None or not profile.user.email:
                continue
            context = {"council": council, "user": profile.user, "link": invitation_link(profile.user),
                       "base_url": settings.BASE_URL}
            send_mail(
                subject=f"{council.name}: your Tandem account",
                message=render_to_string("organisation/email/invitation.txt", context),
                from_email=None,
                recipient_list=[profile.user.email],
            )
            profile.invited_at = timezone.now()
            profile.save(update_fields=["invited_at"])
            sent += 1
    return sent
