"""The curriculum loader: the shipped modules load; a changed module gets a new version that keeps
what it should of people's progress; bad files are refused with the file and line, and nothing is
half-loaded."""

import shutil
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command
from django.utils import timezone

from courses.curriculum import CurriculumError, load_curriculum
from courses.models import Certificate, Enrolment, Lesson, LessonProgress, Module, Question
from courses.services.learning import lessons_done
from organisation.models import CouncilValue

SHIPPED = Path(settings.BASE_DIR) / "curriculum"
WHAT_AI_IS = SHIPPED / "01-what-ai-is"

MODULE_YAML = """\
title: {title}
summary: A short module for tests.
estimated_minutes: 10
audience: all
values: []
principles: [1]
pass_mark: 80
confidence_question: How confident are you?
"""

LESSON_MD = """\
---
title: {title}
minutes: 5
check:
  - question: Which is right?
    type: single
    options:
      - text: This one.
        correct: true
        explanation: It is right because it says so.
      - text: That one.
        correct: false
        explanation: It is wrong because the other one is right.
---
Some lesson text.
"""


def write_module(root: Path, name: str, *, title="A module", lessons=("01-first", "02-second")) -> Path:
    folder = root / name
    folder.mkdir(parents=True)
    (folder / "module.yaml").write_text(MODULE_YAML.format(title=title), encoding="utf-8")
    for lesson in lessons:
        (folder / f"{lesson}.md").write_text(LESSON_MD.format(title=lesson.title()), encoding="utf-8")
    return folder


def replace_in(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{old!r} not in {path}"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def module_state():
    """Everything the loader writes, to show a failed load changed nothing."""
    return sorted(Module.objects.values_list("slug", "title", "version", "content_hash", "published")), sorted(
        Lesson.objects.values_list("module__slug", "slug", "title", "body", "content_hash", "retired"))


# --- The shipped curriculum ---------------------------------------------------------------------------

@pytest.mark.django_db
def test_shipped_curriculum_loads_cleanly():
    report = load_curriculum(SHIPPED)
    assert len(report.created) == 8 and report.updated == [] and report.unchanged == []
    modules = list(Module.objects.prefetch_related("lessons__questions__options"))
    assert len(modules) == 8
    assert [m.order for m in modules] == list(range(1, 9))
    for module in modules:
        assert module.version == 1 and module.published and module.content_hash
        lessons = list(module.lessons.all())
        assert lessons, module.slug
        for lesson in lessons:
            questions = list(lesson.questions.all())
            assert 1 <= len(questions) <= 3, f"{module.slug}/{lesson.slug} has {len(questions)} questions"
            for q in questions:
                options = list(q.options.all())
                correct = sum(o.correct for o in options)
                assert len(options) >= 2
                assert correct == 1 if q.type == Question.Type.SINGLE else correct >= 1
                assert all(o.explanation.strip() for o in options)
            assert lesson.body.strip() and lesson.content_hash and not lesson.retired


@pytest.mark.django_db
def test_reloading_unchanged_curriculum_does_nothing():
    load_curriculum(SHIPPED)
    before = module_state()
    stamps = dict(Module.objects.values_list("slug", "updated_at"))
    report = load_curriculum(SHIPPED)
    assert report.created == [] and report.updated == [] and len(report.unchanged) == 8
    assert module_state() == before
    assert dict(Module.objects.values_list("slug", "updated_at")) == stamps
    assert set(Module.objects.values_list("version", flat=True)) == {1}


# --- Versions -------------------------------------------------------------------------------------------

@pytest.fixture
def module_copy(tmp_path):
    """A copy of the shipped "What AI is" module to edit."""
    folder = tmp_path / "01-what-ai-is"
    shutil.copytree(WHAT_AI_IS, folder)
    return folder


def _progress(enrolment, lessons):
    for lesson in lessons:
        LessonProgress.objects.create(enrolment=enrolment, lesson=lesson, lesson_hash=lesson.content_hash,
                                      completed_at=timezone.now())


@pytest.fixture
def learners(org, module_copy):
    """Load the module, then: Sam part-way (lessons 1 and 2 done), Morgan finished with a certificate."""
    load_curriculum(module_copy)
    module = Module.objects.get(slug="what-ai-is")
    lessons = list(module.lessons.order_by("order"))
    part_way = Enrolment.objects.create(profile=org.staff.profile, module=module, status=Enrolment.Status.IN_PROGRESS,
                                        started_at=timezone.now())
    _progress(part_way, lessons[:2])
    done = Enrolment.objects.create(profile=org.env_manager.profile, module=module, status=Enrolment.Status.COMPLETED,
                                    started_at=timezone.now(), completed_at=timezone.now(), completed_version=1,
                                    best_score=100)
    _progress(done, lessons)
    Certificate.objects.create(enrolment=done, name="Morgan", module_title=module.title, module_version=1)
    return module, lessons, part_way, done


def test_changed_lesson_gives_a_new_version_and_keeps_what_it_should(module_copy, learners):
    module, lessons, part_way, done = learners
    first, second = lessons[0], lessons[1]
    old_second_hash = second.content_hash
    replace_in(module_copy / "02-how-machine-learning-works.md", "\n---\n", "\n---\nA new opening sentence.\n\n")

    report = load_curriculum(module_copy)

    assert report.updated == ["what-ai-is"] and report.created == []
    module.refresh_from_db()
    assert module.version == 2
    second.refresh_from_db()
    first.refresh_from_db()
    assert second.content_hash != old_second_hash and second.body.startswith("A new opening sentence.")
    assert first.content_hash == lessons[0].content_hash  # unchanged lesson, same row, same hash
    # Part-way: the unchanged lesson still counts; the changed one must be done again.
    assert set(LessonProgress.objects.filter(enrolment=part_way).values_list("lesson_id", flat=True)) == {first.pk}
    assert lessons_done(part_way) == {first.pk}
    # Finished: still finished, on the version they earned, certificate untouched.
    done.refresh_from_db()
    assert done.status == Enrolment.Status.COMPLETED and done.completed_version == 1
    assert done.certificate.module_version == 1
    assert LessonProgress.objects.filter(enrolment=done).count() == len(lessons)


def test_layout_only_change_is_not_a_new_version(module_copy, learners):
    module, *_ = learners
    replace_in(module_copy / "01-ai-is-already-here.md", "correct: true", "correct:   true")  # same YAML
    assert load_curriculum(module_copy).unchanged == ["what-ai-is"]
    module.refresh_from_db()
    assert module.version == 1


def test_a_lessons_minutes_change_without_a_new_version_or_lost_progress(module_copy, learners):
    module, lessons, part_way, _done = learners
    first, before = lessons[0], lessons[0].minutes
    replace_in(module_copy / "01-ai-is-already-here.md", f"minutes: {before}\n", f"minutes: {before + 3}\n")
    assert load_curriculum(module_copy).unchanged == ["what-ai-is"]
    first.refresh_from_db()
    module.refresh_from_db()
    assert first.minutes == before + 3 and module.version == 1
    assert LessonProgress.objects.filter(enrolment=part_way).count() == 2


def test_a_lessons_minutes_load_when_another_lesson_changes_too(module_copy, learners):
    module, lessons, *_ = learners
    first, before = lessons[0], lessons[0].minutes
    replace_in(module_copy / "01-ai-is-already-here.md", f"minutes: {before}\n", f"minutes: {before + 2}\n")
    replace_in(module_copy / "02-how-machine-learning-works.md", "\n---\n", "\n---\nA new opening sentence.\n\n")
    assert load_curriculum(module_copy).updated == ["what-ai-is"]
    first.refresh_from_db()
    assert first.minutes == before + 2


def test_changed_check_clears_that_lesson_for_people_part_way(module_copy, learners):
    module, lessons, part_way, _done = learners
    path = module_copy / "01-ai-is-already-here.md"
    text = path.read_text(encoding="utf-8")
    start = text.index("explanation:") + len("explanation:")
    path.write_text(text[:start] + ' "A clearer explanation."' + text[text.index("\n", start):], encoding="utf-8")

    load_curriculum(module_copy)

    module.refresh_from_db()
    assert module.version == 2
    assert set(LessonProgress.objects.filter(enrolment=part_way).values_list("lesson_id", flat=True)) == {lessons[1].pk}


def test_reloading_the_changed_copy_again_does_nothing(module_copy, learners):
    module, *_ = learners
    replace_in(module_copy / "03-generative-ai.md", "\n---\n", "\n---\nEdited.\n\n")
    load_curriculum(module_copy)
    state = module_state()
    report = load_curriculum(module_copy)
    assert report.unchanged == ["what-ai-is"]
    module.refresh_from_db()
    assert module.version == 2 and module_state() == state


def test_removed_lesson_is_retired_and_no_longer_counts(module_copy, learners):
    module, lessons, part_way, done = learners
    (module_copy / "02-how-machine-learning-works.md").unlink()

    load_curriculum(module_copy)

    module.refresh_from_db()
    assert module.version == 2
    removed = Lesson.objects.get(pk=lessons[1].pk)
    assert removed.retired
    assert list(module.lessons.filter(retired=False).values_list("slug", flat=True)) == [
        lesson.slug for lesson in lessons if lesson.pk != removed.pk]
    assert lessons_done(part_way) == {lessons[0].pk}
    done.refresh_from_db()
    assert done.status == Enrolment.Status.COMPLETED and done.completed_version == 1

    # Put back unchanged: it comes back as a current lesson, with the progress made on it.
    shutil.copy(WHAT_AI_IS / "02-how-machine-learning-works.md", module_copy)
    load_curriculum(module_copy)
    removed.refresh_from_db()
    assert not removed.retired
    assert lessons_done(part_way) == {lessons[0].pk, lessons[1].pk}


# --- Bad files ------------------------------------------------------------------------------------------

def _bad_yaml(folder):
    replace_in(folder / "01-first.md", "minutes: 5\n", "minutes: 5: 6\n")
    return "01-first.md", "line 3: YAML error"


def _two_correct(folder):
    replace_in(folder / "02-second.md", "correct: false", "correct: true")
    return "02-second.md", "line 5: a single-choice question needs exactly one correct option (has 2)"


def _missing_explanation(folder):
    replace_in(folder / "02-second.md", "        explanation: It is wrong because the other one is right.\n", "")
    return "02-second.md", "line 11: every option needs an 'explanation' that teaches"


def _missing_title(folder):
    replace_in(folder / "01-first.md", "title: 01-First\n", "")
    return "01-first.md", "line 2: 'title' is required"


def _unknown_audience(folder):
    replace_in(folder / "module.yaml", "audience: all", "audience: councillors")
    return "module.yaml", "line 4: audience must be one of all, managers, not 'councillors'"


def _unknown_value(folder):
    replace_in(folder / "module.yaml", "values: []", "values: [Kindness]")
    return "module.yaml", "line 5: value 'Kindness' is not one of the council's values"


def _no_lessons(folder):
    for path in folder.glob("*.md"):
        path.unlink()
    return "02-bad", "no lesson files"


def _front_matter_not_closed(folder):
    path = folder / "02-second.md"
    path.write_text(path.read_text(encoding="utf-8").replace("\n---\nSome lesson", "\nSome lesson"), encoding="utf-8")
    return "02-second.md", "line 1: the front matter is not closed with a '---' line"


BAD = [_bad_yaml, _two_correct, _missing_explanation, _missing_title, _unknown_audience, _unknown_value, _no_lessons,
       _front_matter_not_closed]


@pytest.mark.django_db
@pytest.mark.parametrize("break_it", BAD, ids=[b.__name__.strip("_") for b in BAD])
def test_a_bad_file_is_named_with_its_line_and_nothing_is_loaded(tmp_path, break_it):
    CouncilValue.objects.create(name="Openness")
    write_module(tmp_path, "01-good", title="Good")
    bad = write_module(tmp_path, "02-bad", title="Bad")
    write_module(tmp_path, "03-also-good", title="Also good")
    filename, message = break_it(bad)

    with pytest.raises(CurriculumError) as caught:
        load_curriculum(tmp_path)

    expected = f"{bad / filename}, {message}" if filename.endswith((".md", ".yaml")) else str(bad)
    assert any(e.startswith(expected) and message in e for e in caught.value.errors), caught.value.errors
    assert Module.objects.count() == 0 and Lesson.objects.count() == 0


@pytest.mark.django_db
@pytest.mark.parametrize("break_it", [_two_correct, _unknown_audience], ids=["two-correct", "audience"])
def test_a_bad_file_changes_nothing_already_loaded(tmp_path, break_it):
    write_module(tmp_path, "01-good", title="Good")
    bad = write_module(tmp_path, "02-bad", title="Bad")
    load_curriculum(tmp_path)
    before = module_state()
    # The first module changes validly, the second badly: neither is written.
    replace_in(tmp_path / "01-good" / "01-first.md", "Some lesson text.", "Some better lesson text.")
    replace_in(tmp_path / "01-good" / "module.yaml", "title: Good", "title: Better")
    break_it(bad)

    with pytest.raises(CurriculumError):
        load_curriculum(tmp_path)

    assert module_state() == before
    assert set(Module.objects.values_list("version", flat=True)) == {1}


@pytest.mark.django_db
def test_every_problem_is_listed_at_once(tmp_path):
    bad = write_module(tmp_path, "01-bad")
    _two_correct(bad)
    _unknown_audience(bad)
    with pytest.raises(CurriculumError) as caught:
        load_curriculum(tmp_path)
    assert len(caught.value.errors) == 2


# --- The management command ----------------------------------------------------------------------------

@pytest.mark.django_db
def test_command_loads_and_reports(tmp_path, capsys):
    write_module(tmp_path, "01-good")
    call_command("load_curriculum", str(tmp_path))
    assert "1 new, 0 updated, 0 unchanged." in capsys.readouterr().out
    call_command("load_curriculum", str(tmp_path))
    assert "0 new, 0 updated, 1 unchanged." in capsys.readouterr().out


@pytest.mark.django_db
def test_command_prints_problems_to_stderr_and_fails(tmp_path, capsys):
    write_module(tmp_path, "01-good")
    bad = write_module(tmp_path, "02-bad")
    _, message = _two_correct(bad)

    with pytest.raises(CommandError, match=r"1 problem\(s\) found; nothing was loaded"):
        call_command("load_curriculum", str(tmp_path))

    out = capsys.readouterr()
    assert f"{bad / '02-second.md'}, {message}" in out.err
    assert message not in out.out
    assert Module.objects.count() == 0


@pytest.mark.django_db
def test_command_refuses_a_folder_without_modules(tmp_path, capsys):
    with pytest.raises(CommandError):
        call_command("load_curriculum", str(tmp_path))
    assert "no module folders" in capsys.readouterr().err

