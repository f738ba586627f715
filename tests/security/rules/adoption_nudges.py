"""Nudges: a person's notifications (everyone signed in), the unsubscribe link (anyone holding it: the
signed token is the proof, and RFC 8058's one-click POST comes with no session), HR's nudge settings and
outbox: adoption.views_nudges."""

from datetime import date

from tests.security.rules.common import GET_ONLY, HR, MANAGERS_AND_HR, everyone, only, signed_in

RULES = {
    "adoption:notifications": (None, signed_in(200)),
    "adoption:unsubscribe": ("unsubscribe", everyone(200)),
    "adoption:nudge_settings": (None, only(HR)),
    "adoption:outbox": (None, only(HR)),
    "adoption:outbox_resend": ("outbox_row", everyone(405)),  # POST only
    "adoption:team_remind": (None, everyone(405)),  # POST only
}

POST_RULES = {
    "adoption:notifications": everyone(302),  # saved (or sent to sign in), then back to the page
    "adoption:unsubscribe": everyone(200),  # the "reminders stopped" page
    "adoption:nudge_settings": only(HR),  # an empty form is shown again with its errors
    "adoption:outbox": GET_ONLY,
    "adoption:outbox_resend": only(HR, status=302),
    "adoption:team_remind": only(MANAGERS_AND_HR, status=302),  # nobody chosen: back, with a message
}


def objects(org):
    from adoption.models import Outbox
    from adoption.services_nudges import unsubscribe_token

    row = Outbox.objects.create(
        profile=org.staff.profile, rule="overdue", subject="module:m", period="overdue-2026-11-30-1",
        planned_on=date(2026, 12, 3), status="failed", why="because 'M' was due on 30 November",
        to=org.staff.email, email_subject="M is overdue", text="t", html="<p>t</p>", last_error="refused")
    return {"unsubscribe": {"token": unsubscribe_token(org.staff.profile.pk, "inactive")},
            "outbox_row": {"pk": row.pk}}
