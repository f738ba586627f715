"""Admins change the council's settings one group per page (the overview, branding, reporting thresholds,
sign-in): bad input gets field errors and saves nothing; every change is audited, before and after.
The values list is tested in test_council_values.py."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image

from organisation.models import AuditEvent, CouncilSettings, CouncilValue, contrast_with_white

SETTINGS = reverse("organisation:settings")
BRANDING = reverse("organisation:settings_branding")
THRESHOLDS = reverse("organisation:settings_thresholds")
SIGN_IN = reverse("organisation:settings_sign_in")
VALUES = reverse("organisation:settings_values")
VALUE_NEW = reverse("organisation:value_new")


@pytest.fixture
def admin(client, org):
    client.force_login(org.admin)
    return client


def branding(**overrides):
    return {"name": "Northmere", "colour": "#17577a", **overrides}


def png(colour="red") -> SimpleUploadedFile:
    buf = io.BytesIO()
    Image.new("RGB", (8, 8), colour).save(buf, "PNG")
    return SimpleUploadedFile("logo.png", buf.getvalue(), content_type="image/png")


def events(action):
    return list(AuditEvent.objects.filter(action=action))


# --- The overview ------------------------------------------------------------------------------------------

def test_overview_lists_each_group_with_its_values_and_a_change_link(admin):
    CouncilSettings.objects.update_or_create(pk=1, defaults={"name": "Northmere", "min_group_size": 6})
    CouncilValue.objects.create(name="Listening to residents", order=0)
    html = admin.get(SETTINGS).content.decode()
    for title in ("Branding", "Reporting thresholds", "Sign-in", "Council values", "Readiness weights"):
        assert f'<h2 class="govuk-summary-card__title">{title}</h2>' in html
    for url in (BRANDING, THRESHOLDS, SIGN_IN, VALUES, reverse("adoption:weights")):
        assert f'href="{url}">Change' in html
    assert "Northmere" in html and "6 people" in html and "Listening to residents" in html
    assert "<form" not in html.split('id="main-content"')[1]  # nothing to fill in here: each group has its page


def test_overview_takes_no_post(admin):
    assert admin.post(SETTINGS, {"name": "X"}).status_code == 405


@pytest.mark.parametrize("url", [SETTINGS, BRANDING, THRESHOLDS, SIGN_IN, VALUES, VALUE_NEW])
def test_every_page_is_marked_council_settings_in_the_menu(admin, url):
    html = admin.get(url).content.decode()
    current = "page" if url == SETTINGS else "true"
    assert f'tandem-subnav__link" href="{SETTINGS}" aria-current="{current}">Council settings<' in html


@pytest.mark.parametrize("url", [SETTINGS, BRANDING, THRESHOLDS, SIGN_IN, VALUES, VALUE_NEW])
def test_hr_may_not_see_the_pages(client, org, url):
    client.force_login(org.hr)
    assert client.get(url).status_code == 403


# --- Branding ----------------------------------------------------------------------------------------------

def test_branding_saves_and_audits_before_and_after(admin):
    response = admin.post(BRANDING, branding())
    assert response.status_code == 302 and response["Location"] == SETTINGS
    council = CouncilSettings.load()
    assert (council.name, council.colour) == ("Northmere", "#17577a")
    [event] = events("council branding changed")
    assert event.detail == {"changed": {"name": {"from": "Your Council", "to": "Northmere"},
                                        "colour": {"from": "#1d4f76", "to": "#17577a"}}}


def test_branding_unchanged_saves_nothing_and_audits_nothing(admin):
    CouncilSettings.objects.update_or_create(pk=1, defaults={"name": "Northmere", "colour": "#17577a"})
    response = admin.post(BRANDING, branding(), follow=True)
    assert "Nothing was changed." in response.content.decode()
    assert AuditEvent.objects.count() == 0


def test_light_colour_is_refused_for_contrast(admin):
    response = admin.post(BRANDING, branding(colour="#ffdd00", name="Renamed"))
    html = response.content.decode()
    assert response.status_code == 200 and "There is a problem" in html
    assert 'href="#id_colour"' in html and "hard to read" in html and "govuk-input--error" in html
    council = CouncilSettings.load()
    assert (council.colour, council.name) == ("#1d4f76", "Your Council")  # nothing saved, not even the name
    assert AuditEvent.objects.count() == 0


@pytest.mark.parametrize("colour", ["blue", "#12345", "#gggggg"])
def test_colour_must_be_six_hex_digits(admin, colour):
    html = admin.post(BRANDING, branding(colour=colour)).content.decode()
    assert "Enter a colour as # and six hex digits" in html
    assert CouncilSettings.load().colour == "#1d4f76"


def test_empty_name_is_refused(admin):
    html = admin.post(BRANDING, branding(name="")).content.decode()
    assert 'href="#id_name"' in html
    assert CouncilSettings.load().name == "Your Council"


def test_logo_upload_replace_and_remove(admin, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    assert admin.post(BRANDING, {**branding(), "logo": png()}).status_code == 302
    first = CouncilSettings.load().logo.name
    assert first and (tmp_path / first).exists()
    assert admin.get(reverse("council_logo")).status_code == 200
    assert 'name="remove_logo"' in admin.get(BRANDING).content.decode()

    with django_on_commit():
        admin.post(BRANDING, {**branding(), "logo": png("blue")})
    second = CouncilSettings.load().logo.name
    assert second != first and not (tmp_path / first).exists()  # the old file is not left behind

    with django_on_commit():
        admin.post(BRANDING, {**branding(), "remove_logo": "on"})
    assert not CouncilSettings.load().logo and not (tmp_path / second).exists()
    assert [e.detail["changed"]["logo"] for e in events("council branding changed")] == ["removed", "uploaded", "uploaded"]


def test_logo_that_is_not_an_image_is_refused(admin, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    bad = SimpleUploadedFile("logo.png", b"not an image", content_type="image/png")
    html = admin.post(BRANDING, {**branding(name="Renamed"), "logo": bad}).content.decode()
    assert 'href="#id_logo"' in html
    assert not CouncilSettings.load().logo and CouncilSettings.load().name == "Your Council"


def test_upload_and_remove_at_once_is_refused(admin, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    admin.post(BRANDING, {**branding(), "logo": png()})
    html = admin.post(BRANDING, {**branding(), "logo": png("blue"), "remove_logo": "on"}).content.decode()
    assert 'href="#id_remove_logo"' in html


def django_on_commit():
    """Run on_commit callbacks (the old logo's deletion) inside the test's transaction."""
    from django.test import TestCase

    return TestCase.captureOnCommitCallbacks(execute=True)


def test_contrast_ratio():
    assert round(contrast_with_white("#000000"), 1) == 21.0
    assert round(contrast_with_white("#ffffff"), 1) == 1.0


def test_theme_css_uses_the_council_colour(client, db):
    CouncilSettings.objects.update_or_create(pk=1, defaults={"colour": "#17577a"})
    css = client.get(reverse("theme_css")).content.decode()
    assert "--council-colour: #17577a" in css


# --- Reporting thresholds ------------------------------------------------------------------------------------

def test_thresholds_page_says_when_a_change_applies(admin):
    html = admin.get(THRESHOLDS).content.decode()
    assert "Each survey wave fixes both numbers when it opens" in html


def test_thresholds_save_and_audit(admin):
    response = admin.post(THRESHOLDS, {"min_group_size": "6", "min_comment_group_size": "12"})
    assert response.status_code == 302
    council = CouncilSettings.load()
    assert (council.min_group_size, council.min_comment_group_size) == (6, 12)
    [event] = events("reporting thresholds changed")
    assert event.detail["changed"] == {"min_group_size": {"from": 5, "to": 6},
                                       "min_comment_group_size": {"from": 10, "to": 12}}


@pytest.mark.parametrize(("data", "field", "message"), [
    ({"min_group_size": "2", "min_comment_group_size": "10"}, "min_group_size", "greater than or equal to 3"),
    ({"min_group_size": "8", "min_comment_group_size": "6"}, "min_comment_group_size", "cannot be below the minimum group"),
    ({"min_group_size": "five", "min_comment_group_size": "10"}, "min_group_size", "as a whole number"),
    ({"min_group_size": "", "min_comment_group_size": "10"}, "min_group_size", "Enter the minimum group"),
])
def test_bad_thresholds_show_field_errors_and_save_nothing(admin, data, field, message):
    response = admin.post(THRESHOLDS, data)
    html = response.content.decode()
    assert response.status_code == 200 and "There is a problem" in html
    assert f'href="#id_{field}"' in html and f'id="id_{field}-error"' in html and message in html
    council = CouncilSettings.load()
    assert (council.min_group_size, council.min_comment_group_size) == (5, 10)
    assert AuditEvent.objects.count() == 0


# --- Sign-in -------------------------------------------------------------------------------------------------

def test_trusting_the_identity_providers_mfa_is_saved_and_audited(admin):
    assert admin.post(SIGN_IN, {"trust_idp_mfa": "yes"}).status_code == 302
    assert CouncilSettings.load().trust_idp_mfa is True
    [event] = events("sign-in setting changed")
    assert event.detail["changed"] == {"trust_idp_mfa": {"from": False, "to": True}}
    assert admin.post(SIGN_IN, {"trust_idp_mfa": "no"}).status_code == 302
    assert CouncilSettings.load().trust_idp_mfa is False


def test_sign_in_needs_a_choice(admin):
    CouncilSettings.objects.update_or_create(pk=1, defaults={"trust_idp_mfa": True})
    html = admin.post(SIGN_IN, {}).content.decode()
    assert 'href="#id_trust_idp_mfa"' in html and "Choose whether to trust" in html
    assert CouncilSettings.load().trust_idp_mfa is True


def test_sign_in_page_shows_the_current_choice(admin):
    CouncilSettings.objects.update_or_create(pk=1, defaults={"trust_idp_mfa": True})
    html = admin.get(SIGN_IN).content.decode()
    assert 'value="yes" checked' in html and 'value="no" checked' not in html
