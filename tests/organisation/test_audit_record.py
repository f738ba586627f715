"""The audit log names who did something the same way every time: "Full Name (username)", the
username alone for someone without a name, and "system" for work nobody signed in did."""

from django.contrib.auth.models import AnonymousUser

from organisation.services import audit_record
from tests.factories import make_staff


def test_a_person_is_named_with_their_username(org):
    event = audit_record(actor=org.hr, action="did something", target="it", detail={"n": 1})
    assert (event.actor, event.actor_label, event.action, event.target, event.detail) == (
        org.hr, f"{org.hr.get_full_name()} ({org.hr.username})", "did something", "it", {"n": 1})


def test_someone_without_a_name_is_their_username(org):
    nameless = make_staff(org.finance, first="", last=" ").user
    nameless.last_name = ""
    nameless.save()
    event = audit_record(actor=nameless, action="did something")
    assert event.actor_label == f"{nameless.username} ({nameless.username})"


def test_nobody_signed_in_is_the_system(db):
    for actor in (None, AnonymousUser()):
        event = audit_record(actor=actor, action="ran at night")
        assert (event.actor, event.actor_label, event.target, event.detail) == (None, "system", "", {})
