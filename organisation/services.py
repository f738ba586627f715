"""Writes to the organisation: audit events, sign-in slips, council settings.
(The staff import's writes live in organisation.importing.)"""

import hashlib
import secrets
from dataclasses import dataclass
from datetime import timedelta

from allauth.account.internal.flows.login import record_authentication
from django.conf import settings
from django.db import transaction
from django.utils import timezone

from organisation import accounts
from organisation.models import AuditEvent, CouncilSettings, SignInCode, StaffProfile, User

# No 0/O, 1/I/L: codes are read off paper and typed on phones.
_CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"


def audit_record(*, actor: User | None, action: str, target: str = "", detail: dict | None = None) -> AuditEvent:
    label = ""
    if actor is not None and actor.is_authenticated:
        label = f"{actor.get_full_name() or actor.username} ({actor.username})"
    return AuditEvent.objects.create(
        actor=actor if actor is not None and actor.is_authenticated else None,
        actor_label=label or "system",
        action=action,
        target=target,
        detail=detail or {},
    )


def _hash_code(code: str) -> str:
    normalised = code.upper().replace("-", "").replace(" ", "")
    return hashlib.sha256(normalised.encode()).hexdigest()


def _new_code() -> str:
    raw = "".join(secrets.choice(_CODE_ALPHABET) for _ in range(8))
    return f"{raw[:4]}-{raw[4:]}"


@dataclass
class Slip:
    profile: StaffProfile
    code: str
    expires_at: object


class SlipRefused(Exception):
    """Slips asked for someone who may not have one; the message names them and says why."""


@transaction.atomic
def sign_in_slips_issue(*, issued_by: User, profiles: list[StaffProfile]) -> list[Slip]:
    """New one-time codes for staff without a work email. Any earlier unused code for the same person
    stops working, so a lost slip is harmless once a new one is printed. A slip sets a password with no
    other check, so none is printed for a protected account (a privileged role or an authenticator,
    organisation.accounts): SlipRefused, and no slip at all is printed."""
    reasons = accounts.protected_reasons(p.user_id for p in profiles)
    refused = [p for p in profiles if p.user_id in reasons]
    if refused:
        who = "; ".join(f"{p.full_name} ({p.staff_number}) {reasons[p.user_id]}" for p in refused)
        raise SlipRefused(f"No slips were printed. Sign-in slips are only for staff without an HR, content author "
                          f"or admin role or an authenticator app: {who}. Untick them; they sign in with their "
                          f"password and authenticator, and an admin can help them.")
    now = timezone.now()
    expires = now + timedelta(days=settings.SIGN_IN_SLIP_DAYS)
    ids = [p.pk for p in profiles]
    SignInCode.objects.filter(profile_id__in=ids, used_at__isnull=True, revoked=False).update(revoked=True)
    slips = []
    for profile in profiles:
        code = _new_code()
        SignInCode.objects.create(profile=profile, code_hash=_hash_code(code), created_by=issued_by, expires_at=expires)
        slips.append(Slip(profile=profile, code=code, expires_at=expires))
    audit_record(
        actor=issued_by,
        action="sign-in slips printed",
        target=f"{len(profiles)} staff",
        detail={"staff_numbers": [p.staff_number for p in profiles]},
    )
    return slips


class SlipError(Exception):
    """A sign-in code that cannot be used; the message is shown to the member of staff."""


def sign_in_code_check(*, staff_number: str, code: str) -> SignInCode:
    """The usable code for this staff number, or SlipError saying plainly what is wrong."""
    try:
        sic = SignInCode.objects.select_related("profile__user").get(
            code_hash=_hash_code(code), profile__staff_number__iexact=staff_number.strip()
        )
    except SignInCode.DoesNotExist:
        raise SlipError("That staff number and code do not match. Check both and try again.") from None
    if sic.used_at is not None:
        raise SlipError("This code has already been used. Sign in with your staff number and password, "
                        "or ask your manager for a new slip.")
    if sic.revoked:
        raise SlipError("This code has been replaced by a newer slip. Use the newest slip your manager gave you.")
    if sic.expires_at <= timezone.now():
        raise SlipError("This code has expired (codes last 14 days). Ask your manager for a new slip.")
    if not sic.profile.active or not sic.profile.user.is_active:
        raise SlipError("This account is not active. Ask your manager.")
    _refuse_protected(sic.profile.user)
    return sic


def _refuse_protected(user: User) -> None:
    # Checked when the code is used (sign_in_code_redeem checks again in its own transaction), not
    # only when printed: the role or authenticator may be newer than the slip.
    if accounts.protected_reason(user):
        raise SlipError("This code cannot be used: sign-in slips are only for staff without an HR, content author "
                        "or admin role or an authenticator app. Sign in with your password and authenticator app, "
                        "or ask your manager.")


@transaction.atomic
def sign_in_code_redeem(*, request, staff_number: str, code: str, password: str) -> User:
    """Use a slip's code once: set the chosen password. The caller then signs the person in through
    allauth (`perform_login`), so the session passes the same stages as any other sign-in."""
    sic = sign_in_code_check(staff_number=staff_number, code=code)
    # Lock the row so two tabs cannot both use the code.
    sic = SignInCode.objects.select_for_update().select_related("profile__user").get(pk=sic.pk)
    if sic.used_at is not None:
        raise SlipError("This code has already been used.")
    user = sic.profile.user
    user.set_password(password)
    user.save(update_fields=["password"])
    sic.used_at = timezone.now()
    sic.save(update_fields=["used_at"])
    audit_record(actor=user, action="sign-in code used", target=sic.profile.staff_number)
    # The caller signs the person in through allauth (its stages, MFA included); this records how the
    # session's sign-in began, as allauth records a password.
    record_authentication(request, user, "sign_in_slip", staff_number=sic.profile.staff_number)
    return user


@transaction.atomic
def council_settings_update(*, actor: User, form, values_formset) -> CouncilSettings:
    council = form.save()
    values_formset.save()
    audit_record(actor=actor, action="council settings changed", target=council.name,
                 detail={"changed": form.changed_data})
    return council
