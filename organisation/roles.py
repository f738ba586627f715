"""Roles, decided in one place.

- staff: everyone with a profile;
- manager: manages one or more departments (sees those and everything beneath them);
- HR / adoption lead: the whole organisation (group "HR");
- content author: writes modules (group "Content author");
- admin: configures the council (superuser); an admin can do everything HR can.

Line management is recorded but grants no visibility (DESIGN.md).
"""

from django.contrib.auth.models import AnonymousUser

HR_GROUP = "HR"
AUTHOR_GROUP = "Content author"


def _groups(user) -> frozenset[str]:
    # Cached on the user object: one query a request however many checks a page makes.
    cached = getattr(user, "_tandem_groups", None)
    if cached is None:
        cached = frozenset(user.groups.values_list("name", flat=True)) if user.is_authenticated else frozenset()
        user._tandem_groups = cached
    return cached


def is_admin(user) -> bool:
    return bool(user.is_authenticated and user.is_active and user.is_superuser)


def is_hr(user) -> bool:
    return is_admin(user) or (user.is_authenticated and user.is_active and HR_GROUP in _groups(user))


def is_author(user) -> bool:
    return is_admin(user) or (user.is_authenticated and user.is_active and AUTHOR_GROUP in _groups(user))


def is_manager(user) -> bool:
    if not (user.is_authenticated and user.is_active):
        return False
    cached = getattr(user, "_tandem_is_manager", None)
    if cached is None:
        cached = user.managed_departments.exists()
        user._tandem_is_manager = cached
    return cached


def needs_mfa(user) -> bool:
    """HR, admins and anyone who can open the Django admin (e.g. content authors given staff status)
    must have an authenticator app before they see any other page."""
    return is_hr(user) or bool(user.is_authenticated and user.is_staff)


def role_labels(user) -> list[str]:
    if isinstance(user, AnonymousUser) or not user.is_authenticated:
        return []
    labels = []
    if is_admin(user):
        labels.append("Admin")
    if is_hr(user):
        labels.append("HR / adoption lead")
    if is_author(user):
        labels.append("Content author")
    if is_manager(user):
        labels.append("Manager")
    if hasattr(user, "profile"):
        labels.append("Staff")
    return labels
