"""Readiness (managers for their own departments, HR for all), its weights (admins) and a member of staff's
page (managers for their own departments' staff, HR for all): adoption.views."""

from tests.security.rules.common import GET_ONLY, MANAGERS_AND_HR, only

ADMINS = {"admin"}

RULES = {
    "adoption:readiness": (None, only(MANAGERS_AND_HR)),
    # A department outside a manager's scope is 404, the same as one that does not exist.
    "adoption:readiness_department": ("readiness_department", {**only(MANAGERS_AND_HR), "other_manager": 404}),
    "adoption:weights": (None, only(ADMINS)),
    # Someone outside a manager's departments is 404, the same as nobody ("staff" is the frontline
    # member of staff in Waste Collection, from the matrix's own objects).
    "adoption:staff": ("staff", {**only(MANAGERS_AND_HR), "other_manager": 404}),
}

POST_RULES = {
    "adoption:readiness": GET_ONLY,
    "adoption:readiness_department": GET_ONLY,
    "adoption:weights": only(ADMINS),  # an empty form is shown again with its errors
    "adoption:staff": GET_ONLY,
}


def objects(org):
    return {"readiness_department": {"pk": org.waste.pk}}
