"""The authoring pages: the module list, a module's lessons, the lesson preview, publish and unpublish.
For each: an author (allowed), another role (403), anonymous (sign in), a missing object (404) and,
for actions, the wrong method (405)."""

import pytest
from django.urls import reverse

from courses.models import Lesson, Module, Option, Question
from courses.services import authoring
from organisation.models import AuditEvent, CouncilValue
from tests.factories import give_totp


def make_module(slug="waste-and-ai", *, title="Waste and AI", published=False, lessons=2, order=1) -> Module:
    """A small module whose lessons all pass the format rules, hashed as the admin would hash it (version 1)."""
    module = Module.objects.create(slug=slug, title=title, summary="How AI helps the waste service.",
                                   confidence_question="How confident are you?", published=published, order=order)
    for n in range(1, lessons + 1):
        lesson = Lesson.objects.create(module=module, slug=f"lesson-{n}", order=n, title=f"Lesson {n}", minutes=4,
                                       body=f"## Part {n}\n\nText of lesson {n}.\n")
        question = Question.objects.create(lesson=lesson, order=0, text=f"Question for lesson {n}?")
        Option.objects.create(question=question, order=0, text="The right one", correct=True,
                              explanation="Right, because it is.")
        Option.objects.create(question=question, order=1, text="The wrong one", correct=False,
                              explanation="Wrong, because the other is right.")
    authoring.module_content_saved(module_id=module.pk, before=authoring.content_snapshot(None), actor=None,
                                   created=True)
    module.refresh_from_db()
    return module


@pytest.fixture
def module(db):
    return make_module()


def preview_url(module, lesson="lesson-1"):
    return reverse("courses:authoring_preview", kwargs={"slug": module.slug, "lesson": lesson})


# --- The module list -----------------------------------------------------------------------------------

def test_list_shows_every_module_with_its_state(client, org, module):
    make_module("published-one", title="Published one", published=True, lessons=3, order=2)
    Lesson.objects.filter(module=module, slug="lesson-2").update(retired=True)
    client.force_login(org.author)
    response = client.get(reverse("courses:authoring"))
    assert response.status_code == 200
    rows = {m.slug: m for m in response.context["modules"]}
    assert rows["waste-and-ai"].lesson_count == 1  # retired lessons are not counted
    assert rows["published-one"].lesson_count == 3
    page = response.content.decode()
    assert "Waste and AI" in page and "Published one" in page
    assert page.index("Waste and AI") < page.index("Published one")  # catalogue order
    assert "Not published" in page and ">Published<" in page


@pytest.mark.parametrize("role", ["staff", "env_manager", "hr"])
def test_list_is_for_authors_only(client, org, module, role):
    client.force_login(getattr(org, role))
    assert client.get(reverse("courses:authoring")).status_code == 403


def test_list_sends_anonymous_people_to_sign_in(client, db):
    response = client.get(reverse("courses:authoring"))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_list_query_count_does_not_grow_with_modules(client, org, django_assert_max_num_queries):
    make_module("first")
    client.force_login(org.author)
    client.get(reverse("courses:authoring"))  # warm up
    # session, user, groups (role), council settings, manager check (menu), modules with lesson counts, session
    # save (with its savepoint and release): 9, never per module.
    with django_assert_max_num_queries(9) as first:
        client.get(reverse("courses:authoring"))
    for n in range(10):
        make_module(f"more-{n}", lessons=3)
    with django_assert_max_num_queries(len(first.captured_queries)):
        client.get(reverse("courses:authoring"))


# --- A module's page -----------------------------------------------------------------------------------

def test_module_page_lists_lessons_and_problems(client, org, module):
    broken = Lesson.objects.get(module=module, slug="lesson-2")
    broken.questions.get().options.update(correct=True)
    client.force_login(org.author)
    response = client.get(reverse("courses:authoring_module", kwargs={"slug": module.slug}))
    assert response.status_code == 200
    page = response.content.decode()
    assert "Lesson 1" in page and "Lesson 2" in page
    assert "needs exactly one correct option (has 2)" in page
    assert "This module cannot be published until these are fixed" in page
    assert preview_url(module, "lesson-2") in page
    assert reverse("courses:authoring_publish", kwargs={"slug": module.slug}) in page


def test_module_page_links_to_the_admin_only_for_accounts_that_can_open_it(client, org, module):
    client.force_login(org.author)
    url = reverse("courses:authoring_module", kwargs={"slug": module.slug})
    admin_link = reverse("admin:courses_module_change", args=[module.pk])
    assert admin_link not in client.get(url).content.decode()
    org.author.is_staff = True
    org.author.save()
    give_totp(org.author)  # needed by anyone who can open the Django admin
    client.force_login(org.author)  # and used when signing in (MFA is per session)
    assert admin_link in client.get(url).content.decode()


def test_module_page_unknown_module_is_404(client, org, module):
    client.force_login(org.author)
    assert client.get(reverse("courses:authoring_module", kwargs={"slug": "no-such-module"})).status_code == 404


def test_module_page_is_for_authors_only(client, org, module):
    client.force_login(org.hr)
    assert client.get(reverse("courses:authoring_module", kwargs={"slug": module.slug})).status_code == 403


def test_module_page_query_count_does_not_grow_with_lessons(client, org, django_assert_max_num_queries):
    small = make_module("small", lessons=1)
    big = make_module("big", lessons=8)
    client.force_login(org.author)
    client.get(reverse("courses:authoring_module", kwargs={"slug": small.slug}))  # warm up
    # session, user, groups, module, its values, lessons, questions, options, council settings, manager check
    # (menu), session save (with its savepoint and release): 13, never per lesson.
    with django_assert_max_num_queries(13) as first:
        client.get(reverse("courses:authoring_module", kwargs={"slug": small.slug}))
    with django_assert_max_num_queries(len(first.captured_queries)):
        client.get(reverse("courses:authoring_module", kwargs={"slug": big.slug}))


# --- The preview ---------------------------------------------------------------------------------------

def test_preview_renders_the_lesson_as_staff_see_it(client, org, module):
    CouncilValue.objects.create(name="Put residents first", description="We start from what residents need.", order=1)
    lesson = Lesson.objects.get(module=module, slug="lesson-1")
    lesson.body = ('## Our values\n\n[[council-values]]\n\n!!! tryit "Try it"\n    Ask a colleague.\n\n'
                   "<script>alert(1)</script>\n")
    lesson.save()
    client.force_login(org.author)
    response = client.get(preview_url(module))
    assert response.status_code == 200
    page = response.content.decode()
    assert '<h1 class="govuk-heading-xl">Lesson 1</h1>' in page
    assert '<h2 class="govuk-heading-m">Our values</h2>' in page
    assert "<strong>Put residents first</strong>: We start from what residents need." in page
    assert '<div class="admonition tryit">' in page
    assert "alert(1)" not in page
    # The check, with which options are right and every explanation.
    assert "Question for lesson 1?" in page
    assert "Correct" in page and "Not correct" in page
    assert "Right, because it is." in page and "Wrong, because the other is right." in page
    # Moving through the module.
    assert preview_url(module, "lesson-2") in page


def test_preview_escapes_what_authors_type_into_the_check(client, org, module):
    question = Question.objects.get(lesson__module=module, lesson__slug="lesson-1")
    question.text = "Is <b>this</b> bold?"
    question.save()
    question.options.filter(correct=True).update(explanation="<img src=x onerror=alert(1)>")
    client.force_login(org.author)
    page = client.get(preview_url(module)).content.decode()
    assert "Is &lt;b&gt;this&lt;/b&gt; bold?" in page
    assert "&lt;img src=x onerror=alert(1)&gt;" in page and "<img src=x" not in page


def test_preview_of_a_retired_lesson_says_so(client, org, module):
    Lesson.objects.filter(module=module, slug="lesson-2").update(retired=True)
    client.force_login(org.author)
    page = client.get(preview_url(module, "lesson-2")).content.decode()
    assert "but it is retired: staff no longer see it" in page


def test_preview_shows_the_lessons_problems(client, org, module):
    Question.objects.filter(lesson__module=module, lesson__slug="lesson-1").delete()
    client.force_login(org.author)
    page = client.get(preview_url(module)).content.decode()
    assert "A lesson needs a knowledge check of 1 to 3 questions (has 0)." in page


def test_preview_of_a_lesson_from_another_module_is_404(client, org, module):
    other = make_module("other-module", lessons=3)
    client.force_login(org.author)
    assert client.get(preview_url(other, "lesson-3")).status_code == 200
    assert client.get(preview_url(module, "lesson-3")).status_code == 404
    assert client.get(preview_url(module, "no-such-lesson")).status_code == 404


@pytest.mark.parametrize("role", ["staff", "frontline", "env_manager", "hr"])
def test_preview_is_for_authors_only(client, org, module, role):
    client.force_login(getattr(org, role))
    assert client.get(preview_url(module)).status_code == 403


def test_admin_may_preview(client, org, module):
    client.force_login(org.admin)
    assert client.get(preview_url(module)).status_code == 200


# --- Publish and unpublish -----------------------------------------------------------------------------

def publish_url(module, action="publish"):
    return reverse(f"courses:authoring_{action}", kwargs={"slug": module.slug})


def test_author_publishes_a_module(client, org, module):
    client.force_login(org.author)
    response = client.post(publish_url(module), follow=True)
    assert response.redirect_chain[-1][0] == reverse("courses:authoring_module", kwargs={"slug": module.slug})
    module.refresh_from_db()
    assert module.published
    assert "is published" in response.content.decode()
    event = AuditEvent.objects.get(action="module published")
    assert event.actor == org.author and event.target == module.title
    assert event.detail == {"slug": module.slug, "version": 1}


def test_publishing_twice_records_once(client, org, module):
    client.force_login(org.author)
    client.post(publish_url(module))
    client.post(publish_url(module))
    assert AuditEvent.objects.filter(action="module published").count() == 1


def test_a_module_with_problems_is_not_published(client, org, module):
    Option.objects.filter(question__lesson__slug="lesson-2", question__lesson__module=module).update(correct=False)
    client.force_login(org.author)
    response = client.post(publish_url(module), follow=True)
    module.refresh_from_db()
    assert not module.published
    assert "was not published: 1 problem to fix first" in response.content.decode()
    assert not AuditEvent.objects.filter(action="module published").exists()


def test_a_module_without_lessons_is_not_published(client, org):
    empty = Module.objects.create(slug="empty", title="Empty", summary="Nothing yet.", confidence_question="?")
    client.force_login(org.author)
    client.post(publish_url(empty))
    empty.refresh_from_db()
    assert not empty.published


def test_author_unpublishes_a_module(client, org):
    module = make_module(published=True)
    client.force_login(org.admin)
    response = client.post(publish_url(module, "unpublish"))
    assert response.status_code == 302
    module.refresh_from_db()
    assert not module.published
    assert AuditEvent.objects.filter(action="module unpublished", actor=org.admin).count() == 1


@pytest.mark.parametrize("action", ["publish", "unpublish"])
def test_publishing_is_for_authors_only(client, org, action):
    module = make_module(published=action == "unpublish")
    client.force_login(org.hr)
    assert client.post(publish_url(module, action)).status_code == 403
    module.refresh_from_db()
    assert module.published is (action == "unpublish")
    assert not AuditEvent.objects.filter(action__startswith="module ").exists()


@pytest.mark.parametrize("action", ["publish", "unpublish"])
def test_publishing_anonymous_is_sent_to_sign_in(client, module, action):
    response = client.post(publish_url(module, action))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


@pytest.mark.parametrize("action", ["publish", "unpublish"])
def test_publishing_is_post_only(client, org, module, action):
    client.force_login(org.author)
    assert client.get(publish_url(module, action)).status_code == 405


@pytest.mark.parametrize("action", ["publish", "unpublish"])
def test_publishing_unknown_module_is_404(client, org, action):
    client.force_login(org.author)
    assert client.post(reverse(f"courses:authoring_{action}", kwargs={"slug": "nope"})).status_code == 404
