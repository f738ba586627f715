"""The test client the `client` fixture gives (tests/conftest.py).

`force_login` stands for a whole sign-in, as a real one by that person would end: for an account with
an authenticator, that includes the MFA step, which allauth records in the session. Without the
record, organisation.middleware sends HR and admins to the authenticator step first. A test of a
session that has *not* completed MFA says so: `client.force_login(user, mfa=False)`.
"""

from allauth.account.internal.flows.login import (
    _AUTHENTICATION_METHODS_USER_SESSION_KEY,
    AUTHENTICATION_METHODS_SESSION_KEY,
)
from allauth.mfa.models import Authenticator
from django.test import Client as DjangoClient


def record_mfa(client, user) -> None:
    """Write allauth's record of a completed MFA step into the client's session, as allauth's own
    `record_authentication` does after a correct code."""
    auth = Authenticator.objects.filter(user=user).order_by("type").first()
    session = client.session
    session[_AUTHENTICATION_METHODS_USER_SESSION_KEY] = str(user.pk)
    session[AUTHENTICATION_METHODS_SESSION_KEY] = [
        {"method": "password", "at": 0},
        {"method": "mfa", "at": 0, "id": auth.pk if auth else None, "type": auth.type if auth else "totp"},
    ]
    session.save()


class Client(DjangoClient):
    def force_login(self, user, backend=None, *, mfa=True):
        super().force_login(user, backend)
        if mfa and Authenticator.objects.filter(user=user).exists():
            record_mfa(self, user)
