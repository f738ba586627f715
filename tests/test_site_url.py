"""One address for every absolute link: TANDEM_BASE_URL, which in `make run` follows TANDEM_PORT.

Invitations (emailed), sign-in slips (printed) and certificates (checked later by someone else) all
carry links people follow away from the visit that made them, so none is built from the request's host.
"""

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from django.core import mail
from django.urls import reverse

from organisation.invitations import invitations_send
from tests.factories import make_staff

ROOT = Path(__file__).resolve().parent.parent
SITE = "https://tandem.council.example"


def base_url_with(**env) -> subprocess.CompletedProcess:
    """BASE_URL as the real settings module computes it from this environment, in a fresh process."""
    clean = {k: v for k, v in os.environ.items()
             if k not in {"TANDEM_PORT", "TANDEM_BASE_URL", "DJANGO_ENV", "ALLOWED_HOSTS", "SECRET_KEY"}}
    clean.update(env, DJANGO_SETTINGS_MODULE="config.settings")
    code = "import django; django.setup(); from django.conf import settings; print(settings.BASE_URL)"
    return subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=clean, capture_output=True, text=True)


@pytest.mark.parametrize(("env", "expected"), [
    ({}, "http://127.0.0.1:8000"),
    ({"TANDEM_PORT": "8123"}, "http://127.0.0.1:8123"),
    ({"TANDEM_PORT": "8123", "TANDEM_BASE_URL": SITE + "/"}, SITE),  # an explicit address wins; no trailing slash
])
def test_base_url_follows_the_port_unless_set(env, expected):
    result = base_url_with(**env)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == expected


PRODUCTION = {"DJANGO_ENV": "production", "SECRET_KEY": "k" * 60}


@pytest.mark.parametrize(("env", "expected"), [
    ({"ALLOWED_HOSTS": "tandem.example.org,www.tandem.example.org"}, "https://tandem.example.org"),
    ({"ALLOWED_HOSTS": "tandem.example.org", "TANDEM_BASE_URL": SITE}, SITE),
])
def test_production_address_is_the_site_not_the_demo_port(env, expected):
    result = base_url_with(**PRODUCTION, TANDEM_PORT="8123", **env)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == expected


def test_production_with_a_host_pattern_needs_the_address_set():
    result = base_url_with(**PRODUCTION, ALLOWED_HOSTS=".example.org")
    assert result.returncode != 0
    assert "TANDEM_BASE_URL must be set in production" in result.stderr


def test_a_malformed_port_stops_start_up_naming_it():
    result = base_url_with(TANDEM_PORT="eighty")
    assert result.returncode != 0
    assert "TANDEM_PORT must be a whole number" in result.stderr


def test_invitation_link_uses_the_site_address(settings, org):
    settings.BASE_URL = SITE
    person = make_staff(org.finance)
    invitations_send(profile_ids=[person.pk])
    links = re.findall(r"https?://\S+", mail.outbox[0].body)
    assert len(links) == 2 and all(link == SITE or link.startswith(SITE + "/") for link in links), links


def test_sign_in_slip_uses_the_site_address_not_the_request_host(settings, client, org):
    settings.BASE_URL = SITE
    person = make_staff(org.waste, with_email=False, work_pattern="frontline")
    client.force_login(org.env_manager)
    page = client.post(reverse("organisation:sign_in_slips"), {"staff": [person.pk]}).content.decode()
    assert f"{SITE}{reverse('sign_in_code')}" in page
    assert "testserver" not in page
