"""Rate limits behind a reverse proxy: whose address counts.

Without a trusted proxy, X-Forwarded-For is the client's own say-so and is ignored: every request
counts against REMOTE_ADDR. With TRUSTED_PROXY_COUNT=1 (nginx in front, appending the address it
saw), two people behind the proxy are limited separately, and entries a client writes into the
header itself (before the proxy's) do not let it escape its own limit. The same address keys
allauth's sign-in limit and our own (sign-in slips, certificate checks)."""

import subprocess
import sys

import pytest
from django.test import override_settings
from django.urls import reverse

from organisation.ratelimit import client_address
from tests.factories import PASSWORD
from tests.security.test_settings import ROOT

PROXY = "10.0.0.5"
ALICE, BOB = "198.51.100.7", "203.0.113.9"
behind_one_proxy = override_settings(ALLAUTH_TRUSTED_PROXY_COUNT=1, ALLAUTH_TRUSTED_CLIENT_IP_HEADER=None)


def via_proxy(client_ip, spoofed=""):
    """What gunicorn receives from nginx's `proxy_add_x_forwarded_for`: whatever the client sent,
    then the address nginx saw."""
    xff = f"{spoofed}, {client_ip}" if spoofed else client_ip
    return {"REMOTE_ADDR": PROXY, "HTTP_X_FORWARDED_FOR": xff}


def failed_sign_in(client, n, **meta):
    return client.post(reverse("account_login"), {"login": f"nobody{n}@example.org", "password": "wrong"}, **meta)


def right_sign_in(client, org, **meta):
    return client.post(reverse("account_login"), {"login": org.staff.email, "password": PASSWORD}, **meta)


def assert_signed_in(response):
    assert response.status_code == 302 and response["Location"] == reverse("home"), response.status_code


def assert_sign_in_refused(response):
    assert response.status_code == 200
    assert b"Too many failed login attempts" in response.content


# --- allauth's sign-in limit (10 failures a minute from one address) ---------------------------------

@override_settings(ALLAUTH_TRUSTED_PROXY_COUNT=0, ALLAUTH_TRUSTED_CLIENT_IP_HEADER=None)
def test_without_a_trusted_proxy_x_forwarded_for_is_ignored(client, org):
    for n in range(10):
        failed_sign_in(client, n, REMOTE_ADDR="192.0.2.1", HTTP_X_FORWARDED_FOR=f"198.51.100.{n}")
    assert_sign_in_refused(right_sign_in(client, org, REMOTE_ADDR="192.0.2.1", HTTP_X_FORWARDED_FOR="198.51.100.200"))
    assert_signed_in(right_sign_in(client, org, REMOTE_ADDR="192.0.2.2"))


@behind_one_proxy
def test_behind_a_proxy_two_people_are_limited_separately(client, org):
    for n in range(10):
        failed_sign_in(client, n, **via_proxy(ALICE))
    assert_sign_in_refused(right_sign_in(client, org, **via_proxy(ALICE)))
    assert_signed_in(right_sign_in(client, org, **via_proxy(BOB)))


@behind_one_proxy
def test_behind_a_proxy_a_spoofed_x_forwarded_for_does_not_escape_the_limit(client, org):
    for n in range(10):
        failed_sign_in(client, n, **via_proxy(ALICE, spoofed=f"192.0.2.{n}, 10.9.9.{n}"))
    assert_sign_in_refused(right_sign_in(client, org, **via_proxy(ALICE, spoofed="192.0.2.99")))


# --- Our own limits: sign-in slip codes (10 a minute) and certificate checks (30 a minute) ------------

def slip_attempt(client, org, **meta):
    return client.post(reverse("sign_in_code"), {"staff_number": org.frontline.username, "code": "AAAA-AAAA"}, **meta)


def certificate_check(client, **meta):
    return client.get(reverse("courses:certificate_verify", args=["ABCDEF123456"]), **meta)


LIMITS = [
    pytest.param(slip_attempt, 10, 200, id="sign-in slip"),
    pytest.param(lambda client, org, **meta: certificate_check(client, **meta), 30, 404, id="certificate check"),
]


@pytest.mark.parametrize("attempt, limit, ok", LIMITS)
@override_settings(ALLAUTH_TRUSTED_PROXY_COUNT=0, ALLAUTH_TRUSTED_CLIENT_IP_HEADER=None)
def test_our_limits_ignore_x_forwarded_for_without_a_trusted_proxy(client, org, attempt, limit, ok):
    statuses = [attempt(client, org, REMOTE_ADDR="192.0.2.1", HTTP_X_FORWARDED_FOR=f"198.51.100.{n}").status_code
                for n in range(limit + 1)]
    assert statuses == [ok] * limit + [429]
    assert attempt(client, org, REMOTE_ADDR="192.0.2.2").status_code == ok


@pytest.mark.parametrize("attempt, limit, ok", LIMITS)
@behind_one_proxy
def test_our_limits_behind_a_proxy_keep_people_apart_and_ignore_spoofing(client, org, attempt, limit, ok):
    statuses = [attempt(client, org, **via_proxy(ALICE, spoofed=f"192.0.2.{n}")).status_code for n in range(limit + 1)]
    assert statuses == [ok] * limit + [429]
    assert attempt(client, org, **via_proxy(BOB)).status_code == ok


# --- The address itself -------------------------------------------------------------------------------

def address_of(rf, **meta):
    return client_address(rf.get("/", **meta))


def test_client_address_is_remote_addr_by_default(rf, settings):
    settings.ALLAUTH_TRUSTED_PROXY_COUNT, settings.ALLAUTH_TRUSTED_CLIENT_IP_HEADER = 0, None
    assert address_of(rf, REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR=ALICE) == PROXY


def test_client_address_counts_trusted_proxies_from_the_right(rf, settings):
    settings.ALLAUTH_TRUSTED_PROXY_COUNT, settings.ALLAUTH_TRUSTED_CLIENT_IP_HEADER = 2, None
    # client-written entry, the client as the outer proxy saw it, the outer proxy as the inner one saw it
    assert address_of(rf, REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR=f"192.0.2.1, {ALICE}, 10.0.0.9") == ALICE


def test_client_address_from_a_header_the_proxy_sets(rf, settings):
    settings.ALLAUTH_TRUSTED_PROXY_COUNT, settings.ALLAUTH_TRUSTED_CLIENT_IP_HEADER = 0, "X-Real-IP"
    assert address_of(rf, REMOTE_ADDR=PROXY, HTTP_X_REAL_IP=BOB, HTTP_X_FORWARDED_FOR=ALICE) == BOB


def test_an_ipv6_client_counts_as_its_slash_64(rf, settings):
    settings.ALLAUTH_TRUSTED_PROXY_COUNT, settings.ALLAUTH_TRUSTED_CLIENT_IP_HEADER = 0, None
    assert address_of(rf, REMOTE_ADDR="2001:db8:1:2:aaaa::1") == address_of(rf, REMOTE_ADDR="2001:db8:1:2:bbbb::2")
    assert address_of(rf, REMOTE_ADDR="2001:db8:1:2::1") != address_of(rf, REMOTE_ADDR="2001:db8:1:3::1")


def load(**env):
    code = ("import django, os; os.environ['DJANGO_SETTINGS_MODULE']='config.settings'; django.setup(); "
            "from django.conf import settings as s; "
            "print(s.ALLAUTH_TRUSTED_PROXY_COUNT, s.ALLAUTH_TRUSTED_CLIENT_IP_HEADER)")
    return subprocess.run([sys.executable, "-c", code], cwd=ROOT, env={"PATH": "/usr/bin:/bin", **env},
                          capture_output=True, text=True)


def test_the_proxy_settings_come_from_the_environment():
    assert load().stdout.split() == ["0", "None"]
    assert load(TRUSTED_PROXY_COUNT="1").stdout.split() == ["1", "None"]
    assert load(TRUSTED_CLIENT_IP_HEADER="X-Real-IP").stdout.split() == ["0", "X-Real-IP"]
    both = load(TRUSTED_PROXY_COUNT="1", TRUSTED_CLIENT_IP_HEADER="X-Real-IP")
    assert both.returncode != 0 and "not both" in both.stderr
