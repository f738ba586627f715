"""The mark the survey pages give answers saved in the browser: one per person and session, so a draft
does not outlive the session it was written in (tests/e2e/test_survey_drafts.py plays it in a browser)."""

import re

from django.test import Client
from django.urls import reverse

from tests.surveys.conftest import make_survey
from tests.surveys.test_answering_views import open_wave


def _owner(client, url) -> str:
    return re.search(r'data-draft-owner="([0-9a-f]{20})"', client.get(url).content.decode()).group(1)


def test_the_draft_owner_is_per_session_and_stable_within_one(org):
    wave = open_wave(make_survey())
    url = reverse("surveys:answer", args=[wave.pk])
    first, second = Client(), Client()
    first.force_login(org.frontline)
    second.force_login(org.frontline)
    assert _owner(first, url) == _owner(first, url) == _owner(first, reverse("surveys:my_surveys"))
    assert _owner(second, url) != _owner(first, url)  # the same person in another session
    session_key = first.session.session_key
    assert session_key not in _owner(first, url) and str(org.frontline.pk) != _owner(first, url)
