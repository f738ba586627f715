"""The optional GOV.UK Notify email backend (issue 13). Notify is outside our walls, so it is replaced at
the network edge by a small HTTP server on loopback that answers as Notify does; the real client
(notifications-python-client) makes real HTTP requests to it. Checked: the personalisation, reference and
one-click unsubscribe link Notify receives, and that Notify's errors become send failures the outbox
retries."""

import json
import threading
import uuid
from datetime import date
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.core.mail import EmailMultiAlternatives

from adoption import services_nudges as services
from adoption.models import Outbox
from adoption.notify_backend import NotifyEmailBackend, NotifyRejected, NotifyUnavailable
from courses.models import Enrolment, Module

TEMPLATE = str(uuid.uuid4())


class FakeNotify:
    def __init__(self):
        self.requests = []
        self.answers = []  # (status, body) to give, in turn; then 201
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                fake.requests.append({"path": self.path, "auth": self.headers.get("Authorization", ""),
                                      "json": body})
                status, answer = fake.answers.pop(0) if fake.answers else (201, {"id": str(uuid.uuid4())})
                data = json.dumps(answer).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def stop(self):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def notify(settings):
    fake = FakeNotify()
    settings.EMAIL_BACKEND = "adoption.notify_backend.NotifyEmailBackend"
    settings.NOTIFY_API_KEY = f"tandem_test-{uuid.uuid4()}-{uuid.uuid4()}"
    settings.NOTIFY_TEMPLATE_ID = TEMPLATE
    settings.NOTIFY_BASE_URL = fake.url
    yield fake
    fake.stop()


def error(status, message):
    return status, {"status_code": status, "errors": [{"error": "Error", "message": message}]}


def test_it_is_off_unless_configured(settings):
    settings.NOTIFY_API_KEY = ""
    settings.NOTIFY_TEMPLATE_ID = ""
    with pytest.raises(ImproperlyConfigured):
        NotifyEmailBackend()


def test_a_message_goes_to_notify_with_subject_and_body_as_personalisation(notify):
    message = EmailMultiAlternatives("Your Council: a reminder", "Hello Sam,\n\nWhy you got this: because.",
                                     to=["sam@example.org"],
                                     headers={"X-Tandem-Outbox": "42",
                                              "List-Unsubscribe": "<https://tandem.example/u/abc/>"})
    message.attach_alternative("<p>Hello</p>", "text/html")
    assert NotifyEmailBackend().send_messages([message]) == 1
    [request] = notify.requests
    assert request["path"] == "/v2/notifications/email"
    assert request["auth"].startswith("Bearer ")
    assert request["json"] == {
        "email_address": "sam@example.org", "template_id": TEMPLATE, "reference": "42",
        "personalisation": {"subject": "Your Council: a reminder", "body": "Hello Sam,\n\nWhy you got this: because."},
        "one_click_unsubscribe_url": "https://tandem.example/u/abc/"}


def test_notify_errors_are_raised_or_counted_when_failing_silently(notify):
    message = EmailMultiAlternatives("s", "b", to=["sam@example.org"])
    notify.answers = [error(400, "email_address Not a valid email address"), error(500, "Internal server error")]
    with pytest.raises(NotifyRejected, match="400 .*Not a valid email address"):
        NotifyEmailBackend().send_messages([message])
    with pytest.raises(NotifyUnavailable):
        NotifyEmailBackend().send_messages([message])
    notify.answers = [error(400, "bad")]
    assert NotifyEmailBackend(fail_silently=True).send_messages([message]) == 0


@pytest.mark.django_db
def test_through_the_outbox_a_notify_failure_is_retried_then_sent(org, notify):
    module = Module.objects.create(slug="using-ai-safely", title="Using AI safely at work", summary="s",
                                   confidence_question="q", published=True)
    Enrolment.objects.create(profile=org.staff.profile, module=module, due_date=date(2026, 12, 7))
    services.nudges_plan(today=date(2026, 12, 3))
    row = Outbox.objects.get()

    notify.answers = [error(503, "Service unavailable")]
    result = services.outbox_send(ids=[row.pk])
    row.refresh_from_db()
    assert result.retry == [row.pk] and result.sent == []
    assert (row.status, row.attempts) == ("queued", 1)
    assert "NotifyUnavailable" in row.last_error and "503" in row.last_error

    Outbox.objects.filter(pk=row.pk).update(next_attempt_at=None)  # its next try has come
    assert services.outbox_send(ids=[row.pk]).sent == [row.pk]
    row.refresh_from_db()
    assert row.status == "sent"
    sent = notify.requests[-1]["json"]
    assert sent["email_address"] == org.staff.email and sent["reference"] == str(row.pk)
    assert sent["personalisation"] == {"subject": row.email_subject, "body": row.text}
    assert "/notifications/unsubscribe/" in sent["one_click_unsubscribe_url"]


@pytest.mark.django_db
def test_a_message_notify_refuses_fails_after_its_attempts(org, notify, settings):
    settings.NUDGE_SEND_MAX_ATTEMPTS = 1
    module = Module.objects.create(slug="m", title="M", summary="s", confidence_question="q", published=True)
    Enrolment.objects.create(profile=org.staff.profile, module=module, due_date=date(2026, 12, 7))
    services.nudges_plan(today=date(2026, 12, 3))
    row = Outbox.objects.get()
    notify.answers = [error(400, "Can't send to this recipient using a team-only API key")]
    assert services.outbox_send(ids=[row.pk]).failed == [row.pk]
    row.refresh_from_db()
    assert row.status == "failed" and "team-only API key" in row.last_error
