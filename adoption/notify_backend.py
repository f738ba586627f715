"""An optional Django email backend that sends through GOV.UK Notify (notifications-python-client).

Off unless configured: set EMAIL_BACKEND=adoption.notify_backend.NotifyEmailBackend, NOTIFY_API_KEY and
NOTIFY_TEMPLATE_ID (an email template whose subject is ((subject)) and whose body is ((body))). Each
message is sent once a recipient with personalisation {subject, body} (the plain-text version: Notify
builds its own HTML from the template), the outbox row's id as the reference, and the RFC 8058 one-click
unsubscribe link when the message has one.

Errors: Notify being unreachable or failing on its side (no answer, 5xx, 429) raises NotifyUnavailable,
an OSError, so the outbox stops the batch and retries it later, as with an SMTP server that is down.
Notify refusing a message (4xx) raises NotifyRejected: that row's attempt fails and is retried with
backoff, then marked failed with Notify's reason for HR to see.
"""

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.core.mail.backends.base import BaseEmailBackend
from notifications_python_client.errors import APIError, HTTPError
from notifications_python_client.notifications import NotificationsAPIClient

DEFAULT_BASE_URL = "https://api.notifications.service.gov.uk"


class NotifyUnavailable(OSError):
    """Notify did not answer, or failed on its side: try the batch again later."""


class NotifyRejected(Exception):
    """Notify refused this message (a 4xx answer)."""


def _error(exc: APIError) -> Exception:
    status = getattr(exc, "status_code", None)
    text = f"GOV.UK Notify: {status} {exc.message}"
    if isinstance(exc, HTTPError) and (status is None or status >= 500 or status == 429):
        return NotifyUnavailable(text)
    return NotifyRejected(text)


class NotifyEmailBackend(BaseEmailBackend):
    def __init__(self, fail_silently=False, **kwargs):
        super().__init__(fail_silently=fail_silently, **kwargs)
        self.api_key = getattr(settings, "NOTIFY_API_KEY", "")
        self.template_id = getattr(settings, "NOTIFY_TEMPLATE_ID", "")
        self.base_url = getattr(settings, "NOTIFY_BASE_URL", "") or DEFAULT_BASE_URL
        if not (self.api_key and self.template_id):
            raise ImproperlyConfigured("The GOV.UK Notify email backend needs NOTIFY_API_KEY and NOTIFY_TEMPLATE_ID.")
        self.client = None

    def open(self):
        if self.client is None:
            self.client = NotificationsAPIClient(self.api_key, base_url=self.base_url)
            return True
        return False

    def close(self):
        self.client = None

    def send_messages(self, email_messages):
        if not email_messages:
            return 0
        self.open()
        sent = 0
        for message in email_messages:
            try:
                self._send(message)
            except (NotifyUnavailable, NotifyRejected):
                if not self.fail_silently:
                    raise
            else:
                sent += 1
        return sent

    def _send(self, message):
        headers = message.extra_headers or {}
        unsubscribe = headers.get("List-Unsubscribe", "").strip().strip("<>") or None
        reference = headers.get("X-Tandem-Outbox") or None
        for address in message.recipients():
            try:
                self.client.send_email_notification(
                    email_address=address, template_id=self.template_id,
                    personalisation={"subject": message.subject, "body": message.body},
                    reference=reference, one_click_unsubscribe_url=unsubscribe)
            except APIError as exc:
                raise _error(exc) from exc
