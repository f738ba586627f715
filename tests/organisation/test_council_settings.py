"""Admins edit the council's settings and values; bad input gets field errors."""

from django.urls import reverse

from organisation.models import AuditEvent, CouncilSettings, CouncilValue, contrast_with_white


def form_data(**overrides):
    data = {"name": "Northmere", "colour": "#17577a", "min_group_size": "5", "min_comment_group_size": "10",
            "values-TOTAL_FORMS": "1", "values-INITIAL_FORMS": "0", "values-MIN_NUM_FORMS": "0",
            "values-MAX_NUM_FORMS": "1000", "values-0-name": "Open and honest",
            "values-0-description": "We explain what we do.", "values-0-order": "1"}
    data.update(overrides)
    return data


def test_admin_saves_settings_and_values(client, org):
    client.force_login(org.admin)
    response = client.post(reverse("organisation:settings"), form_data())
    assert response.status_code == 302
    council = CouncilSettings.load()
    assert (council.name, council.colour, council.min_group_size) == ("Northmere", "#17577a", 5)
    assert list(CouncilValue.objects.values_list("name", flat=True)) == ["Open and honest"]
    assert AuditEvent.objects.filter(action="council settings changed").count() == 1


def test_minimum_group_below_three_is_refused(client, org):
    client.force_login(org.admin)
    response = client.post(reverse("organisation:settings"), form_data(min_group_size="2"))
    assert response.status_code == 200
    assert b"There is a problem" in response.content
    assert CouncilSettings.load().min_group_size == 5


def test_comment_threshold_below_minimum_group_is_refused(client, org):
    client.force_login(org.admin)
    response = client.post(reverse("organisation:settings"), form_data(min_group_size="8", min_comment_group_size="6"))
    assert b"cannot be below the minimum group" in response.content


def test_light_colour_is_refused_for_contrast(client, org):
    client.force_login(org.admin)
    response = client.post(reverse("organisation:settings"), form_data(colour="#ffdd00"))
    assert b"hard to read" in response.content
    assert CouncilSettings.load().colour != "#ffdd00"


def test_contrast_ratio():
    assert round(contrast_with_white("#000000"), 1) == 21.0
    assert round(contrast_with_white("#ffffff"), 1) == 1.0


def test_theme_css_uses_the_council_colour(client, db):
    CouncilSettings.objects.update_or_create(pk=1, defaults={"colour": "#17577a"})
    css = client.get(reverse("theme_css")).content.decode()
    assert "--council-colour: #17577a" in css


def test_hr_cannot_change_settings(client, org):
    client.force_login(org.hr)
    assert client.post(reverse("organisation:settings"), form_data(name="Hacked")).status_code == 403
    assert CouncilSettings.load().name != "Hacked"
