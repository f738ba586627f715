"""Writes to the organisation: audit events, sign-in slips, council settings and values.
(The staff import's writes live in organisation.importing.)"""

import hashlib
import secrets
from dataclasses import dataclass
from datetime import timedelta

from allauth.account.internal.flows.login import record_authentication
from django.conf import settings
from django.db import transaction
from django.utils import timezone

from organisation import accounts, selectors
from organisation.models import AuditEvent, CouncilSettings, CouncilValue, SignInCode, StaffProfile, User

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
@transaction.atomic
def council_settings_update(*, actor: User, form, action: str) -> list[str]:
    """Save one group of council settings from its valid form (organisation.forms: BrandingForm,
    ThresholdsForm, SignInSettingsForm) and audit each field changed, before and after (a logo: uploaded
    or removed). Returns the names of the fields changed; nothing changed, nothing saved or audited."""
    fields = list(form._meta.fields)
    before = CouncilSettings.objects.select_for_update().get(pk=form.instance.pk)  # one admin at a time
    changed = {}
    for name in fields:
        if name == "logo":
            if "logo" in form.changed_data:
                changed["logo"] = "uploaded"
            elif form.cleaned_data.get("remove_logo"):
                changed["logo"] = "removed"
        elif getattr(before, name) != form.cleaned_data[name]:
            changed[name] = {"from": getattr(before, name), "to": form.cleaned_data[name]}
    if not changed:
        return []
    old_logo = before.logo.name if "logo" in changed else ""
    council = form.save(commit=False)
    if changed.get("logo") == "removed":
        council.logo = ""
    council.full_clean()
    council.save(update_fields=fields)
    if old_logo and old_logo != council.logo.name:
        storage = council.logo.storage
        transaction.on_commit(lambda: storage.delete(old_logo))
    audit_record(actor=actor, action=action, target=council.name, detail={"changed": changed})
    return list(changed)


# --- Council values --------------------------------------------------------------------------------------

def _values_in_order() -> list[CouncilValue]:
    return list(CouncilValue.objects.select_for_update().order_by("order", "name", "pk"))


def _renumber(values: list[CouncilValue]) -> None:
    """Give the values (in the order wanted) the orders 0, 1, 2, ..."""
    changed = []
    for i, value in enumerate(values):
        if value.order != i:
            value.order = i
            changed.append(value)
    if changed:
        CouncilValue.objects.bulk_update(changed, ["order"])


@transaction.atomic
def council_value_add(*, actor: User, name: str, description: str = "") -> CouncilValue:
    """A new value, last in the list."""
    values = _values_in_order()
    _renumber(values)
    value = CouncilValue(name=name.strip(), description=description.strip(), order=len(values))
    value.full_clean()
    value.save()
    audit_record(actor=actor, action="council value added", target=value.name,
                 detail={"id": value.pk, "description": value.description})
    return value


@transaction.atomic
def council_value_change(*, actor: User, value: CouncilValue, name: str, description: str = "") -> CouncilValue:
    value = CouncilValue.objects.select_for_update().get(pk=value.pk)
    before = {"name": value.name, "description": value.description}
    value.name, value.description = name.strip(), description.strip()
    changed = {f: {"from": before[f], "to": getattr(value, f)} for f in before if before[f] != getattr(value, f)}
    if changed:
        value.full_clean()
        value.save(update_fields=list(changed))
        audit_record(actor=actor, action="council value changed", target=value.name,
                     detail={"id": value.pk, "changed": changed})
    return value


@transaction.atomic
def council_value_remove(*, actor: User, value: CouncilValue) -> bool:
    """Remove a value and its tags on modules and survey questions (they themselves are kept). False if
    it was already gone (a second click)."""
    value = CouncilValue.objects.select_for_update().filter(pk=value.pk).first()
    if value is None:
        return False
    detail = {"id": value.pk, "description": value.description, **selectors.council_value_uses(value)._asdict()}
    value.delete()
    _renumber(_values_in_order())
    audit_record(actor=actor, action="council value removed", target=value.name, detail=detail)
    return True


@transaction.atomic
def council_value_move(*, actor: User, value: CouncilValue, by: int) -> None:
    """Move a value one place up (by=-1) or down (by=1); at either end it stays where it is."""
    if by not in (-1, 1):
        raise ValueError("Move by one place, up or down")
    values = _values_in_order()
    _renumber(values)
    i = next((i for i, v in enumerate(values) if v.pk == value.pk), None)
    if i is None or not 0 <= i + by < len(values):
        return
    j = i + by
    values[i], values[j] = values[j], values[i]
    _renumber(values)
    audit_record(actor=actor, action="council value moved", target=values[j].name,
                 detail={"id": value.pk, "from": i + 1, "to": j + 1})
