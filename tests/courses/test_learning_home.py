"""The staff home page's learning summary: what to do next, how many are done, which are overdue."""

from datetime import timedelta

from django.urls import reverse
from django.utils import timezone

from courses.models import Enrolment
from tests.courses.conftest import answers_for, lesson_url, lessons, load_small_module, start, submit


def assign(user, module, due_in_days):
    return Enrolment.objects.create(profile=user.profile, module=module,
                                    due_date=timezone.localdate() + timedelta(days=due_in_days))


def test_home_summarises_my_learning(client, org, tmp_path):
    soon = load_small_module(tmp_path, "01-due-soon")
    later = load_small_module(tmp_path, "02-due-later")
    late = load_small_module(tmp_path, "03-already-late")
    assign(org.staff, soon, 3)
    assign(org.staff, later, 30)
    assign(org.staff, late, -2)
    client.force_login(org.staff)
    page = client.get(reverse("home")).content.decode()
    assert "Your learning and surveys" in page
    assert "You have completed 0 of 3 modules assigned to you." in page
    assert "1 module is overdue" in page and late.title in page
    assert "Up next" in page  # the soonest due: the overdue one
    assert f'href="{reverse("courses:learning_module", args=[late.slug])}"' in page
    assert f'href="{reverse("courses:learning_home")}"' in page


def test_home_offers_to_carry_on_where_you_left_off(client, org, tmp_path):
    module = load_small_module(tmp_path, "01-under-way")
    other = load_small_module(tmp_path, "02-not-started")
    assign(org.staff, other, 1)
    assign(org.staff, module, 20)
    client.force_login(org.staff)
    start(client, module)
    first, second, _ = lessons(module)
    submit(client, first, answers_for(first))
    page = client.get(reverse("home")).content.decode()
    # Something already started comes before something not started, even if that is due sooner.
    assert "Carry on where you left off" in page
    assert f'href="{lesson_url(second)}"' in page
    assert "1 of 3 lessons done" in page


def test_home_with_nothing_assigned(client, org, small_module):
    client.force_login(org.frontline)
    page = client.get(reverse("home")).content.decode()
    assert "Nothing is assigned to you at the moment." in page
