"""Password reset: an address with no account gets nothing (there is no sign-up to invite anyone to),
and the page says the same whether or not the address has an account."""

import re

from django.core import mail
from django.urls import reverse


def ask_for_reset(client, email):
    return client.post(reverse("account_reset_password"), {"email": email})


def test_unknown_address_is_sent_nothing(client, org):
    response = ask_for_reset(client, "nobody@example.org")
    assert response.status_code == 302 and response["Location"] == reverse("account_reset_password_done")
    assert mail.outbox == []


def test_known_address_gets_one_reset_link(client, org):
    response = ask_for_reset(client, org.staff.email)
    assert response.status_code == 302 and response["Location"] == reverse("account_reset_password_done")
    [message] = mail.outbox
    assert message.to == [org.staff.email] and "/accounts/password/reset/key/" in message.body


def _main(response) -> str:
    page = response.content.decode()
    return re.sub(r'value="[^"]*"', "", page[page.index("<main"):page.index("</main>")])  # CSRF tokens differ


def test_the_page_does_not_say_which_addresses_have_accounts(client, org):
    unknown = _main(client.get(ask_for_reset(client, "nobody@example.org")["Location"]))
    known = _main(client.get(ask_for_reset(client, org.staff.email)["Location"]))
    assert unknown == known and "email" in unknown
