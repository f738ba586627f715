"""HR creating and editing surveys: from the shipped templates, their settings (title, introduction, mode
while no wave has opened), their sections and questions (until the first wave opens), copying and deleting."""


from django.core.exceptions import ValidationError
from django.db import transaction

from organisation.models import User
from organisation.services import audit_record
from surveys.models import Question, Section, Survey
from surveys.services.rules import CHOICE_TYPES, optional_not_text, survey_check, survey_mode_locked


@transaction.atomic
def survey_create_from_template(*, actor: User | None, key: str, title: str | None = None,
                                mode: str | None = None) -> Survey:
    """A survey copied from a shipped template, in the template's mode unless another is given."""
    from surveys.shipped import TEMPLATES, comment_hint_for

    template = next((t for t in TEMPLATES if t["key"] == key), None)
    if template is None:
        raise ValidationError(f"No survey template called {key!r}")
    mode = mode or template["mode"]
    survey = Survey.objects.create(title=title or template["title"], introduction=template["introduction"],
                                   mode=mode, template_key=key, created_by=actor)
    for si, sec in enumerate(template["sections"]):
        section = Section.objects.create(survey=survey, order=si, title=sec["title"])
        for qi, q in enumerate(sec["questions"]):
            Question.objects.create(
                survey=survey, section=section, order=qi, text=q["text"],
                help_text=comment_hint_for(mode, q.get("help_text", "")) if q["type"] == "text" else q.get("help_text", ""),
                type=q["type"], required=q.get("required", True), choices=q.get("choices", []),
                dimension=q.get("dimension", ""),
            )
    survey_check(survey)
    return survey


@transaction.atomic
def survey_create(*, actor: User, key: str, title: str = "", mode: str | None = None) -> Survey:
    survey = survey_create_from_template(actor=actor, key=key, title=title or None, mode=mode)
    audit_record(actor=actor, action="survey created", target=survey.title,
                 detail={"survey": survey.pk, "template": key, "mode": survey.mode})
    return survey


@transaction.atomic
def survey_settings_update(*, actor: User, survey: Survey, title: str, mode: str,
                           introduction: str | None = None) -> Survey:
    """Change a survey's title, introduction and, while none of its waves has opened, its mode (DESIGN.md:
    fixed when the first wave opens). The survey row is locked so the check and the change go together."""
    survey = Survey.objects.select_for_update().get(pk=survey.pk)
    changed = {}
    if introduction is not None and introduction != survey.introduction:
        changed["introduction"] = [survey.introduction, introduction]
        survey.introduction = introduction
    if mode != survey.mode:
        if survey_mode_locked(survey):
            raise ValidationError({"mode": "The mode is fixed: a wave of this survey has already opened."})
        changed["mode"] = [survey.mode, mode]
        survey.mode = mode
    if title != survey.title:
        changed["title"] = [survey.title, title]
        survey.title = title
    if not changed:
        return survey
    survey.full_clean(exclude=["created_by"])  # surveys made by the system (demo, tests) have none
    broken = optional_not_text(survey) if "mode" in changed else ""
    if broken:
        raise ValidationError({"mode": broken + ". Make them required first."})
    survey.save(update_fields=[f for f in ("title", "mode", "introduction") if f in changed])
    if "mode" in changed:
        _comment_hints_follow_mode(survey)
    audit_record(actor=actor, action="survey changed", target=survey.title, detail={"survey": survey.pk, **changed})
    return survey


def _comment_hints_follow_mode(survey: Survey) -> None:
    """The templates' "leave out names" hint on free-text questions differs between anonymous and named
    surveys (surveys.shipped.comment_hint_for): a survey whose mode changes gets the other one."""
    from surveys.shipped import comment_hint_for

    for question in survey.questions.filter(type=Question.Type.TEXT):
        hint = comment_hint_for(survey.mode, question.help_text)
        if hint != question.help_text:
            question.help_text = hint
            question.save(update_fields=["help_text"])


# Questions can change until the survey's first wave opens, then never (staff have answered them, and a
# question made optional afterwards would let figures be told apart across questions). Every write locks
# the survey row first: wave_open locks it too, so an edit and an opening cannot interleave.

MAX_CHOICES = 20


CHOICE_MAX_LENGTH = 200


class EditRefused(Exception):
    """An edit that cannot be made: the message says why, in words for HR."""


class QuestionsLocked(EditRefused):
    def __init__(self, message="A wave of this survey has opened, so its questions can no longer be changed."):
        super().__init__(message)


class EditGone(EditRefused):
    def __init__(self, message="That was removed in the meantime (perhaps in another tab), so nothing was changed."):
        super().__init__(message)


def _fresh(model, pk, survey: Survey):
    """The row as it is now, under the survey's lock (the caller's copy was read before it), or EditGone."""
    row = model.objects.filter(pk=pk, survey=survey).first()
    if row is None:
        raise EditGone
    return row


def _editable(survey_id: int) -> Survey:
    survey = Survey.objects.select_for_update().get(pk=survey_id)
    if survey_mode_locked(survey):
        raise QuestionsLocked
    return survey


def _renumber(items) -> None:
    """Give items (sections, or one section's questions, in the order wanted) the orders 0, 1, 2, ..."""
    changed = []
    for i, item in enumerate(items):
        if item.order != i:
            item.order = i
            changed.append(item)
    if changed:
        type(changed[0]).objects.bulk_update(changed, ["order"])


def _sections(survey: Survey) -> list[Section]:
    return list(survey.sections.order_by("order", "pk"))


def _questions(section: Section) -> list[Question]:
    return list(section.questions.order_by("order", "pk"))


def _section_detail(section: Section) -> dict:
    return {"survey": section.survey_id, "section": section.pk}


@transaction.atomic
def section_add(*, actor: User, survey: Survey, title: str) -> Section:
    survey = _editable(survey.pk)
    sections = _sections(survey)
    _renumber(sections)  # orders left with gaps or ties (by the admin, say) must not put the new one mid-way
    section = Section(survey=survey, title=title.strip(), order=len(sections))
    section.full_clean()
    section.save()
    audit_record(actor=actor, action="survey section added", target=survey.title,
                 detail={**_section_detail(section), "title": section.title})
    return section


@transaction.atomic
def section_change(*, actor: User, section: Section, title: str) -> Section:
    survey = _editable(section.survey_id)
    section = _fresh(Section, section.pk, survey)
    before, section.title = section.title, title.strip()
    section.full_clean()
    if before != section.title:
        section.save(update_fields=["title"])
        audit_record(actor=actor, action="survey section changed", target=survey.title,
                     detail={**_section_detail(section), "title": [before, section.title]})
    return section


@transaction.atomic
def section_remove(*, actor: User, section: Section) -> int:
    """Remove a section and its questions; returns how many questions went with it (none if it had
    already gone: a second click finds nothing more to do)."""
    survey = _editable(section.survey_id)
    section = Section.objects.filter(pk=section.pk, survey=survey).first()
    if section is None:
        return 0
    questions = list(section.questions.values_list("text", flat=True))
    detail = {**_section_detail(section), "title": section.title, "questions": questions}
    section.delete()
    _renumber(_sections(survey))
    audit_record(actor=actor, action="survey section removed", target=survey.title, detail=detail)
    return len(questions)


@transaction.atomic
def section_move(*, actor: User, section: Section, by: int) -> None:
    """Move a section one place up (by=-1) or down (by=1); at either end it stays where it is."""
    survey = _editable(section.survey_id)
    _move(actor, survey, _sections(survey), _fresh(Section, section.pk, survey).pk, by, "survey section moved")


@transaction.atomic
def question_move(*, actor: User, question: Question, by: int) -> None:
    """Move a question one place up (by=-1) or down (by=1) within its section."""
    survey = _editable(question.survey_id)
    question = _fresh(Question, question.pk, survey)
    _move(actor, survey, _questions(question.section), question.pk, by, "survey question moved")


def _move(actor, survey, items, pk, by, action) -> None:
    if by not in (-1, 1):
        raise ValueError("Move by one place, up or down")
    _renumber(items)
    i = next(i for i, item in enumerate(items) if item.pk == pk)
    j = i + by
    if not 0 <= j < len(items):
        return
    items[i], items[j] = items[j], items[i]
    _renumber(items)
    audit_record(actor=actor, action=action, target=survey.title,
                 detail={"survey": survey.pk, "id": pk, "from": i + 1, "to": j + 1})


def _target_section(section: Section, survey: Survey) -> Section:
    """The section a question goes into, as it is now under the lock: of this survey, and still there."""
    fresh = Section.objects.filter(pk=section.pk, survey=survey).first()
    if fresh is None:
        raise ValidationError({"section": ["That section is no longer in this survey. Choose another."]})
    return fresh


def _end_of(section: Section) -> int:
    """The order a question added at the end of a section gets (its questions renumbered first)."""
    questions = _questions(section)
    _renumber(questions)
    return len(questions)


def choice_ids(old: list[dict], texts: list[str]) -> list[dict]:
    """Choices for `texts`, keeping the id of any old choice with the same text (ids are what answers
    store) and giving new ones ids none of the old choices has. An id dropped in an earlier edit may come
    back: harmless, as questions only change before any wave opens, so no answer holds an old id."""
    by_text = {c["text"]: c["id"] for c in old}
    taken = {c["id"] for c in old}
    fresh = (f"{letter}{n or ''}" for n in range(10_000) for letter in "abcdefghijklmnopqrstuvwxyz")
    out = []
    for text in texts:
        if text in by_text:
            out.append({"id": by_text.pop(text), "text": text})
            continue
        new = next(i for i in fresh if i not in taken)
        taken.add(new)
        out.append({"id": new, "text": text})
    return out


def question_errors(*, survey: Survey, type: str, required: bool, choices: list[str], dimension: str,
                    values: list) -> dict[str, list[str]]:
    """What is wrong with a question's settings, by field (the form shows them beside each field)."""
    errors: dict[str, list[str]] = {}
    if type in CHOICE_TYPES:
        if len(choices) < 2:
            errors["choices"] = ["Enter at least two choices, one on each line."]
        elif len(choices) > MAX_CHOICES:
            errors["choices"] = [f"Enter at most {MAX_CHOICES} choices."]
        elif any(len(c) > CHOICE_MAX_LENGTH for c in choices):
            errors["choices"] = [f"Each choice must be {CHOICE_MAX_LENGTH} characters or fewer."]
        elif len({c.casefold() for c in choices}) < len(choices):
            errors["choices"] = ["Each choice must be different."]
    elif choices:
        errors["choices"] = ["Only \u201cChoose one\u201d and \u201cChoose any\u201d questions have choices. "
                             "Clear this box, or change the type."]
    if survey.mode == Survey.Mode.ANONYMOUS and not required and type != Question.Type.TEXT:
        errors["required"] = ["In an anonymous survey only free-text questions can be optional, so that every "
                              "figure counts the same people."]
    if type != Question.Type.AGREE5:
        if dimension:
            errors["dimension"] = ["Only agreement questions are scored, so only they can measure a dimension. "
                                   "Choose \u201cNone\u201d, or make it an agreement question."]
        if values:
            errors["values"] = ["Only agreement questions are scored, so only they can be tagged with a value."]
    return errors


def _question_write(question: Question, *, text, help_text, type, required, choices, dimension, values) -> dict:
    """Set a question's fields after checking them; returns what changed (for the audit log)."""
    survey = question.survey
    errors = question_errors(survey=survey, type=type, required=required, choices=choices, dimension=dimension,
                             values=values)
    if errors:
        raise ValidationError(errors)
    before = {"text": question.text, "help_text": question.help_text, "type": question.type,
              "required": question.required, "choices": [c["text"] for c in question.choices],
              "dimension": question.dimension,
              "values": sorted(question.values.values_list("name", flat=True)) if question.pk else []}
    question.text, question.help_text, question.type = text.strip(), help_text.strip(), type
    question.required, question.dimension = required, dimension
    question.choices = choice_ids(question.choices, choices) if type in CHOICE_TYPES else []
    question.full_clean(exclude=["survey", "section", "values"])
    question.save()
    question.values.set(values)
    after = {"text": question.text, "help_text": question.help_text, "type": type, "required": required,
             "choices": [c["text"] for c in question.choices], "dimension": dimension,
             "values": sorted(v.name for v in values)}
    return {k: [before[k], after[k]] for k in after if before[k] != after[k]}


@transaction.atomic
def question_add(*, actor: User, section: Section, text: str, type: str, required: bool, help_text: str = "",
                 choices: list[str] = (), dimension: str = "", values: list = ()) -> Question:
    """Add a question at the end of a section. Raises ValidationError (by field) or QuestionsLocked."""
    survey = _editable(section.survey_id)
    section = _target_section(section, survey)
    question = Question(survey=survey, section=section, order=_end_of(section))
    _question_write(question, text=text, help_text=help_text, type=type, required=required,
                    choices=list(choices), dimension=dimension, values=list(values))
    audit_record(actor=actor, action="survey question added", target=survey.title,
                 detail={"survey": survey.pk, "question": question.pk, "section": section.pk, "text": question.text})
    return question


@transaction.atomic
def question_change(*, actor: User, question: Question, section: Section, text: str, type: str, required: bool,
                    help_text: str = "", choices: list[str] = (), dimension: str = "",
                    values: list = ()) -> Question:
    """Change a question, and move it to the end of another section of the same survey if asked."""
    survey = _editable(question.survey_id)
    question = _fresh(Question, question.pk, survey)
    if section.pk != question.section_id:
        section = _target_section(section, survey)
    changed = _question_write(question, text=text, help_text=help_text, type=type, required=required,
                              choices=list(choices), dimension=dimension, values=list(values))
    if section.pk != question.section_id:
        old = Section.objects.get(pk=question.section_id)
        changed["section"] = [old.title, section.title]
        question.order = _end_of(section)
        question.section = section
        question.save(update_fields=["section", "order"])
        _renumber(_questions(old))
    if changed:
        audit_record(actor=actor, action="survey question changed", target=survey.title,
                     detail={"survey": survey.pk, "question": question.pk, **changed})
    return question


@transaction.atomic
def question_remove(*, actor: User, question: Question) -> None:
    survey = _editable(question.survey_id)
    question = Question.objects.filter(pk=question.pk, survey=survey).first()
    if question is None:
        return  # already removed: a second click finds nothing more to do
    section = Section.objects.get(pk=question.section_id)
    detail = {"survey": survey.pk, "question": question.pk, "text": question.text}
    question.delete()
    _renumber(_questions(section))
    audit_record(actor=actor, action="survey question removed", target=survey.title, detail=detail)


@transaction.atomic
def survey_copy(*, actor: User, survey: Survey, title: str) -> Survey:
    """A new survey with the same introduction, mode and questions (choices, tags and all), which can be
    edited until its own first wave opens: how HR asks different questions once a survey's are fixed."""
    copy = Survey(title=title.strip(), introduction=survey.introduction, mode=survey.mode,
                  template_key=survey.template_key, created_by=actor)
    copy.full_clean()
    copy.save()
    for section in survey.sections.order_by("order", "pk").prefetch_related("questions__values"):
        new_section = Section.objects.create(survey=copy, order=section.order, title=section.title)
        for q in section.questions.all():
            values = list(q.values.all())
            new = Question.objects.create(
                survey=copy, section=new_section, order=q.order, text=q.text, help_text=q.help_text, type=q.type,
                required=q.required, choices=q.choices, dimension=q.dimension, max_length=q.max_length)
            new.values.set(values)
    audit_record(actor=actor, action="survey copied", target=copy.title,
                 detail={"survey": copy.pk, "from": survey.pk, "questions": copy.questions.count()})
    return copy


class SurveyInUse(Exception):
    def __init__(self, message="This survey has waves, so it cannot be deleted: their results are kept. "
                               "Cancel a scheduled wave first; a survey with an opened wave stays."):
        super().__init__(message)


@transaction.atomic
def survey_delete(*, actor: User, survey: Survey) -> None:
    """Delete a survey that has never had a wave (a scheduled one must be cancelled first): nobody was
    invited and nothing was answered. A survey with waves keeps its results, so it cannot be deleted."""
    survey = Survey.objects.select_for_update().get(pk=survey.pk)
    if survey.waves.exists():
        raise SurveyInUse
    audit_record(actor=actor, action="survey deleted", target=survey.title,
                 detail={"survey": survey.pk, "questions": survey.questions.count()})
    survey.delete()
