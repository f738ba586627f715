"""Writes for surveys: creating surveys (from shipped templates), running waves, taking responses.

The anonymity rules these keep (DESIGN.md):
- mode and thresholds are copied onto a wave when it opens and never change after; a survey's mode is
  fixed once any of its waves has opened;
- in an anonymous survey only free-text questions may be optional, so every figure counts the same
  people and none can be differenced across questions;
- a submit first marks the person's participation (locked row: a double click, second tab or replay
  finds it already done), then, in a separate transaction, writes the answer sheet with no person and
  no time; if that write fails the participation mark is undone;
- the ballot box: an anonymous sheet is held (HeldResponse), and stored as a Response only in a shuffled
  batch of at least the minimum group, or with all the others when the wave closes, so neither the order
  nor the transaction it was stored in follows who sent it; a wave closes only with its box empty;
- which cells may be shown is decided once, when the wave closes (surveys.suppression).
"""

import logging
import random
from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from organisation.models import CouncilSettings, Department, EqualityData, StaffProfile, User
from organisation.selectors import subtree_ids
from organisation.services import audit_record
from surveys import suppression
from surveys.models import Answer, HeldResponse, Participation, Question, Response, Section, Survey, Wave
from surveys.scrub import Scrubber
from surveys.selectors import current_tree

CHOICE_TYPES = (Question.Type.SINGLE, Question.Type.MULTIPLE)
logger = logging.getLogger(__name__)

SEGMENT_ATTRIBUTES = ["work_pattern", "contract", "has_work_email", "grade_band"]
EQUALITY_ATTRIBUTES = ["age_band", "sex", "ethnicity_group", "disability"]


class AlreadyResponded(Exception):
    pass


class NotInvited(Exception):
    pass


class WaveNotOpen(Exception):
    pass


# --- Surveys --------------------------------------------------------------------------------------

def survey_mode_locked(survey: Survey) -> bool:
    return survey.waves.exclude(status=Wave.Status.SCHEDULED).exists()


def survey_problems(survey: Survey) -> list[str]:
    """What stops a wave of this survey from opening, in plain words (empty when it is ready): no
    questions, a choice question with fewer than two choices, or, in an anonymous survey, an optional
    question that is not free text."""
    questions = list(survey.questions.only("text", "type", "required", "choices"))
    problems = []
    if not questions:
        problems.append("The survey has no questions. Add at least one.")
    thin = [q.text for q in questions if q.type in CHOICE_TYPES and len(q.choices) < 2]
    if thin:
        problems.append("A choice question needs at least two choices: " + "; ".join(thin[:3]))
    optional = optional_not_text(survey, questions)
    if optional:
        problems.append(optional)
    return problems


def optional_not_text(survey: Survey, questions=None, *, mode: str | None = None) -> str:
    """The anonymity rule on optional questions, broken (a message) or kept (empty), for the survey in its
    mode or in the `mode` it would change to."""
    if (mode or survey.mode) != Survey.Mode.ANONYMOUS:
        return ""
    if questions is None:
        questions = survey.questions.only("text", "type", "required")
    optional = [q.text for q in questions if not q.required and q.type != Question.Type.TEXT]
    if not optional:
        return ""
    return "In an anonymous survey only free-text questions can be optional: " + "; ".join(optional[:3])


def survey_check(survey: Survey) -> None:
    """Raise ValidationError if the survey cannot be sent as it is (survey_problems)."""
    problems = survey_problems(survey)
    if problems:
        raise ValidationError(problems)


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


# --- Waves ----------------------------------------------------------------------------------------

def staff_population(departments, include_subdepartments: bool):
    """Active staff in the given departments (and those beneath them, if asked); everyone when none
    are given."""
    staff = StaffProfile.objects.filter(active=True, user__is_active=True)
    departments = list(departments)
    if not departments:
        return staff
    ids = subtree_ids(*departments) if include_subdepartments else [d.pk for d in departments]
    return staff.filter(department_id__in=ids)


def wave_population(wave: Wave):
    """Active staff the wave is sent to."""
    return staff_population(wave.departments.all(), wave.include_subdepartments)


def thresholds() -> tuple[int, int]:
    """The minimum group for figures (never below 3) and for comments (never below the first), as a
    wave opening now would fix them from the council's settings."""
    council = CouncilSettings.load()
    n = max(3, council.min_group_size)
    return n, max(n, council.min_comment_group_size)


def wave_open(*, wave_id: int, now=None) -> Wave:
    """Open a scheduled wave whose time has come: fix its mode and thresholds and record who is invited.
    Running it again does nothing."""
    now = now or timezone.now()
    with transaction.atomic():
        # select_related under select_for_update locks the survey row too, so survey_settings_update
        # (which locks it as well) cannot change the mode between this copy and the wave opening.
        wave = Wave.objects.select_for_update().select_related("survey").get(pk=wave_id)
        if wave.status != Wave.Status.SCHEDULED or wave.opens_at > now:
            return wave
        survey_check(wave.survey)
        wave.mode = wave.survey.mode
        wave.min_group_size, wave.min_comment_group_size = thresholds()
        people = list(wave_population(wave).values("pk", "department_id", *SEGMENT_ATTRIBUTES))
        Participation.objects.bulk_create(
            [Participation(wave=wave, profile_id=p["pk"], department_id=p["department_id"],
                           **{a: p[a] for a in SEGMENT_ATTRIBUTES}) for p in people],
            batch_size=1000, ignore_conflicts=True,
        )
        wave.invited_count = len(people)
        wave.status = Wave.Status.OPEN
        wave.save()
    return wave


def wave_attributes(wave: Wave) -> list[str]:
    """Attributes figures may be filtered by: the staff attributes, and equality data only where the
    wave has some (it is optional and consented)."""
    attrs = list(SEGMENT_ATTRIBUTES)
    for a in EQUALITY_ATTRIBUTES:
        if wave.responses.exclude(**{a: ""}).exists():
            attrs.append(a)
    return attrs


def release_compute(wave: Wave, tree: suppression.Tree | None = None) -> dict:
    """The suppression decision for a wave: figures (threshold N over responses) and comments
    (the comment threshold over people who wrote a comment), for every cell the product offers."""
    population_rows = list(Participation.objects.filter(wave=wave).values("department_id", *SEGMENT_ATTRIBUTES))
    response_fields = ["pk", "department_id", *SEGMENT_ATTRIBUTES, *EQUALITY_ATTRIBUTES]
    commenters = set(Answer.objects.filter(response__wave=wave, question__type=Question.Type.TEXT)
                     .exclude(text="").values_list("response_id", flat=True))
    return suppression.release_for(
        tree=tree or current_tree(), attributes=wave_attributes(wave), invited=population_rows,
        responses=list(wave.responses.values(*response_fields)), commenters=commenters,
        n=wave.min_group_size, n_comments=wave.min_comment_group_size, segment_attributes=SEGMENT_ATTRIBUTES)


def wave_close(*, wave_id: int, now=None) -> Wave:
    """Close an open wave whose time is up and decide, once, which figures may be shown."""
    now = now or timezone.now()
    with transaction.atomic():
        wave = Wave.objects.select_for_update().get(pk=wave_id)
        if wave.status != Wave.Status.OPEN or wave.closes_at > now:
            return wave
        # The ballot box is emptied first, under the wave's lock (submits take it too, so nothing joins the
        # box after this): the release is decided over every response, each counted once.
        held_responses_move(wave_id=wave.pk, everything=True)
        if HeldResponse.objects.filter(wave_id=wave.pk).exists():
            raise RuntimeError(f"Wave {wave.pk} still has held responses: it cannot close yet")
        wave.released = release_compute(wave)
        wave.status = Wave.Status.CLOSED
        wave.save(update_fields=["released", "status"])
    return wave


def waves_tick(now=None) -> tuple[int, int]:
    """Open and close the waves whose times have come (run every minute by Celery beat)."""
    now = now or timezone.now()
    opened = closed = 0
    # A wave whose closing time passed before it could open (its survey could not be sent) stays
    # scheduled, for HR to change or cancel: the survey's page says so.
    due = Wave.objects.filter(status=Wave.Status.SCHEDULED, opens_at__lte=now, closes_at__gt=now)
    for pk in due.values_list("pk", flat=True):
        try:
            opened += wave_open(wave_id=pk, now=now).status == Wave.Status.OPEN
        except ValidationError as error:
            # The survey cannot be sent as it is (its page says why): this wave waits, the others go on.
            logger.warning("Wave %s not opened: %s", pk, " ".join(error.messages))
    for pk in Wave.objects.filter(status=Wave.Status.OPEN, closes_at__lte=now).values_list("pk", flat=True):
        closed += wave_close(wave_id=pk, now=now).status == Wave.Status.CLOSED
    return opened, closed


# --- Responding -------------------------------------------------------------------------------------

def _scrubber() -> Scrubber:
    """Built once per submit from everyone's names and staff numbers (three queries, names distinct)."""
    return Scrubber(first_names=User.objects.values_list("first_name", flat=True).distinct().order_by(),
                    last_names=User.objects.values_list("last_name", flat=True).distinct().order_by(),
                    staff_numbers=StaffProfile.objects.values_list("staff_number", flat=True).order_by())


def response_submit(*, profile: StaffProfile, wave: Wave, answers: dict[int, dict]) -> None:
    """Record one response. `answers` maps question id to {"number": int} / {"choices": [ids]} /
    {"text": str}, already validated by the form. Raises WaveNotOpen, NotInvited or AlreadyResponded.
    An anonymous sheet goes into the ballot box (held_responses_move stores it later); a named one is
    stored at once."""
    if wave.status != Wave.Status.OPEN:
        raise WaveNotOpen
    # 1. Mark participation (its own transaction; the row lock makes a second submit wait, then fail).
    with transaction.atomic():
        part = Participation.objects.select_for_update().filter(wave=wave, profile=profile).first()
        if part is None:
            raise NotInvited
        if part.responded:
            raise AlreadyResponded
        part.responded = True
        part.save(update_fields=["responded"])
    # 2. Write the answer sheet, with no link to the person (anonymous) and no time, in another transaction.
    try:
        _write_response(profile=profile, wave=wave, answers=answers)
    except Exception:
        Participation.objects.filter(pk=part.pk).update(responded=False)
        raise


def _answer_sheet(*, profile: StaffProfile, answers: dict[int, dict]) -> dict:
    """What is kept of a submit: the person's coarse segments and their answers, comments scrubbed."""
    equality = EqualityData.objects.filter(profile=profile).first()
    segments = {"department_id": profile.department_id, **{a: getattr(profile, a) for a in SEGMENT_ATTRIBUTES}}
    if equality is not None:
        segments.update({a: getattr(equality, a) for a in EQUALITY_ATTRIBUTES})
    clean_text = _scrubber() if any("text" in a for a in answers.values()) else None
    return {"segments": segments,
            "answers": [{"question": qid, "number": a.get("number"), "choices": a.get("choices", []),
                         "text": clean_text(a["text"]) if a.get("text") else ""} for qid, a in answers.items()]}


def _store(wave_id: int, sheet: dict, *, profile: StaffProfile | None, anonymous: bool) -> tuple[Response, list[Answer]]:
    """A Response and its Answers from an answer sheet, not yet saved."""
    response = Response(wave_id=wave_id, profile=profile, anonymous=anonymous, **sheet["segments"])
    return response, [Answer(response=response, question_id=a["question"], number=a["number"], choices=a["choices"],
                             text=a["text"]) for a in sheet["answers"]]


def _write_response(*, profile: StaffProfile, wave: Wave, answers: dict[int, dict]) -> None:
    sheet = _answer_sheet(profile=profile, answers=answers)
    with transaction.atomic():
        # Under the wave's lock (wave_close takes it too), so nothing joins the box, or the responses,
        # of a wave that has closed or is closing: its release counts every response exactly once.
        locked = Wave.objects.select_for_update().only("status", "mode", "min_group_size").get(pk=wave.pk)
        if locked.status != Wave.Status.OPEN:
            raise WaveNotOpen
        if locked.mode == Survey.Mode.NAMED:
            # Nothing to hide in a named survey (the response carries the person): stored at once.
            response, rows = _store(locked.pk, sheet, profile=profile, anonymous=False)
            response.save()
            Answer.objects.bulk_create(rows)
            return
        HeldResponse.objects.create(wave_id=locked.pk, sheet=sheet)
        if HeldResponse.objects.filter(wave_id=locked.pk).count() >= _batch_size(locked):
            # robust: if the broker is down, the sheet is already safe in the box and the person gets their
            # thanks, not an error page; beat's sweep stores it later. A lambda, not functools.partial: Django
            # logs a robust callback's failure by its __qualname__, which a partial lacks, so the logging
            # itself raised, the submit failed after its commit and its participation mark was undone.
            wave_id = locked.pk
            transaction.on_commit(lambda: _queue_move(wave_id), robust=True)


def _queue_move(wave_id: int) -> None:
    from surveys import tasks

    tasks.held_responses_move.delay(wave_id)


def _batch_size(wave: Wave) -> int:
    """The fewest held sheets stored together before the wave closes: its minimum group."""
    return wave.min_group_size or thresholds()[0]


def held_responses_move(*, wave_id: int, everything: bool = False) -> int:
    """Empty the wave's ballot box into the response tables, if it holds at least the wave's minimum group
    (or whatever it holds, with `everything`, as the wave closes). The sheets are shuffled, stored and
    deleted from the box in one transaction, so every response in a batch has the same transaction id and
    their physical order is random. Returns how many were moved; running it again moves nothing twice.

    Everything that writes a wave's box (a submit, a sweep, the close) holds the wave's row lock: two
    sweeps at once run one after the other (the second finds the box empty), and the locks are always
    taken in one order (wave, then box), so a sweep and a close cannot deadlock. On SQLite, write
    transactions are IMMEDIATE and run one at a time anyway."""
    with transaction.atomic():
        wave = Wave.objects.select_for_update().filter(pk=wave_id).only("min_group_size").first()
        if wave is None:
            return 0
        sheets = list(HeldResponse.objects.filter(wave_id=wave_id))
        if not sheets or (len(sheets) < _batch_size(wave) and not everything):
            return 0
        random.SystemRandom().shuffle(sheets)
        responses, answers = [], []
        for held_row in sheets:
            response, rows = _store(wave_id, held_row.sheet, profile=None, anonymous=True)
            responses.append(response)
            answers += rows
        Response.objects.bulk_create(responses)
        Answer.objects.bulk_create(answers)
        HeldResponse.objects.filter(pk__in=[h.pk for h in sheets]).delete()
    return len(sheets)


def held_responses_sweep() -> int:
    """Move every wave's held responses that make a batch (run every few minutes by Celery beat, in case a
    move queued after a submit was lost)."""
    wave_ids = HeldResponse.objects.values_list("wave_id", flat=True).distinct().order_by()
    return sum(held_responses_move(wave_id=pk) for pk in list(wave_ids))


@transaction.atomic
def comment_hide(*, actor: User, answer: Answer, hidden: bool = True) -> Answer:
    answer.hidden = hidden
    answer.save(update_fields=["hidden"])
    audit_record(actor=actor, action="survey comment hidden" if hidden else "survey comment shown again",
                 target=str(answer.question.survey), detail={"wave": answer.response.wave_id})
    return answer


def participation_for(wave: Wave, profiles: Iterable[StaffProfile]):
    return Participation.objects.filter(wave=wave, profile__in=profiles)


# --- HR: changing surveys and running waves by hand ---------------------------------------------------------

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


@transaction.atomic
def wave_schedule(*, actor: User, survey: Survey, name: str, opens_at, closes_at,
                  departments: list[Department], include_subdepartments: bool) -> Wave:
    survey = Survey.objects.select_for_update().get(pk=survey.pk)  # survey_delete locks it too
    wave = Wave(survey=survey, name=name, opens_at=opens_at, closes_at=closes_at,
                include_subdepartments=include_subdepartments, created_by=actor)
    wave.full_clean()
    wave.save()
    wave.departments.set(departments)
    audit_record(actor=actor, action="survey wave scheduled", target=str(wave),
                 detail={"wave": wave.pk, **_schedule_detail(opens_at, closes_at, [d.pk for d in departments],
                                                             include_subdepartments)})
    return wave


def _schedule_detail(opens_at, closes_at, department_ids: list[int], include_subdepartments: bool) -> dict:
    """A wave's schedule as the audit log records it."""
    return {"opens_at": opens_at.isoformat(), "closes_at": closes_at.isoformat(), "departments": department_ids,
            "include_subdepartments": include_subdepartments}


class WaveNotReady(Exception):
    pass


def wave_reschedule(*, actor: User, wave: Wave, name: str, opens_at, closes_at,
                    departments: list[Department], include_subdepartments: bool) -> Wave:
    """Change a wave that has not opened yet: its name, times and who it is sent to. Raises WaveNotReady
    once it has opened (its population and thresholds are then fixed)."""
    with transaction.atomic():
        locked = Wave.objects.select_for_update().get(pk=wave.pk)
        if locked.status != Wave.Status.SCHEDULED:
            raise WaveNotReady("This wave has already opened, so it can no longer be changed.")
        before = {"name": locked.name, **_schedule_detail(locked.opens_at, locked.closes_at,
                                                         sorted(locked.departments.values_list("pk", flat=True)),
                                                         locked.include_subdepartments)}
        locked.name, locked.opens_at, locked.closes_at = name, opens_at, closes_at
        locked.include_subdepartments = include_subdepartments
        locked.full_clean(exclude=["created_by"])  # waves made by the system (demo, tests) have none
        locked.save(update_fields=["name", "opens_at", "closes_at", "include_subdepartments"])
        locked.departments.set(departments)
        after = {"name": name, **_schedule_detail(opens_at, closes_at, sorted(d.pk for d in departments),
                                                  include_subdepartments)}
        changed = {k: [before[k], after[k]] for k in after if before[k] != after[k]}
        if changed:
            audit_record(actor=actor, action="survey wave changed", target=str(locked), detail={"wave": locked.pk, **changed})
    return locked


def wave_cancel(*, actor: User, wave: Wave) -> None:
    """Cancel a wave that has not opened: nobody has been invited, so it is simply removed (audited).
    Raises WaveNotReady once it has opened (close it instead)."""
    with transaction.atomic():
        locked = Wave.objects.select_for_update().get(pk=wave.pk)
        if locked.status != Wave.Status.SCHEDULED:
            raise WaveNotReady("This wave has already opened, so it cannot be cancelled. Close it instead.")
        audit_record(actor=actor, action="survey wave cancelled", target=str(locked),
                     detail={"wave": locked.pk, "survey": locked.survey_id, "opens_at": locked.opens_at.isoformat()})
        locked.delete()


def wave_open_now(*, actor: User, wave: Wave) -> Wave:
    """Open a scheduled wave now (rather than at its opening time). Raises WaveNotReady, or
    ValidationError if the survey breaks the anonymity rules."""
    now = timezone.now()
    with transaction.atomic():
        locked = Wave.objects.select_for_update().get(pk=wave.pk)
        if locked.status != Wave.Status.SCHEDULED:
            raise WaveNotReady("This wave has already opened.")
        if locked.closes_at <= now:
            raise WaveNotReady("This wave's closing time has passed. Schedule a new wave instead.")
        locked.opens_at = now
        locked.save(update_fields=["opens_at"])
        opened = wave_open(wave_id=locked.pk, now=now)
        audit_record(actor=actor, action="survey wave opened now", target=str(opened),
                     detail={"wave": opened.pk, "invited": opened.invited_count})
    return opened


def wave_close_now(*, actor: User, wave: Wave) -> Wave:
    """Close an open wave now (rather than at its closing time); the release is decided as it closes."""
    now = timezone.now()
    with transaction.atomic():
        locked = Wave.objects.select_for_update().get(pk=wave.pk)
        if locked.status != Wave.Status.OPEN:
            raise WaveNotReady("Only an open wave can be closed.")
        locked.closes_at = now
        locked.save(update_fields=["closes_at"])
        closed = wave_close(wave_id=locked.pk, now=now)
        audit_record(actor=actor, action="survey wave closed now", target=str(closed), detail={"wave": closed.pk})
    return closed


# --- HR: editing a survey's sections and questions ------------------------------------------------------
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



# --- HR: copying and deleting surveys ------------------------------------------------------------------------

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
