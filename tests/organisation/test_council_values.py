"""Admins keep the council's values as a list: add, change, move up or down, and remove after a page
saying what is tagged with it (modules and survey questions keep existing). Bad input gets field errors
and saves nothing; every change is audited; HR can do none of it."""

import pytest
from django.urls import reverse

from courses.models import Module
from organisation.models import AuditEvent, CouncilSettings, CouncilValue
from surveys.models import Question, Section, Survey

BRANDING = reverse("organisation:settings_branding")
THRESHOLDS = reverse("organisation:settings_thresholds")
SIGN_IN = reverse("organisation:settings_sign_in")
VALUES = reverse("organisation:settings_values")
VALUE_NEW = reverse("organisation:value_new")


@pytest.fixture
def admin(client, org):
    client.force_login(org.admin)
    return client


def events(action):
    return list(AuditEvent.objects.filter(action=action))


# --- The list ------------------------------------------------------------------------------------------

def names():
    return list(CouncilValue.objects.order_by("order").values_list("name", flat=True))


@pytest.fixture
def three(db):
    return [CouncilValue.objects.create(name=n, order=i) for i, n in enumerate(["Open", "Fair", "Kind"])]


def test_values_page_has_no_order_box_and_no_delete_box(admin, three):
    html = admin.get(VALUES).content.decode()
    assert "Open" in html and "Kind" in html
    assert 'name="order"' not in html and "DELETE" not in html and 'type="checkbox"' not in html
    assert html.count(">Move up<") == 2 and html.count(">Move down<") == 2


def test_add_a_value_goes_last_and_is_audited(admin, three):
    response = admin.post(VALUE_NEW, {"name": "  Listening   to residents ", "description": "We ask first."})
    value = CouncilValue.objects.get(name="Listening to residents")
    assert response["Location"] == f"{VALUES}#value-{value.pk}"
    assert names() == ["Open", "Fair", "Kind", "Listening to residents"]
    [event] = events("council value added")
    assert event.target == "Listening to residents" and event.detail["description"] == "We ask first."


@pytest.mark.parametrize(("name", "message"), [("", "Enter the value."), ("open", "already has a value with this name")])
def test_bad_value_shows_a_field_error_and_saves_nothing(admin, three, name, message):
    html = admin.post(VALUE_NEW, {"name": name}).content.decode()
    assert "There is a problem" in html and 'href="#id_name"' in html and message in html
    assert CouncilValue.objects.count() == 3 and AuditEvent.objects.count() == 0


def test_change_a_value(admin, three):
    response = admin.post(reverse("organisation:value_edit", args=[three[1].pk]),
                          {"name": "Fair to all", "description": "Everyone."})
    assert response.status_code == 302
    assert names() == ["Open", "Fair to all", "Kind"]
    [event] = events("council value changed")
    assert event.detail["changed"] == {"name": {"from": "Fair", "to": "Fair to all"},
                                       "description": {"from": "", "to": "Everyone."}}


def test_changing_a_value_to_another_values_name_is_refused(admin, three):
    url = reverse("organisation:value_edit", args=[three[1].pk])
    html = admin.post(url, {"name": "KIND"}).content.decode()
    assert "already has a value with this name" in html and "Change “Fair”" in html
    assert names() == ["Open", "Fair", "Kind"]
    assert admin.post(url, {"name": "Fair"}).status_code == 302  # its own name is fine
    assert AuditEvent.objects.count() == 0  # and changes nothing


def test_a_value_that_does_not_exist_is_404(admin):
    for name in ("value_edit", "value_remove"):
        assert admin.get(reverse(f"organisation:{name}", args=[999])).status_code == 404
    assert admin.post(reverse("organisation:value_move", args=[999]), {"direction": "up"}).status_code == 404


def test_remove_confirmation_says_what_is_tagged(admin, three):
    value = three[0]
    for i in range(2):
        Module.objects.create(slug=f"m{i}", title=f"Module {i}", summary="s", confidence_question="q").values.add(value)
    survey = Survey.objects.create(title="Pulse")
    section = Section.objects.create(survey=survey, title="S")
    Question.objects.create(survey=survey, section=section, text="Q", type=Question.Type.AGREE5).values.add(value)
    url = reverse("organisation:value_remove", args=[value.pk])
    html = admin.get(url).content.decode()
    assert "It is tagged on 2 modules and 1 survey question." in html
    assert CouncilValue.objects.filter(pk=value.pk).exists()  # a GET removes nothing

    response = admin.post(url)
    assert response["Location"] == VALUES
    assert names() == ["Fair", "Kind"]
    assert Module.objects.count() == 2 and Question.objects.count() == 1  # the tagged things are kept
    assert list(CouncilValue.objects.values_list("order", flat=True).order_by("order")) == [0, 1]
    [event] = events("council value removed")
    assert event.target == "Open" and event.detail["modules"] == 2 and event.detail["survey_questions"] == 1
    assert admin.post(url).status_code == 404  # already gone


def test_remove_confirmation_for_an_untagged_value(admin, three):
    html = admin.get(reverse("organisation:value_remove", args=[three[2].pk])).content.decode()
    assert "No module or survey question is tagged with it." in html


def test_move_up_and_down(admin, three):
    move = reverse("organisation:value_move", args=[three[2].pk])
    response = admin.post(move, {"direction": "up"})
    assert response["Location"] == f"{VALUES}#value-{three[2].pk}"
    assert names() == ["Open", "Kind", "Fair"]
    admin.post(move, {"direction": "up"})
    assert names() == ["Kind", "Open", "Fair"]
    admin.post(move, {"direction": "up"})  # already first: stays, nothing audited
    assert names() == ["Kind", "Open", "Fair"]
    admin.post(reverse("organisation:value_move", args=[three[0].pk]), {"direction": "down"})
    assert names() == ["Kind", "Fair", "Open"]
    assert [(e.detail["from"], e.detail["to"]) for e in events("council value moved")] == [(2, 3), (2, 1), (3, 2)]


def test_move_tidies_ties_left_by_the_admin(admin, db):
    a, b, c = (CouncilValue.objects.create(name=n, order=0) for n in ("A", "B", "C"))  # all order 0: by name
    admin.post(reverse("organisation:value_move", args=[b.pk]), {"direction": "down"})
    assert names() == ["A", "C", "B"]


def test_move_needs_a_direction(admin, three):
    response = admin.post(reverse("organisation:value_move", args=[three[0].pk]), {"direction": "sideways"}, follow=True)
    assert "Choose to move it up or down." in response.content.decode()
    assert names() == ["Open", "Fair", "Kind"] and AuditEvent.objects.count() == 0


def test_move_is_post_only(admin, three):
    assert admin.get(reverse("organisation:value_move", args=[three[0].pk])).status_code == 405


# --- Admins only ---------------------------------------------------------------------------------------------

def test_hr_cannot_change_settings_or_values(client, org, three):
    client.force_login(org.hr)
    assert client.post(BRANDING, {"name": "Hacked", "colour": "#17577a"}).status_code == 403
    assert client.post(THRESHOLDS, {"min_group_size": "3", "min_comment_group_size": "3"}).status_code == 403
    assert client.post(SIGN_IN, {"trust_idp_mfa": "yes"}).status_code == 403
    assert client.post(VALUE_NEW, {"name": "Hacked"}).status_code == 403
    assert client.post(reverse("organisation:value_remove", args=[three[0].pk])).status_code == 403
    assert client.post(reverse("organisation:value_move", args=[three[0].pk]), {"direction": "down"}).status_code == 403
    council = CouncilSettings.load()
    assert (council.name, council.min_group_size, council.trust_idp_mfa) == ("Your Council", 5, False)
    assert names() == ["Open", "Fair", "Kind"] and AuditEvent.objects.count() == 0
