"""Who may sign in how (DESIGN.md, "Sign-in slips" and "MFA"). One place for three rules:

- **Protected accounts**: an account with a privileged role (HR, content author, superuser, staff
  status) or with an authenticator never uses a sign-in slip, and the staff import never changes its
  email. Whoever holds a slip or controls the HR file must not be able to become such a person.
- **MFA is per session**: where MFA is required (`roles.needs_mfa`, outside demo mode) the session
  itself must have completed it; an authenticator on the account is not enough, because a session
  can begin without it (a slip, a password reset, a role given after sign-in). allauth records each
  step of a sign-in in the session (`account_authentication_methods`, for this user only); an "mfa"
  record there is the proof, written by allauth's own sign-in step, by our step for sessions that
  began some other way (organisation.views.sign_in_authenticator), and when an authenticator is
  set up (organisation.signals).
- Entra ID's own MFA stands in for ours only for a session that began with Entra ID, and only when
  the council trusts it.
"""

from allauth.account.internal.flows.login import get_authentication_records
from allauth.mfa.models import Authenticator
from django.db.models import Exists, OuterRef, Q

from organisation.models import User
from organisation.roles import AUTHOR_GROUP, HR_GROUP

PRIVILEGED_ROLE = "has an HR, content author or admin role"
HAS_AUTHENTICATOR = "has an authenticator app"

_PRIVILEGED = Q(is_superuser=True) | Q(is_staff=True) | Q(groups__name__in=[HR_GROUP, AUTHOR_GROUP])


def protected_reasons(user_ids=None) -> dict[int, str]:
    """Why each protected account is protected (user id -> reason), among `user_ids` or all users.
    Two queries however many people."""
    users, with_authenticator = User.objects.all(), Authenticator.objects.all()
    if user_ids is not None:
        user_ids = list(user_ids)
        users, with_authenticator = users.filter(pk__in=user_ids), with_authenticator.filter(user_id__in=user_ids)
    reasons = dict.fromkeys(with_authenticator.values_list("user_id", flat=True), HAS_AUTHENTICATOR)
    reasons.update(dict.fromkeys(users.filter(_PRIVILEGED).values_list("pk", flat=True), PRIVILEGED_ROLE))
    return reasons


def protected_reason(user) -> str | None:
    """Why this account may not use a slip nor have its email changed by the import; None if it may."""
    return protected_reasons([user.pk]).get(user.pk)


def is_protected_expression(user_field: str = "user") -> Exists:
    """For annotating a queryset whose `user_field` points at a User: True for protected accounts."""
    privileged = User.objects.filter(pk=OuterRef(user_field)).filter(_PRIVILEGED)
    return Exists(privileged) | Exists(Authenticator.objects.filter(user_id=OuterRef(user_field)))


def has_authenticator(user) -> bool:
    return Authenticator.objects.filter(user=user).exists()


def completed_mfa(request) -> bool:
    """True when this session's sign-in, for the user now signed in, includes a completed MFA step."""
    return any(r.get("method") == "mfa" for r in get_authentication_records(request, request.user))


def signed_in_with_trusted_idp(request) -> bool:
    """True when this session began with Entra ID and the council trusts Entra ID's own MFA."""
    from organisation.models import CouncilSettings

    records = get_authentication_records(request, request.user)
    via_idp = any(r.get("method") == "socialaccount" for r in records)
    return via_idp and CouncilSettings.load().trust_idp_mfa
