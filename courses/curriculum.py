"""The curriculum loader: `curriculum/<module>/` folders (format: curriculum/FORMAT.md) into the database.

Every file is read and checked before anything is written; a bad file gives errors naming the file
and line, and nothing is half-loaded. A module whose content changed gets a new version: progress on
unchanged lessons is kept, progress on changed lessons is cleared (for people who have not finished),
and completed modules stay completed (certificates name the version they were earned on).
"""

import hashlib
import json
from dataclasses import dataclass, field
from pathlib import Path

import yaml
from django.db import transaction
from django.utils.text import slugify

from courses.curriculum_quality import answer_pattern_warnings
from courses.models import Enrolment, Lesson, LessonProgress, Module, Option, Question
from organisation.models import CouncilValue


class CurriculumError(Exception):
    def __init__(self, errors: list[str]):
        self.errors = errors
        super().__init__("\n".join(errors))


class _LineLoader(yaml.SafeLoader):
    """A YAML loader that remembers the line each mapping starts on (as key '__line__')."""


def _construct_mapping(loader, node, deep=False):
    mapping = yaml.SafeLoader.construct_mapping(loader, node, deep=deep)
    mapping["__line__"] = node.start_mark.line + 1
    return mapping


_LineLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)


@dataclass
class ParsedLesson:
    slug: str
    order: int
    title: str
    minutes: int
    body: str
    questions: list[dict]
    content_hash: str


@dataclass
class ParsedModule:
    slug: str
    order: int
    title: str
    summary: str
    estimated_minutes: int
    audience: str
    values: list[str]
    principles: list[int]
    pass_mark: int
    confidence_question: str
    lessons: list[ParsedLesson] = field(default_factory=list)

    @property
    def content_hash(self) -> str:
        meta = json.dumps([self.title, self.summary, self.estimated_minutes, self.audience, sorted(self.values),
                           self.principles, self.pass_mark, self.confidence_question], sort_keys=True)
        return _sha(meta + "".join(f"{lesson.slug}:{lesson.content_hash}" for lesson in self.lessons))


def _sha(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def _strip_lines(value):
    if isinstance(value, dict):
        return {k: _strip_lines(v) for k, v in value.items() if k != "__line__"}
    if isinstance(value, list):
        return [_strip_lines(v) for v in value]
    return value


def _load_yaml(text: str, where: str, line_offset: int, errors: list[str]):
    try:
        return yaml.load(text, Loader=_LineLoader)  # noqa: S506 -- a SafeLoader subclass
    except yaml.MarkedYAMLError as e:
        line = (e.problem_mark.line + 1 + line_offset) if e.problem_mark else line_offset + 1
        errors.append(f"{where}, line {line}: YAML error: {e.problem}")
    except yaml.YAMLError as e:
        errors.append(f"{where}: YAML error: {e}")
    return None


def _key_line(text: str, key: str, default: int = 1) -> int:
    """The line a top-level key is written on (for errors about its value)."""
    for number, line in enumerate(text.splitlines(), start=1):
        if line.startswith(f"{key}:"):
            return number
    return default


def _order_and_slug(name: str) -> tuple[int, str]:
    head, _, rest = name.partition("-")
    if head.isdigit() and rest:
        return int(head), slugify(rest)
    return 0, slugify(name)


def parse_module(folder: Path, *, known_values: set[str]) -> tuple[ParsedModule | None, list[str]]:
    errors: list[str] = []
    meta_path = folder / "module.yaml"
    where = str(meta_path)
    if not meta_path.exists():
        return None, [f"{folder}: no module.yaml"]
    meta_text = meta_path.read_text(encoding="utf-8")
    meta = _load_yaml(meta_text, where, 0, errors)
    if meta is None:
        return None, errors or [f"{where}: empty"]
    if not isinstance(meta, dict):
        return None, [f"{where}, line 1: expected keys such as title and summary"]
    for key in ("title", "summary", "confidence_question"):
        if not isinstance(meta.get(key), str) or not meta[key].strip():
            errors.append(f"{where}, line {meta['__line__']}: '{key}' is required")
    audience = meta.get("audience", "all")
    if audience not in Module.Audience.values:
        errors.append(f"{where}, line {_key_line(meta_text, 'audience')}: audience must be one of "
                      f"{', '.join(Module.Audience.values)}, not '{audience}'")
    values = meta.get("values") or []
    for v in values:
        if v not in known_values:
            errors.append(f"{where}, line {_key_line(meta_text, 'values')}: value '{v}' is not one of the council's values")
    principles = meta.get("principles") or []
    if not all(isinstance(p, int) and 1 <= p <= 10 for p in principles):
        errors.append(f"{where}, line {_key_line(meta_text, 'principles')}: principles must be numbers from 1 to 10")
    pass_mark = meta.get("pass_mark", 80)
    if not isinstance(pass_mark, int) or not 1 <= pass_mark <= 100:
        errors.append(f"{where}, line {_key_line(meta_text, 'pass_mark')}: pass_mark must be a whole number from 1 to 100")
    order, slug = _order_and_slug(folder.name)
    module = ParsedModule(
        slug=slug, order=order, title=str(meta.get("title", "")).strip(), summary=str(meta.get("summary", "")).strip(),
        estimated_minutes=int(meta.get("estimated_minutes") or 0), audience=audience, values=list(values),
        principles=list(principles), pass_mark=pass_mark if isinstance(pass_mark, int) else 80,
        confidence_question=str(meta.get("confidence_question", "")).strip(),
    )
    lesson_files = sorted(p for p in folder.glob("*.md") if p.name.upper() not in {"SOURCES.MD", "README.MD"})
    if not lesson_files:
        errors.append(f"{folder}: no lesson files (NN-name.md)")
    for path in lesson_files:
        lesson = _parse_lesson(path, errors)
        if lesson:
            module.lessons.append(lesson)
    slugs = [lesson.slug for lesson in module.lessons]
    if len(set(slugs)) != len(slugs):
        errors.append(f"{folder}: two lessons have the same name")
    return module, errors


def _parse_lesson(path: Path, errors: list[str]) -> ParsedLesson | None:
    where = str(path)
    text = path.read_text(encoding="utf-8")
    if not text.startswith("---"):
        errors.append(f"{where}, line 1: a lesson starts with front matter between '---' lines")
        return None
    parts = text.split("\n---", 1)
    if len(parts) != 2:
        errors.append(f"{where}, line 1: the front matter is not closed with a '---' line")
        return None
    head = parts[0][3:]
    body = parts[1].split("\n", 1)[1] if "\n" in parts[1] else ""
    meta = _load_yaml(head, where, 0, errors)  # head starts on the opening '---' line: its lines are the file's
    if meta is None:
        return None
    if not isinstance(meta, dict):
        errors.append(f"{where}, line 2: expected front matter keys title, minutes and check")
        return None
    start = len(errors)
    if not isinstance(meta.get("title"), str) or not meta["title"].strip():
        errors.append(f"{where}, line {meta['__line__']}: 'title' is required")
    if not isinstance(meta.get("minutes"), int):
        errors.append(f"{where}, line {meta['__line__']}: 'minutes' must be a whole number")
    check = meta.get("check")
    if not isinstance(check, list) or not check:
        errors.append(f"{where}, line {_key_line(head, 'check', meta['__line__'])}: 'check' must list at least one question")
        check = []
    for q in check:
        _check_question(q, where, errors)
    if not body.strip():
        errors.append(f"{where}: the lesson has no text after the front matter")
    if len(errors) > start:
        return None
    order, slug = _order_and_slug(path.stem)
    questions = _strip_lines(check)
    content_hash = _sha(json.dumps([meta["title"], body, questions], sort_keys=True))
    return ParsedLesson(slug=slug, order=order, title=meta["title"].strip(), minutes=meta["minutes"], body=body,
                        questions=questions, content_hash=content_hash)


def _check_question(q, where: str, errors: list[str]) -> None:
    if not isinstance(q, dict):
        errors.append(f"{where}: each check item must be a question with options")
        return
    line = q["__line__"]
    if not isinstance(q.get("question"), str) or not q["question"].strip():
        errors.append(f"{where}, line {line}: 'question' is required")
    qtype = q.get("type", "single")
    if qtype not in Question.Type.values:
        errors.append(f"{where}, line {line}: type must be single or multiple, not '{qtype}'")
    options = q.get("options")
    if not isinstance(options, list) or len(options) < 2:
        errors.append(f"{where}, line {line}: a question needs at least two options")
        return
    correct = 0
    for o in options:
        if not isinstance(o, dict):
            errors.append(f"{where}, line {line}: each option needs text, correct and explanation")
            continue
        oline = o["__line__"]
        if not isinstance(o.get("text"), str) or not o["text"].strip():
            errors.append(f"{where}, line {oline}: option 'text' is required")
        if not isinstance(o.get("correct"), bool):
            errors.append(f"{where}, line {oline}: option 'correct' must be true or false")
        if not isinstance(o.get("explanation"), str) or not o["explanation"].strip():
            errors.append(f"{where}, line {oline}: every option needs an 'explanation' that teaches")
        correct += o.get("correct") is True
    if qtype == "single" and correct != 1:
        errors.append(f"{where}, line {line}: a single-choice question needs exactly one correct option (has {correct})")
    if qtype == "multiple" and correct < 1:
        errors.append(f"{where}, line {line}: a multiple-choice question needs at least one correct option")


@dataclass
class LoadReport:
    created: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)  # a new version
    unchanged: list[str] = field(default_factory=list)
    # Answers that can be guessed without reading (courses.curriculum_quality): loaded anyway.
    warnings: list[str] = field(default_factory=list)


def module_folders(root: Path) -> list[Path]:
    return sorted(p for p in root.iterdir() if p.is_dir() and (p / "module.yaml").exists())


def load_curriculum(root: Path) -> LoadReport:
    """Check every module under `root`, then create or update them all in one transaction.
    Raises CurriculumError listing every problem (file and line) and writes nothing if any."""
    root = Path(root)
    if not root.is_dir():
        raise CurriculumError([f"{root}: not a folder"])
    folders = [root] if (root / "module.yaml").exists() else module_folders(root)
    if not folders:
        raise CurriculumError([f"{root}: no module folders (each needs a module.yaml)"])
    known_values = set(CouncilValue.objects.values_list("name", flat=True))
    parsed, errors = [], []
    for folder in folders:
        module, module_errors = parse_module(folder, known_values=known_values)
        errors.extend(module_errors)
        if module:
            parsed.append(module)
    if errors:
        raise CurriculumError(errors)
    report = LoadReport(warnings=answer_pattern_warnings(
        question for pm in parsed for lesson in pm.lessons for question in lesson.questions))
    with transaction.atomic():
        for pm in parsed:
            _save_module(pm, report)
    return report


def _save_module(pm: ParsedModule, report: LoadReport) -> None:
    module = Module.objects.filter(slug=pm.slug).first()
    new_hash = pm.content_hash
    if module and module.content_hash == new_hash:
        # The same content, so the same version; a lesson's estimated minutes are not content (no one
        # must redo a lesson for them), so they are brought up to date here.
        for pl in pm.lessons:
            Lesson.objects.filter(module=module, slug=pl.slug).exclude(minutes=pl.minutes).update(minutes=pl.minutes)
        report.unchanged.append(pm.slug)
        return
    fields = {"title": pm.title, "summary": pm.summary, "estimated_minutes": pm.estimated_minutes, "audience": pm.audience,
                  "principles": pm.principles, "pass_mark": pm.pass_mark, "confidence_question": pm.confidence_question,
                  "order": pm.order, "content_hash": new_hash}
    if module is None:
        module = Module.objects.create(slug=pm.slug, published=True, version=1, **fields)
        report.created.append(pm.slug)
    else:
        for k, v in fields.items():
            setattr(module, k, v)
        module.version += 1
        module.save()
        report.updated.append(pm.slug)
    module.values.set(CouncilValue.objects.filter(name__in=pm.values))

    existing = {lesson.slug: lesson for lesson in module.lessons.all()}
    changed_lessons = []
    for pl in pm.lessons:
        lesson = existing.pop(pl.slug, None)
        if lesson is not None and lesson.content_hash == pl.content_hash:
            if lesson.order != pl.order or lesson.retired or lesson.minutes != pl.minutes:
                lesson.order, lesson.retired, lesson.minutes = pl.order, False, pl.minutes
                lesson.save(update_fields=["order", "retired", "minutes"])
            continue
        if lesson is None:
            lesson = Lesson.objects.create(module=module, slug=pl.slug, order=pl.order, title=pl.title,
                                           minutes=pl.minutes, body=pl.body, content_hash=pl.content_hash)
        else:
            lesson.order, lesson.title, lesson.minutes, lesson.body = pl.order, pl.title, pl.minutes, pl.body
            lesson.content_hash, lesson.retired = pl.content_hash, False
            lesson.save()
            lesson.questions.all().delete()  # and with them the answers given to the old questions
            changed_lessons.append(lesson)
        for qi, q in enumerate(pl.questions):
            question = Question.objects.create(lesson=lesson, order=qi, text=q["question"], type=q.get("type", "single"))
            Option.objects.bulk_create([
                Option(question=question, order=oi, text=o["text"], correct=o["correct"], explanation=o["explanation"])
                for oi, o in enumerate(q["options"])
            ])
    for gone in existing.values():  # lessons no longer in the module
        if not gone.retired:
            gone.retired = True
            gone.save(update_fields=["retired"])
    if changed_lessons:
        # Someone part-way through must redo a lesson whose content changed; finished people stay finished.
        LessonProgress.objects.filter(lesson__in=changed_lessons).exclude(
            enrolment__status=Enrolment.Status.COMPLETED).delete()
