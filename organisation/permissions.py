"""View guards built on organisation.roles: anonymous people are sent to sign in (302); signed-in
people without the role get 403. Objects outside a user's scope are 404 (organisation.scoping)."""

from functools import wraps

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied

from organisation import roles


def role_required(check):
    def decorator(view):
        @wraps(view)
        def wrapped(request, *args, **kwargs):
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            if not check(request.user):
                raise PermissionDenied
            return view(request, *args, **kwargs)

        return wrapped

    return decorator


hr_required = role_required(roles.is_hr)
admin_required = role_required(roles.is_admin)
author_required = role_required(roles.is_author)
manager_or_hr_required = role_required(lambda u: roles.is_manager(u) or roles.is_hr(u))
