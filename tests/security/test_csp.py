"""The Content-Security-Policy on real pages: exactly the policy we mean (no 'unsafe-inline', nothing
extra), with a fresh nonce per response that every <script> tag carries."""

import re

import pytest
from django.urls import reverse

from surveys import services
from tests.surveys.conftest import make_survey, make_wave

EXPECTED = {
    "default-src": ["'self'"],
    "script-src": ["'self'", "'nonce-{nonce}'"],
    "style-src": ["'self'"],
    "img-src": ["'self'", "data:"],
    "font-src": ["'self'"],
    "connect-src": ["'self'"],
    "frame-ancestors": ["'none'"],
    "form-action": ["'self'"],
    "base-uri": ["'self'"],
    "object-src": ["'none'"],
}


def policy(response) -> dict[str, list[str]]:
    header = response.headers["Content-Security-Policy"]
    parts = [p.split() for p in header.split(";") if p.strip()]
    directives = {p[0]: p[1:] for p in parts}
    assert len(directives) == len(parts), f"a directive is repeated: {header}"
    return directives


def nonce_of(directives) -> str:
    [source] = [s for s in directives["script-src"] if s.startswith("'nonce-")]
    return source.removeprefix("'nonce-").removesuffix("'")


def check_page(response) -> str:
    assert response.status_code == 200
    assert "Content-Security-Policy-Report-Only" not in response.headers
    directives = policy(response)
    nonce = nonce_of(directives)
    assert len(nonce) >= 16
    assert directives == {k: [s.format(nonce=nonce) for s in v] for k, v in EXPECTED.items()}
    scripts = re.findall(r"<script\b[^>]*>", response.content.decode())
    assert scripts, "the page should load its scripts"
    for tag in scripts:
        assert re.search(r'\bsrc="/static/', tag), f"inline or foreign script: {tag}"
        assert re.search(r'\bnonce="([^"]*)"', tag).group(1) == nonce, tag
    return nonce


@pytest.mark.django_db
def test_sign_in_page_policy_and_nonces(client):
    first = check_page(client.get(reverse("account_login")))
    second = check_page(client.get(reverse("account_login")))
    assert first != second  # a fresh nonce for every response


def test_signed_in_page_policy_and_nonces(client, org):
    client.force_login(org.staff)
    check_page(client.get(reverse("home")))


def test_survey_page_with_its_own_module_script(client, org):
    wave = services.wave_open(wave_id=make_wave(make_survey()).pk)
    client.force_login(org.staff)
    response = client.get(reverse("surveys:answer", kwargs={"wave_id": wave.pk}))
    nonce = check_page(response)
    assert f'src="/static/tandem/survey.mjs" nonce="{nonce}"' in response.content.decode()


# --- The Django admin's own policy (config/csp.py) -----------------------------------------------------

ADMIN_EXPECTED = {**EXPECTED, "script-src": ["'self'", "'unsafe-inline'"], "style-src": ["'self'", "'unsafe-inline'"]}


def test_admin_change_page_has_the_admin_policy_and_nothing_looser(client, org):
    client.force_login(org.admin)  # with the MFA step, as a real sign-in
    for url in (reverse("admin:organisation_user_change", args=[org.admin.pk]),
                reverse("admin:django_celery_beat_periodictask_add"),
                reverse("admin:index")):
        response = client.get(url)
        assert response.status_code == 200, url
        assert policy(response) == ADMIN_EXPECTED, url  # no nonce: it would make browsers ignore 'unsafe-inline'


def test_the_admin_policy_stops_at_the_admin_path(client, org):
    """Pages next to the admin, the admin's own sign-in (allauth's) and an admin user's ordinary pages
    keep the strict policy, exactly."""
    client.force_login(org.admin)
    check_page(client.get(reverse("home")))
    client.logout()
    response = client.get(reverse("admin:index"), follow=True)  # to allauth's sign-in page
    assert response.redirect_chain and not response.request["PATH_INFO"].startswith(reverse("admin:index"))
    check_page(response)


def test_a_lookalike_path_is_not_the_admin(client, org, settings):
    """Only the admin's own prefix gets its policy: '/django-admin-x/' is not '/django-admin/'."""
    response = client.get("/" + settings.ADMIN_PATH.rstrip("/") + "-x/")
    assert response.status_code == 404
    assert "'unsafe-inline'" not in response.headers["Content-Security-Policy"]
