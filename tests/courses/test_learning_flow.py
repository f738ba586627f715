"""Staff learning: My learning (assigned with due dates and status, then optional modules for their
audience), a module's page, starting with the confidence question, moving through lessons, and
resuming in the right place on another device."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from courses.models import Enrolment, Module
from tests.courses.conftest import answers_for, enrolment_of, lesson_url, lessons, load_small_module, start, submit

MY_LEARNING = reverse("courses:learning_home")


def assign(user, module, *, due_in_days=14, **fields):
    """What the assignments code does for each person an assignment covers."""
    return Enrolment.objects.create(profile=user.profile, module=module,
                                    due_date=timezone.localdate() + timedelta(days=due_in_days), **fields)


def module_url(module):
    return reverse("courses:learning_module", args=[module.slug])


# --- My learning -------------------------------------------------------------------------------------

def test_my_learning_lists_assigned_modules_with_due_date_and_status(client, org, small_module):
    assign(org.staff, small_module, due_in_days=10)
    client.force_login(org.staff)
    page = client.get(MY_LEARNING).content.decode()
    assert "Assigned to you" in page
    assert small_module.title in page
    due = (timezone.localdate() + timedelta(days=10)).strftime("%-d %B %Y")
    assert f"Due {due}" in page
    assert "Not started" in page


@pytest.mark.parametrize(("due_in_days", "status", "expected"), [
    (-1, Enrolment.Status.NOT_STARTED, "Overdue"),
    (-30, Enrolment.Status.IN_PROGRESS, "Overdue"),
    (0, Enrolment.Status.NOT_STARTED, "Not started"),  # due today is not yet overdue
    (5, Enrolment.Status.IN_PROGRESS, "In progress"),
    (-5, Enrolment.Status.COMPLETED, "Completed"),  # done late is done
])
def test_status_and_overdue(client, org, small_module, due_in_days, status, expected):
    assign(org.staff, small_module, due_in_days=due_in_days, status=status,
           completed_at=timezone.now() if status == Enrolment.Status.COMPLETED else None)
    client.force_login(org.staff)
    response = client.get(MY_LEARNING)
    item = next(i for i in response.context["learning"].assigned if i.module == small_module)
    assert item.status_label == expected
    assert f">{expected}</strong>" in response.content.decode()
    assert (expected == "Overdue") == bool(response.context["learning"].overdue)


def test_overdue_modules_get_a_warning_on_my_learning_and_home(client, org, small_module):
    assign(org.staff, small_module, due_in_days=-3)
    client.force_login(org.staff)
    assert "1 module is past its due date" in client.get(MY_LEARNING).content.decode()
    home = client.get(reverse("home")).content.decode()
    assert "1 module is overdue" in home
    assert small_module.title in home


def test_optional_modules_are_published_ones_for_my_audience(client, org, tmp_path):
    everyone = load_small_module(tmp_path, "01-for-everyone")
    managers = load_small_module(tmp_path, "02-for-managers", audience="managers")
    hidden = load_small_module(tmp_path, "03-not-published")
    Module.objects.filter(pk=hidden.pk).update(published=False)

    client.force_login(org.staff)
    optional = [i.module for i in client.get(MY_LEARNING).context["learning"].optional]
    assert optional == [everyone]
    assert client.get(module_url(managers)).status_code == 404
    assert client.get(module_url(hidden)).status_code == 404

    client.force_login(org.env_manager)
    optional = [i.module for i in client.get(MY_LEARNING).context["learning"].optional]
    assert optional == [everyone, managers]
    assert client.get(module_url(managers)).status_code == 200
    assert client.get(module_url(hidden)).status_code == 404


def test_assigned_modules_are_not_repeated_as_optional(client, org, small_module):
    assign(org.staff, small_module)
    client.force_login(org.staff)
    learning = client.get(MY_LEARNING).context["learning"]
    assert [i.module for i in learning.assigned] == [small_module]
    assert learning.optional == []


def test_a_managers_module_assigned_to_a_non_manager_is_theirs_to_do(client, org, managers_module):
    assign(org.staff, managers_module)
    client.force_login(org.staff)
    assert [i.module for i in client.get(MY_LEARNING).context["learning"].assigned] == [managers_module]
    assert client.get(module_url(managers_module)).status_code == 200


def test_unpublished_module_is_404_even_when_assigned(client, org, small_module):
    assign(org.staff, small_module)
    Module.objects.filter(pk=small_module.pk).update(published=False)
    client.force_login(org.staff)
    assert client.get(module_url(small_module)).status_code == 404
    assert client.get(lesson_url(lessons(small_module)[0])).status_code == 404
    assert client.get(MY_LEARNING).context["learning"].assigned == []


def test_unknown_module_and_lesson_are_404(client, org, small_module):
    client.force_login(org.staff)
    assert client.get(reverse("courses:learning_module", args=["no-such-module"])).status_code == 404
    start(client, small_module)
    url = reverse("courses:learning_lesson", args=[small_module.slug, "no-such-lesson"])
    assert client.get(url).status_code == 404


def test_retired_lesson_is_404(client, org, small_module):
    client.force_login(org.staff)
    start(client, small_module)
    retired = lessons(small_module)[1]
    retired.retired = True
    retired.save()
    assert client.get(lesson_url(retired)).status_code == 404


def test_people_see_only_their_own_enrolments(client, org, small_module):
    assign(org.frontline, small_module, due_in_days=-2)  # Dave's overdue module
    client.force_login(org.staff)
    learning = client.get(MY_LEARNING).context["learning"]
    assert learning.assigned == [] and learning.overdue == []
    assert [i.enrolment for i in learning.optional] == [None]  # the same module, but Sam's own (none)


def test_my_learning_needs_sign_in(client):
    response = client.get(MY_LEARNING)
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


# --- Starting: the confidence question -------------------------------------------------------------

def test_start_asks_confidence_then_opens_the_first_lesson(client, org, small_module):
    client.force_login(org.staff)
    page = client.get(module_url(small_module)).content.decode()
    assert reverse("courses:learning_confidence_before", args=[small_module.slug]) in page

    form = client.get(reverse("courses:learning_confidence_before", args=[small_module.slug]))
    assert small_module.confidence_question in form.content.decode()

    response = start(client, small_module, confidence=2)
    first = lessons(small_module)[0]
    assert response.status_code == 302 and response["Location"] == lesson_url(first)
    enrolment = enrolment_of(org.staff, small_module)
    assert enrolment.confidence_before == 2
    assert enrolment.status == Enrolment.Status.IN_PROGRESS
    assert enrolment.due_date is None  # optional: an enrolment of their own, no due date


@pytest.mark.parametrize("value", ["", "0", "6", "lots"])
def test_confidence_must_be_one_to_five(client, org, small_module, value):
    client.force_login(org.staff)
    response = start(client, small_module, confidence=value)
    assert response.status_code == 200
    assert "Choose how confident you feel, from 1 to 5" in response.content.decode()
    assert not Enrolment.objects.filter(profile=org.staff.profile).exists()


def test_starting_an_assigned_module_keeps_its_due_date(client, org, small_module):
    enrolment = assign(org.staff, small_module, due_in_days=7)
    client.force_login(org.staff)
    start(client, small_module, confidence=4)
    enrolment.refresh_from_db()
    assert enrolment.confidence_before == 4 and enrolment.due_date is not None
    assert enrolment.status == Enrolment.Status.IN_PROGRESS


def test_lessons_before_starting_send_you_to_start(client, org, small_module):
    client.force_login(org.staff)
    response = client.get(lesson_url(lessons(small_module)[1]))
    assert response.status_code == 302
    assert response["Location"] == reverse("courses:learning_confidence_before", args=[small_module.slug])


def test_confidence_before_is_asked_once(client, org, small_module):
    client.force_login(org.staff)
    start(client, small_module, confidence=2)
    response = start(client, small_module, confidence=5)
    assert response.status_code == 302
    assert enrolment_of(org.staff, small_module).confidence_before == 2


# --- Lessons and resuming ----------------------------------------------------------------------------

def test_lesson_page_shows_text_check_and_previous_next(client, org, small_module):
    first, second, third = lessons(small_module)
    client.force_login(org.staff)
    start(client, small_module)
    page = client.get(lesson_url(second)).content.decode()
    assert "lesson 2 of 3" in page
    assert "Check facts, names and figures." in page
    assert f'href="{lesson_url(first)}" rel="prev"' in page
    assert f'href="{lesson_url(third)}" rel="next"' in page
    assert 'type="radio"' in page and 'type="checkbox"' in page  # single and multiple choice
    assert "Select all that apply." in page
    # Council values come from the council's own settings.
    assert "Your council has not written its values into Tandem yet" in page


def test_admonitions_are_rendered_for_styling(client, org, small_module):
    client.force_login(org.staff)
    start(client, small_module)
    page = client.get(lesson_url(lessons(small_module)[0])).content.decode()
    assert '<div class="admonition tryit">' in page
    assert '<div class="admonition watchout">' in page


def test_progress_is_saved_per_lesson(client, org, small_module):
    first, second, _ = lessons(small_module)
    client.force_login(org.staff)
    start(client, small_module)
    submit(client, first, answers_for(first))
    page = client.get(module_url(small_module))
    assert [row.done for row in page.context["page"].lessons] == [True, False, False]
    assert "1 of 3 lessons done" in page.content.decode()


def test_resume_on_another_device(client, org, small_module):
    """Leave after lesson 2 on a phone; on a desktop the next day, Continue opens lesson 3."""
    from django.test import Client

    first, second, third = lessons(small_module)
    phone = client
    phone.force_login(org.staff)
    start(phone, small_module)
    submit(phone, first, answers_for(first))
    submit(phone, second, answers_for(second))
    phone.get(lesson_url(third))  # looked at lesson 3, then left without answering

    desktop = Client()
    desktop.force_login(org.staff)
    module_page = desktop.get(module_url(small_module))
    assert module_page.context["page"].resume == third
    assert f'href="{lesson_url(third)}"' in module_page.content.decode()
    home = desktop.get(reverse("home")).content.decode()
    assert "Carry on where you left off" in home and f'href="{lesson_url(third)}"' in home
    # Starting again is not offered: the start page sends them on to where they were.
    again = desktop.get(reverse("courses:learning_confidence_before", args=[small_module.slug]))
    assert again["Location"] == lesson_url(third)


def test_redoing_an_early_check_does_not_lose_your_place(client, org, small_module):
    first, second, third = lessons(small_module)
    client.force_login(org.staff)
    start(client, small_module)
    submit(client, first, answers_for(first, right=False))
    submit(client, second, answers_for(second))
    submit(client, first, answers_for(first))  # goes back to improve lesson 1
    assert enrolment_of(org.staff, small_module).current_lesson == third


def test_my_learning_query_count_does_not_grow_with_modules_and_enrolments(
        client, org, tmp_path, django_assert_max_num_queries):
    def add_modules(n, offset):
        for i in range(offset, offset + n):
            module = load_small_module(tmp_path, f"{i:02d}-module-{i}")
            if i % 2:
                assign(org.staff, module, due_in_days=i - 10)  # a mix of overdue and not
            if i % 3 == 0:
                enrolment = Enrolment.objects.get_or_create(profile=org.staff.profile, module=module)[0]
                enrolment.started_at, enrolment.status = timezone.now(), Enrolment.Status.IN_PROGRESS
                enrolment.current_lesson = lessons(module)[0]
                enrolment.save()

    client.force_login(org.staff)
    add_modules(3, 1)
    client.get(MY_LEARNING)  # warm up: council settings created, session saved
    # session, user, groups (roles), profile, enrolments with their modules and lesson counts, manager
    # check, optional modules with lesson counts, council settings, session save (+ savepoint pair):
    # 11, never one per module.
    with django_assert_max_num_queries(11) as small:
        assert client.get(MY_LEARNING).status_code == 200
    add_modules(12, 4)
    with django_assert_max_num_queries(len(small.captured_queries)):
        response = client.get(MY_LEARNING)
    assert len(response.context["learning"].assigned) + len(response.context["learning"].optional) == 15
    # The home page's learning summary is built the same way.
    with django_assert_max_num_queries(len(small.captured_queries) + 4):
        client.get(reverse("home"))
