"""Error pages (config/views.py, config/middleware.py) with DEBUG off, as in production: each in the
site frame (menu for a signed-in user, footer) with a plain message and a way back; a 403 logs one
line without a traceback; the 500 page needs no database; the favicon is found."""

import logging

import pytest
from django.conf import settings
from django.contrib.staticfiles import finders
from django.test import RequestFactory
from django.urls import reverse

from config import views

FRAME = ('<nav aria-label="Menu"', "Privacy notice", "Accessibility statement")


def _in_frame(html: str) -> bool:
    return all(part in html for part in FRAME)


def test_debug_is_off():
    assert settings.DEBUG is False  # the handlers below are only used when it is


def test_404_outside_a_managers_scope_is_the_framed_page(client, org):
    client.force_login(org.res_manager)  # Resources' manager; Waste Collection is in Environment
    response = client.get(reverse("organisation:department", kwargs={"pk": org.waste.pk}))
    html = response.content.decode()
    assert response.status_code == 404
    assert _in_frame(html)
    assert "<h1 class=\"govuk-heading-l\">Page not found</h1>" in html
    assert "Waste" not in html.split('id="main-content"')[1]  # says nothing about what is there
    assert f'href="{reverse("home")}">Go to your home page</a>' in html


def test_404_for_someone_signed_out_offers_the_sign_in_page(client, db):
    response = client.get("/no-such-page/")
    html = response.content.decode()
    assert response.status_code == 404
    assert "Page not found" in html and "Privacy notice" in html
    assert "Go to the sign-in page" in html


def test_403_is_framed_and_logs_one_line_without_a_traceback(client, org, caplog):
    client.force_login(org.staff)
    with caplog.at_level(logging.INFO):
        response = client.get(reverse("organisation:import"))
    html = response.content.decode()
    assert response.status_code == 403
    assert _in_frame(html)
    assert "You cannot use this page" in html and "Go to your home page" in html
    forbidden = [r for r in caplog.records if r.levelno >= logging.WARNING]
    assert [r.getMessage() for r in forbidden] == [f"Forbidden: GET /organisation/import/ (user {org.staff.pk})"]
    assert all(r.exc_info is None for r in caplog.records)


@pytest.mark.parametrize(("method", "name", "allow"), [
    ("get", "organisation:sign_in_slips", "POST"),  # a button's address typed in
    ("post", "privacy", "GET"),
])
def test_405_is_framed_and_keeps_the_allow_header(client, org, method, name, allow):
    client.force_login(org.env_manager)
    response = getattr(client, method)(reverse(name))
    html = response.content.decode()
    assert response.status_code == 405
    assert response["Allow"] == allow
    assert _in_frame(html)
    assert "This page cannot be used that way" in html and "Nothing was changed" in html


@pytest.mark.urls("tests.error_urls")
def test_500_is_the_static_page(client, org):
    client.force_login(org.staff)
    client.raise_request_exception = False
    response = client.get("/broken-on-purpose/")
    html = response.content.decode()
    assert response.status_code == 500
    assert "Sorry, there is a problem with the service" in html
    assert 'href="/">Go to your home page</a>' in html


def test_500_page_renders_without_the_database():
    # No `db` fixture: pytest-django refuses any query here, as a broken database would.
    response = views.server_error(RequestFactory().get("/anything/"))
    assert response.status_code == 500
    assert "Sorry, there is a problem with the service" in response.content.decode()


def test_favicon_is_linked_and_served(client, db):
    assert finders.find("tandem/favicon.svg")
    response = client.get("/favicon.ico")
    assert response.status_code == 301
    assert response["Location"].endswith("tandem/favicon.svg")
    assert 'rel="icon"' in client.get(reverse("accessibility")).content.decode()


def test_a_form_sent_with_a_stale_token_gets_the_framed_page_and_what_to_do(org, caplog):
    from tests.clients import Client

    client = Client(enforce_csrf_checks=True)
    client.force_login(org.hr)
    with caplog.at_level(logging.WARNING, logger="tandem.forbidden"):
        response = client.post(reverse("adoption:reports"), {"format": "pdf"})
    html = response.content.decode()
    assert response.status_code == 403
    assert _in_frame(html) and "Your form could not be sent" in html and "Nothing was saved" in html
    assert [r.getMessage() for r in caplog.records if r.name == "tandem.forbidden"][0].startswith("CSRF refused: POST")
    assert all(r.exc_info is None for r in caplog.records)
