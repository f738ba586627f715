"""Editing modules in the Django admin: only authors and admins; every edit of what staff see gives
the module a new version exactly as a file load would (progress kept on unchanged lessons, cleared on
changed ones for people part-way, completions and certificates kept); the format rules hold."""

import pytest
from django.conf import settings
from django.forms import ModelMultipleChoiceField
from django.urls import reverse
from django.utils import timezone

from courses.curriculum import load_curriculum
from courses.models import Certificate, Enrolment, Lesson, LessonProgress, Module, Option, Question, QuestionAnswer
from courses.services import authoring
from courses.services.learning import lessons_done
from organisation.models import AuditEvent
from tests.courses.test_authoring_views import make_module
from tests.factories import give_totp, make_staff

SHIPPED = settings.BASE_DIR / "curriculum"


def form_data(response) -> dict:
    """The POST data of an admin change form as it stands (the form and every inline formset)."""
    data = {}

    def add(form):
        for name, field in form.fields.items():
            bound = form[name]
            value = bound.value()
            if value is None or value is False:
                continue
            if value is True:
                data[bound.html_name] = "on"
            elif isinstance(field, ModelMultipleChoiceField):
                data[bound.html_name] = [str(v) for v in value]
            else:
                data[bound.html_name] = str(value)

    add(response.context["adminform"].form)
    for inline in response.context["inline_admin_formsets"]:
        formset = inline.formset
        add(formset.management_form)
        for form in formset.forms:
            add(form)
    return data


def change(client, model, obj, edit=None):
    """Open an object's admin change page, apply `edit` to the form data, save; returns the response."""
    url = reverse(f"admin:courses_{model}_change", args=[obj.pk])
    page = client.get(url)
    assert page.status_code == 200
    data = form_data(page)
    if edit:
        edit(data)
    return client.post(url, data)


@pytest.fixture
def author(client, org):
    org.author.is_staff = True
    org.author.save()
    give_totp(org.author)  # anyone who can open the Django admin needs an authenticator
    client.force_login(org.author)
    return org.author


@pytest.fixture
def learners(org):
    """A module with two lessons. Sam is part-way (lesson 1 and 2 done, answers given); Morgan finished it,
    with a certificate."""
    module = make_module(published=True)
    lessons = list(module.lessons.order_by("order"))
    part_way = Enrolment.objects.create(profile=org.staff.profile, module=module, started_at=timezone.now(),
                                        status=Enrolment.Status.IN_PROGRESS)
    done = Enrolment.objects.create(profile=org.env_manager.profile, module=module, started_at=timezone.now(),
                                    status=Enrolment.Status.COMPLETED, completed_at=timezone.now(), completed_version=1,
                                    best_score=100)
    Certificate.objects.create(enrolment=done, name="Morgan", module_title=module.title, module_version=1)
    for enrolment in (part_way, done):
        for lesson in lessons:
            LessonProgress.objects.create(enrolment=enrolment, lesson=lesson, lesson_hash=lesson.content_hash,
                                          completed_at=timezone.now())
            question = lesson.questions.get()
            QuestionAnswer.objects.create(enrolment=enrolment, question=question, correct=True,
                                          chosen=[question.options.get(correct=True).pk])
    return module, lessons, part_way, done


# --- Who may use it ------------------------------------------------------------------------------------

@pytest.mark.parametrize("model", ["module", "lesson", "question"])
def test_authors_with_admin_access_reach_the_courses_admin(client, author, model):
    make_module()
    assert client.get(reverse(f"admin:courses_{model}_changelist")).status_code == 200
    assert client.get(reverse(f"admin:courses_{model}_add")).status_code == 200


def test_authors_see_only_the_courses_models_in_the_admin(client, author):
    response = client.get(reverse("admin:index"))
    apps = {app["app_label"] for app in response.context["app_list"]}
    assert apps == {"courses"}


@pytest.mark.parametrize("model", ["module", "lesson", "question"])
def test_other_admin_users_cannot_reach_the_courses_admin(client, org, model):
    org.hr.is_staff = True
    org.hr.save()
    client.force_login(org.hr)
    assert client.get(reverse(f"admin:courses_{model}_changelist")).status_code == 403


def test_authors_without_admin_access_are_sent_to_sign_in(client, org):
    client.force_login(org.author)
    assert client.get(reverse("admin:courses_module_changelist")).status_code == 302


def test_lessons_and_modules_cannot_be_deleted_in_the_admin(client, author):
    module = make_module()
    lesson = module.lessons.first()
    assert client.get(reverse("admin:courses_module_delete", args=[module.pk])).status_code == 403
    assert client.get(reverse("admin:courses_lesson_delete", args=[lesson.pk])).status_code == 403


def test_admin_pages_link_to_the_preview(client, author):
    module = make_module()
    lesson = module.lessons.get(slug="lesson-1")
    preview = reverse("courses:authoring_preview", kwargs={"slug": module.slug, "lesson": lesson.slug})
    assert preview in client.get(reverse("admin:courses_lesson_change", args=[lesson.pk])).content.decode()
    assert preview in client.get(reverse("admin:courses_module_change", args=[module.pk])).content.decode()
    question = lesson.questions.get()
    assert preview in client.get(reverse("admin:courses_question_change", args=[question.pk])).content.decode()
    assert preview in client.get(reverse("admin:courses_lesson_changelist")).content.decode()


# --- Versions ------------------------------------------------------------------------------------------

def test_editing_a_lesson_gives_a_new_version(client, author, learners):
    module, (first, second), part_way, done = learners
    old_hash = second.content_hash

    def edit(data):
        data["body"] = data["body"] + "\nOne more paragraph.\n"

    response = change(client, "lesson", second, edit)
    assert response.status_code == 302, response.context and response.context["adminform"].form.errors

    module.refresh_from_db()
    second.refresh_from_db()
    first.refresh_from_db()
    assert module.version == 2
    assert second.body.endswith("One more paragraph.\n") and second.content_hash != old_hash
    assert second.content_hash == authoring.lesson_content_hash(second)
    assert first.content_hash == learners[1][0].content_hash
    # Part-way: lesson 1 still counts, lesson 2 must be done again (its answers too).
    assert lessons_done(part_way) == {first.pk}
    assert not QuestionAnswer.objects.filter(enrolment=part_way, question__lesson=second).exists()
    assert QuestionAnswer.objects.filter(enrolment=part_way, question__lesson=first).exists()
    # Finished: still finished on version 1, certificate as it was, nothing of theirs removed.
    done.refresh_from_db()
    assert done.status == Enrolment.Status.COMPLETED and done.completed_version == 1
    assert done.certificate.module_version == 1
    assert LessonProgress.objects.filter(enrolment=done).count() == 2
    event = AuditEvent.objects.get(action="module new version from the admin")
    assert event.detail == {"slug": module.slug, "version": 2, "changed_lessons": ["lesson-2"]}


def test_saving_without_changes_is_not_a_new_version(client, author, learners):
    module, (first, second), part_way, _done = learners
    stored = (module.content_hash, second.content_hash)
    assert change(client, "lesson", second).status_code == 302
    assert change(client, "module", module).status_code == 302
    assert change(client, "question", second.questions.get()).status_code == 302
    module.refresh_from_db()
    second.refresh_from_db()
    assert module.version == 1 and (module.content_hash, second.content_hash) == stored
    assert lessons_done(part_way) == {first.pk, second.pk}


def test_browser_line_endings_are_not_a_change(client, author, learners):
    """Browsers send text areas with CRLF line endings; the text is the same, so nothing changes."""
    module, (first, second), part_way, _done = learners

    def crlf(data):
        data["body"] = data["body"].replace("\n", "\r\n")

    assert change(client, "lesson", second, crlf).status_code == 302
    module.refresh_from_db()
    second.refresh_from_db()
    assert module.version == 1 and "\r" not in second.body
    assert lessons_done(part_way) == {first.pk, second.pk}


def test_a_lesson_is_changed_only_when_its_content_changes(client, author, learners):
    """A lesson's stored hash may be in another form (say, from an older loader): an edit elsewhere in the
    module must not treat that lesson as changed and clear people's progress on it."""
    module, (first, second), part_way, _done = learners
    Lesson.objects.filter(pk=second.pk).update(content_hash="hash-from-elsewhere")
    LessonProgress.objects.filter(lesson=second).update(lesson_hash="hash-from-elsewhere")

    def edit(data):
        data["body"] = data["body"] + "Changed.\n"

    change(client, "lesson", first, edit)
    module.refresh_from_db()
    second.refresh_from_db()
    assert module.version == 2
    assert second.content_hash == "hash-from-elsewhere"
    assert lessons_done(part_way) == {second.pk}


def test_a_module_never_hashed_gets_its_hash_without_a_new_version(client, author):
    module = make_module()
    Module.objects.filter(pk=module.pk).update(content_hash="")
    assert change(client, "module", module).status_code == 302
    module.refresh_from_db()
    assert module.version == 1 and module.content_hash


def test_changing_minutes_only_is_not_a_new_version(client, author, learners):
    """Minutes are not part of a lesson's content (as in the file loader)."""
    module, (_first, second), part_way, _done = learners

    def edit(data):
        data["minutes"] = "9"

    change(client, "lesson", second, edit)
    module.refresh_from_db()
    assert module.version == 1 and len(lessons_done(part_way)) == 2


def test_editing_an_option_gives_a_new_version(client, author, learners):
    module, (first, second), part_way, done = learners
    question = second.questions.get()

    def edit(data):
        data["options-1-explanation"] = "A better explanation of why this is wrong."

    assert change(client, "question", question, edit).status_code == 302
    module.refresh_from_db()
    assert module.version == 2
    assert Option.objects.get(question=question, order=1).explanation == "A better explanation of why this is wrong."
    assert lessons_done(part_way) == {first.pk}
    done.refresh_from_db()
    assert done.status == Enrolment.Status.COMPLETED


def test_editing_the_module_settings_gives_a_new_version_and_keeps_progress(client, author, learners):
    module, lessons, part_way, _done = learners

    def edit(data):
        data["summary"] = "A new summary."

    assert change(client, "module", module, edit).status_code == 302
    module.refresh_from_db()
    assert module.version == 2 and module.summary == "A new summary."
    assert lessons_done(part_way) == {lesson.pk for lesson in lessons}


def test_retiring_a_lesson_gives_a_new_version(client, author, learners):
    module, (first, second), part_way, _done = learners

    def edit(data):
        data["lessons-1-retired"] = "on"

    assert change(client, "module", module, edit).status_code == 302
    module.refresh_from_db()
    second.refresh_from_db()
    assert module.version == 2 and second.retired
    assert lessons_done(part_way) == {first.pk}
    assert LessonProgress.objects.filter(enrolment=part_way, lesson=second).exists()  # kept, in case it returns


def test_adding_a_lesson_gives_a_new_version(client, author, learners):
    module, lessons, part_way, _done = learners
    response = client.post(reverse("admin:courses_lesson_add"), {
        "module": module.pk, "slug": "lesson-3", "order": 3, "title": "Lesson 3", "minutes": 5, "body": "New text.",
        "questions-TOTAL_FORMS": 1, "questions-INITIAL_FORMS": 0, "questions-MIN_NUM_FORMS": 1,
        "questions-MAX_NUM_FORMS": 3, "questions-0-order": 0, "questions-0-text": "A question?",
        "questions-0-type": "single",
    })
    assert response.status_code == 302
    module.refresh_from_db()
    assert module.version == 2
    new = Lesson.objects.get(module=module, slug="lesson-3")
    assert new.content_hash == authoring.lesson_content_hash(new)
    assert lessons_done(part_way) == {lesson.pk for lesson in lessons}
    # Its question has no options yet: the module cannot be published in that state.
    assert "lesson-3" in authoring.module_problems(module)


def test_deleting_a_question_gives_a_new_version(client, author):
    module = make_module()
    lesson = module.lessons.get(slug="lesson-1")
    before = authoring.content_snapshot(module.pk)
    extra = Question.objects.create(lesson=lesson, order=1, text="A second question?")
    Option.objects.create(question=extra, order=0, text="Yes", correct=True, explanation="Yes because.")
    Option.objects.create(question=extra, order=1, text="No", correct=False, explanation="No because.")
    assert authoring.module_content_saved(module_id=module.pk, before=before, actor=author).module.version == 2
    response = client.post(reverse("admin:courses_question_delete", args=[extra.pk]), {"post": "yes"})
    assert response.status_code == 302
    module.refresh_from_db()
    assert module.version == 3 and not Question.objects.filter(pk=extra.pk).exists()


def test_a_new_module_starts_at_version_one(client, author):
    response = client.post(reverse("admin:courses_module_add"), {
        "slug": "new-module", "title": "New module", "summary": "New.", "estimated_minutes": 10, "audience": "all",
        "principles": "[1, 2]", "pass_mark": 80, "confidence_question": "How confident are you?", "order": 9,
        "lessons-TOTAL_FORMS": 0, "lessons-INITIAL_FORMS": 0, "lessons-MIN_NUM_FORMS": 0, "lessons-MAX_NUM_FORMS": 1000,
    })
    assert response.status_code == 302
    module = Module.objects.get(slug="new-module")
    assert module.version == 1 and module.content_hash and not module.published
    assert module.principles == [1, 2]


# --- The format rules hold in the admin ---------------------------------------------------------------

def test_choose_one_question_with_two_correct_options_is_refused(client, author, learners):
    module, (_first, second), _part_way, _done = learners
    question = second.questions.get()

    def edit(data):
        data["options-1-correct"] = "on"

    response = change(client, "question", question, edit)
    assert response.status_code == 200
    assert "needs exactly one correct option (this has 2)" in response.content.decode()
    assert question.options.filter(correct=True).count() == 1
    module.refresh_from_db()
    assert module.version == 1


def test_an_option_needs_an_explanation(client, author, learners):
    _module, (_first, second), _part_way, _done = learners

    def edit(data):
        data["options-0-explanation"] = ""

    response = change(client, "question", second.questions.get(), edit)
    assert response.status_code == 200
    assert Option.objects.filter(question__lesson=second, explanation="").count() == 0


def test_a_lesson_needs_one_to_three_questions(client, author, learners):
    _module, (_first, second), _part_way, _done = learners

    def edit(data):
        data["questions-0-DELETE"] = "on"

    response = change(client, "lesson", second, edit)
    assert response.status_code == 200
    assert second.questions.count() == 1


def test_principles_must_be_numbers_from_1_to_10(client, author):
    module = make_module()

    def edit(data):
        data["principles"] = "[0, 11]"

    response = change(client, "module", module, edit)
    assert response.status_code == 200
    assert "list of numbers from 1 to 10" in response.content.decode()


# --- Publishing from the admin -------------------------------------------------------------------------

def test_publish_action_uses_the_same_rules(client, author):
    good = make_module("good")
    bad = make_module("bad")
    Option.objects.filter(question__lesson__module=bad).update(correct=False)
    response = client.post(reverse("admin:courses_module_changelist"),
                           {"action": "publish_selected", "_selected_action": [good.pk, bad.pk]}, follow=True)
    assert response.status_code == 200
    good.refresh_from_db()
    bad.refresh_from_db()
    assert good.published and not bad.published
    assert AuditEvent.objects.filter(action="module published").count() == 1


# --- Parity with the file loader -----------------------------------------------------------------------

@pytest.mark.django_db
def test_hashes_computed_here_match_the_file_loader():
    load_curriculum(SHIPPED)
    for module in Module.objects.all():
        lessons = list(authoring.lessons_with_content(module.pk))
        for lesson in lessons:
            assert authoring.lesson_content_hash(lesson) == lesson.content_hash, f"{module.slug}/{lesson.slug}"
        expected = authoring.module_content_hash(module, [(lesson.slug, lesson.content_hash) for lesson in lessons])
        assert expected == module.content_hash, module.slug


def test_an_admin_edit_undone_in_the_admin_matches_the_files_again(client, author, tmp_path):
    load_curriculum(SHIPPED / "01-what-ai-is")
    module = Module.objects.get(slug="what-ai-is")
    lesson = module.lessons.order_by("order").first()
    original = lesson.body

    def add_line(data):
        data["body"] = original + "\nAn extra line.\n"

    def undo(data):
        data["body"] = original

    change(client, "lesson", lesson, add_line)
    change(client, "lesson", lesson, undo)
    module.refresh_from_db()
    assert module.version == 3
    # The content is the files' again, so loading the files finds nothing to change.
    assert load_curriculum(SHIPPED / "01-what-ai-is").unchanged == ["what-ai-is"]


def test_files_loaded_after_an_admin_edit_win(client, author):
    load_curriculum(SHIPPED / "01-what-ai-is")
    module = Module.objects.get(slug="what-ai-is")
    lesson = module.lessons.order_by("order").first()
    original = lesson.body
    make_staff(author.profile.department)  # unrelated: the site is in use

    def edit(data):
        data["body"] = original + "\nAn admin-only line.\n"

    change(client, "lesson", lesson, edit)
    assert load_curriculum(SHIPPED / "01-what-ai-is").updated == ["what-ai-is"]
    lesson.refresh_from_db()
    module.refresh_from_db()
    assert lesson.body == original and module.version == 3
