from django.conf import settings

from organisation import roles
from organisation.models import CouncilSettings


def tandem(request):
    council = getattr(request, "_council", None)
    if council is None:
        council = CouncilSettings.load()
        request._council = council
    user = request.user
    return {
        "council": council,
        "demo_mode": settings.DEMO_MODE,
        "site_url": settings.BASE_URL,  # for absolute links people read or type (sign-in slips)
        "admin_path": "/" + settings.ADMIN_PATH,
        "role": {
            "hr": roles.is_hr(user),
            "admin": roles.is_admin(user),
            "author": roles.is_author(user),
            "manager": roles.is_manager(user),
        },
    }
