"""A small OpenID Connect provider on 127.0.0.1, standing in for Microsoft Entra ID in tests.

It implements what allauth's `openid_connect` provider uses, over real HTTP: discovery, an
authorisation endpoint that approves at once (redirecting back with a one-time code and the state),
a token endpoint that checks the client's id and secret, the code and the redirect URI and returns an
RS256 id_token signed with a key generated for the run, the key set (JWKS), and userinfo.

Who "signs in" is set by the test: `provider.person = {"sub": ..., "email": ..., ...}` before the
browser (or test client) reaches the authorisation endpoint. The claims are those Entra ID's v2
endpoint sends (`tid`, `oid`, `preferred_username`, `email`, names); `email_verified` is sent only if
the test puts it in.
"""

from __future__ import annotations

import base64
import hashlib
import json
import secrets
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlencode, urlsplit

import jwt
from cryptography.hazmat.primitives.asymmetric import rsa
from jwt.algorithms import RSAAlgorithm

CLIENT_ID = "tandem-test-client"
CLIENT_SECRET = "tandem-test-secret"  # noqa: S105 (a test fixture's value)
TENANT_ID = "11111111-2222-3333-4444-555555555555"


class LocalOIDCProvider:
    def __init__(self):
        self._key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        self._kid = secrets.token_hex(8)
        self._codes: dict[str, dict] = {}
        self._tokens: dict[str, dict] = {}
        self._lock = threading.Lock()
        self.person: dict | None = None
        self.token_requests: list[dict] = []
        self.id_token_overrides: dict = {}  # e.g. {"iss": another tenant's issuer}
        provider = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):  # keep test output quiet
                pass

            def do_GET(self):
                provider._get(self)

            def do_POST(self):
                provider._post(self)

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.origin = f"http://127.0.0.1:{self._server.server_address[1]}"
        self.issuer = f"{self.origin}/{TENANT_ID}/v2.0"
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    def __enter__(self):
        self._thread.start()
        return self

    def __exit__(self, *exc):
        self._server.shutdown()
        self._server.server_close()

    # --- endpoints -----------------------------------------------------------------------------

    def _get(self, h):
        url = urlsplit(h.path)
        query = {k: v[0] for k, v in parse_qs(url.query).items()}
        base = f"/{TENANT_ID}"
        if url.path == f"{base}/v2.0/.well-known/openid-configuration":
            return _json(h, 200, {
                "issuer": self.issuer,
                "authorization_endpoint": f"{self.origin}{base}/oauth2/v2.0/authorize",
                "token_endpoint": f"{self.origin}{base}/oauth2/v2.0/token",
                "userinfo_endpoint": f"{self.origin}/oidc/userinfo",
                "jwks_uri": f"{self.origin}{base}/discovery/v2.0/keys",
                "response_types_supported": ["code"],
                "subject_types_supported": ["pairwise"],
                "id_token_signing_alg_values_supported": ["RS256"],
                "token_endpoint_auth_methods_supported": ["client_secret_post", "client_secret_basic"],
                "scopes_supported": ["openid", "profile", "email", "offline_access"],
            })
        if url.path == f"{base}/discovery/v2.0/keys":
            jwk = RSAAlgorithm.to_jwk(self._key.public_key(), as_dict=True)
            return _json(h, 200, {"keys": [{**jwk, "kid": self._kid, "use": "sig", "alg": "RS256"}]})
        if url.path == f"{base}/oauth2/v2.0/authorize":
            return self._authorize(h, query)
        if url.path == "/oidc/userinfo":
            token = h.headers.get("Authorization", "").removeprefix("Bearer ")
            with self._lock:
                person = self._tokens.get(token)
            if person is None:
                return _json(h, 401, {"error": "invalid_token"})
            # Entra ID's userinfo has only the standard claims; `tid`, `oid`, `xms_edov` etc. are in the id_token.
            userinfo = {"sub", "name", "given_name", "family_name", "email", "email_verified", "picture"}
            return _json(h, 200, {k: v for k, v in person.items() if k in userinfo})
        return _json(h, 404, {"error": "not_found"})

    def _authorize(self, h, query):
        # Auto-approve: the person set by the test has "signed in" at the provider.
        if query.get("client_id") != CLIENT_ID or query.get("response_type") != "code" or self.person is None:
            return _json(h, 400, {"error": "invalid_request"})
        code = secrets.token_urlsafe(24)
        with self._lock:
            self._codes[code] = {"person": dict(self.person), "redirect_uri": query["redirect_uri"],
                                 "nonce": query.get("nonce"), "code_challenge": query.get("code_challenge")}
        back = query["redirect_uri"] + "?" + urlencode({"code": code, "state": query.get("state", "")})
        h.send_response(302)
        h.send_header("Location", back)
        h.end_headers()

    def _post(self, h):
        url = urlsplit(h.path)
        if url.path != f"/{TENANT_ID}/oauth2/v2.0/token":
            return _json(h, 404, {"error": "not_found"})
        length = int(h.headers.get("Content-Length", 0))
        form = {k: v[0] for k, v in parse_qs(h.rfile.read(length).decode()).items()}
        self.token_requests.append(form)
        if form.get("client_id") != CLIENT_ID or form.get("client_secret") != CLIENT_SECRET:
            return _json(h, 401, {"error": "invalid_client"})
        with self._lock:
            grant = self._codes.pop(form.get("code", ""), None)  # a code works once
        if form.get("grant_type") != "authorization_code" or grant is None \
                or grant["redirect_uri"] != form.get("redirect_uri"):
            return _json(h, 400, {"error": "invalid_grant"})
        if grant["code_challenge"] and grant["code_challenge"] != _s256(form.get("code_verifier", "")):
            return _json(h, 400, {"error": "invalid_grant", "error_description": "PKCE verifier does not match"})
        person = grant["person"]
        access_token = secrets.token_urlsafe(24)
        with self._lock:
            self._tokens[access_token] = person
        now = int(time.time())
        claims = {"iss": self.issuer, "aud": CLIENT_ID, "iat": now, "nbf": now, "exp": now + 3600,
                  "tid": TENANT_ID, **person}
        if grant["nonce"]:
            claims["nonce"] = grant["nonce"]
        claims.update(self.id_token_overrides)
        id_token = jwt.encode(claims, self._key, algorithm="RS256", headers={"kid": self._kid})
        return _json(h, 200, {"token_type": "Bearer", "access_token": access_token, "expires_in": 3600,
                              "scope": "openid profile email", "id_token": id_token})

    # --- helpers for tests -----------------------------------------------------------------------

    def env(self, **extra) -> dict[str, str]:
        """The environment an operator would set for this provider (README, "Microsoft Entra ID")."""
        return {"OIDC_SERVER_URL": self.issuer, "OIDC_CLIENT_ID": CLIENT_ID, "OIDC_CLIENT_SECRET": CLIENT_SECRET,
                **extra}


def _s256(verifier: str) -> str:
    digest = hashlib.sha256(verifier.encode()).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode()


def _json(h, status: int, body: dict) -> None:
    data = json.dumps(body).encode()
    h.send_response(status)
    h.send_header("Content-Type", "application/json")
    h.send_header("Content-Length", str(len(data)))
    h.end_headers()
    h.wfile.write(data)


def person(user, **claims) -> dict:
    """Entra ID's claims for a Tandem user: `sub` and `oid` stable per person, the work email."""
    return {"sub": f"sub-{user.pk}", "oid": f"oid-{user.pk}", "email": user.email,
            "preferred_username": user.email, "name": user.get_full_name(),
            "given_name": user.first_name, "family_name": user.last_name, **claims}


def settings_from_env(monkeypatch, env: dict[str, str]):
    """A fresh copy of `config.settings` as it reads `env` (on top of the test's environment)."""
    import importlib.util

    import config.settings

    for name, value in env.items():
        monkeypatch.setenv(name, value)
    spec = importlib.util.spec_from_file_location("_tandem_settings_probe", config.settings.__file__)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def use_provider(settings, monkeypatch, provider: LocalOIDCProvider, **env) -> None:
    """Configure Tandem for `provider` exactly as `config.settings` does from the operator's
    environment (pytest-django's `settings` fixture restores everything after the test)."""
    probe = settings_from_env(monkeypatch, provider.env(**env))
    settings.SOCIALACCOUNT_PROVIDERS = probe.SOCIALACCOUNT_PROVIDERS
    settings.CONTENT_SECURITY_POLICY = probe.CONTENT_SECURITY_POLICY
