"""Assigning modules, assignments and team progress (courses.views.assignments).

The object: a module assigned by HR to Waste Collection (inside the manager's scope, outside the other
manager's). The manager can see it but did not make it, so may not withdraw it (403)."""

from datetime import date

from courses.models import Assignment, Module
from tests.security.rules.common import GET_ONLY, MANAGERS_AND_HR, everyone, only

IN_SCOPE = {**only(MANAGERS_AND_HR), "other_manager": 404}

RULES = {
    "courses:assign": (None, only(MANAGERS_AND_HR)),
    "courses:assignments": (None, only(MANAGERS_AND_HR)),
    "courses:assignment": ("assignment", IN_SCOPE),
    "courses:assignment_progress": ("assignment", IN_SCOPE),
    "courses:assignment_withdraw": ("assignment", {**IN_SCOPE, "manager": 403}),  # seen, not theirs to undo
    "courses:assignment_retry": ("assignment", everyone(405)),  # POST only
    "courses:team": (None, only(MANAGERS_AND_HR)),
    "courses:team_export": (None, only(MANAGERS_AND_HR)),
}

# POST, with an empty form: who may act (a form shown again with errors is 200; an action done, 302).
ACTED = {**IN_SCOPE, "hr": 302, "admin": 302, "manager": 403}  # seen by the manager, not theirs to undo
POST_RULES = {
    "courses:assign": only(MANAGERS_AND_HR),
    "courses:assignments": GET_ONLY,
    "courses:assignment": GET_ONLY,
    "courses:assignment_progress": GET_ONLY,
    "courses:assignment_withdraw": ACTED,
    "courses:assignment_retry": ACTED,
    "courses:team": GET_ONLY,
    "courses:team_export": GET_ONLY,
}


def objects(org) -> dict:
    module = Module.objects.create(slug="matrix-module", title="Matrix module", summary="s", confidence_question="q",
                                   published=True)
    assignment = Assignment.objects.create(module=module, target=Assignment.Target.DEPARTMENT, department=org.waste,
                                           due_date=date(2030, 1, 1), created_by=org.hr,
                                           status=Assignment.Status.APPLIED)
    return {"assignment": {"pk": assignment.pk}}
