"""New staff with a work email are invited to choose a password; the link verifies their email."""

import re

from allauth.account.models import EmailAddress
from django.core import mail
from django.urls import reverse

from organisation.invitations import invitations_send
from tests.factories import make_staff


def test_invitation_sent_once(org):
    person = make_staff(org.finance)
    person.user.set_unusable_password()
    person.user.save()
    assert invitations_send(profile_ids=[person.pk, org.frontline.profile.pk]) == 1  # frontline: no email
    assert invitations_send(profile_ids=[person.pk]) == 0
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == [person.user.email]
    person.refresh_from_db()
    assert person.invited_at is not None


def test_invitation_link_sets_password_and_verifies_email(client, org):
    person = make_staff(org.finance)
    EmailAddress.objects.filter(user=person.user).update(verified=False)
    invitations_send(profile_ids=[person.pk])
    link = re.search(r"http://\S+", mail.outbox[0].body).group(0)
    path = link.split("127.0.0.1:8000", 1)[1]
    response = client.get(path)  # allauth moves the key into the session and redirects
    assert response.status_code == 302
    response = client.post(response["Location"], {"password1": "a-fine-new-password", "password2": "a-fine-new-password"})
    assert response.status_code == 302
    assert EmailAddress.objects.get(user=person.user).verified
    response = client.post(reverse("account_login"), {"login": person.user.email, "password": "a-fine-new-password"})
    assert response.status_code == 302 and response["Location"] == reverse("home")
