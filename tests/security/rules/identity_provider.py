"""Sign-in with the council's identity provider (allauth's openid_connect provider, always installed).

The matrix runs with no provider configured: its pages do not exist (404) for anyone. With one
configured, the flow is tested in tests/organisation/test_oidc.py."""

from tests.security.rules.common import everyone

RULES = {
    "openid_connect_login": ("identity_provider", everyone(404)),
    "openid_connect_callback": ("identity_provider", everyone(404)),
}


def objects(org) -> dict:
    return {"identity_provider": {"provider_id": "entra"}}


# With no provider configured, posting to its pages finds nothing either.
POST_RULES = {
    "openid_connect_login": everyone(404),
    "openid_connect_callback": everyone(404),
}
