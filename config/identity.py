"""Sign-in with the council's identity provider: Microsoft Entra ID or any OpenID Connect provider.

Read from the environment by `config.settings` (and by the tests, with the address of a provider they
run themselves). The rules it enforces, because a wrong setting here hands out accounts:

- Single tenant only. Entra ID's shared endpoints (`common`, `organizations`, `consumers`) accept
  people from *any* tenant, whose administrators can put any address in a user's `mail` attribute
  (the "nOAuth" problem). Only the council's own tenant endpoint is accepted.
- An email is trusted to find a Tandem account only if the provider says `email_verified: true`, or
  its domain is one of the council's own (`*_EMAIL_DOMAINS`; for Entra ID, domains verified in the
  council's tenant, where only the council's administrators can assign them). Entra ID sends no
  `email_verified`, so without the domains no Entra ID sign-in finds an account.
- Entra ID is configured as an OpenID Connect provider (its v2 endpoint); allauth's Microsoft Graph
  provider, used before, is refused at start-up with directions (it never found an account).
- The sign-in form posts to Tandem, which redirects to the provider; browsers apply the CSP
  `form-action` directive to that redirect, so the provider's origin is added there.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from django.core.exceptions import ImproperlyConfigured

# Entra ID's endpoints shared by every tenant: never accepted (see above).
SHARED_TENANTS = {"common", "organizations", "consumers"}
LOCAL_HOSTS = {"127.0.0.1", "localhost", "::1"}


@dataclass
class IdentitySettings:
    providers: dict = field(default_factory=dict)  # SOCIALACCOUNT_PROVIDERS
    form_action: list[str] = field(default_factory=list)  # origins for CSP form-action


def _domains(env: Mapping[str, str], name: str) -> list[str]:
    raw = env.get(name, "")
    domains = [d.strip().lower().lstrip("@") for d in raw.split(",") if d.strip()]
    for domain in domains:
        if "." not in domain or "@" in domain or "/" in domain:
            raise ImproperlyConfigured(f"{name}: '{domain}' is not an email domain (e.g. northmere.gov.uk)")
    return domains


def _tenant_is_shared(tenant: str) -> bool:
    return tenant.strip().lower() in SHARED_TENANTS


def identity_settings(env: Mapping[str, str], *, production: bool) -> IdentitySettings:
    result = IdentitySettings()

    server_url = env.get("OIDC_SERVER_URL", "").strip()
    client_id = env.get("OIDC_CLIENT_ID", "").strip()
    if server_url or client_id:
        if not (server_url and client_id):
            raise ImproperlyConfigured("Set both OIDC_SERVER_URL and OIDC_CLIENT_ID (or neither)")
        url = urlsplit(server_url)
        if url.scheme != "https" and (production or url.hostname not in LOCAL_HOSTS):
            raise ImproperlyConfigured("OIDC_SERVER_URL must be an https:// address")
        if production and not env.get("OIDC_CLIENT_SECRET", "").strip():
            raise ImproperlyConfigured("OIDC_CLIENT_SECRET must be set (the app registration's client secret)")
        first_segment = url.path.strip("/").split("/")[0]
        if _tenant_is_shared(first_segment):
            raise ImproperlyConfigured(
                "OIDC_SERVER_URL must be your own tenant's endpoint, "
                "https://login.microsoftonline.com/YOUR-TENANT-ID/v2.0, not a shared one "
                f"('{first_segment}' lets any organisation's users in)"
            )
        result.providers["openid_connect"] = {
            "OAUTH_PKCE_ENABLED": True,
            "APPS": [{
                "provider_id": env.get("OIDC_PROVIDER_ID", "entra").strip() or "entra",
                "name": env.get("OIDC_NAME", "Microsoft").strip() or "Microsoft",
                "client_id": client_id,
                "secret": env.get("OIDC_CLIENT_SECRET", ""),
                "settings": {
                    "server_url": server_url,
                    # allauth: addresses in these domains count as verified (organisation.adapters).
                    "verified_email": _domains(env, "OIDC_EMAIL_DOMAINS"),
                },
            }],
        }
        result.form_action.append(f"{url.scheme}://{url.netloc}")

    if env.get("MICROSOFT_CLIENT_ID", "").strip():
        # The Microsoft Graph provider these configured never found an account (Graph gives no
        # verified email) and could not be tested here; Entra ID is now reached through its OpenID
        # Connect endpoint, the one path the tests drive end to end.
        raise ImproperlyConfigured(
            "MICROSOFT_CLIENT_ID is no longer used. Set OIDC_SERVER_URL="
            "https://login.microsoftonline.com/YOUR-TENANT-ID/v2.0, OIDC_CLIENT_ID, OIDC_CLIENT_SECRET and "
            "OIDC_EMAIL_DOMAINS, and change the app's redirect URI to "
            "https://YOUR-HOST/accounts/oidc/entra/login/callback/ (README, 'Microsoft Entra ID')"
        )
    return result
