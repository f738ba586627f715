"""Writes for surveys: creating surveys (from shipped templates), running waves, taking responses.

The anonymity rules these keep (DESIGN.md):
- mode and thresholds are copied onto a wave when it opens and never change after; a survey's mode is
  fixed once any of its waves has opened;
- in an anonymous survey only free-text questions may be optional, so every figure counts the same
  people and none can be differenced across questions;
- a submit first marks the person's participation (locked row: a double click, second tab or replay
  finds it already done), then, in a separate transaction, writes the response with no person and
  no time; if that write fails the participation mark is undone;
- which cells may be shown is decided once, when the wave closes (surveys.suppression).
"""

from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from organisation.models import CouncilSettings, Department, EqualityData, StaffProfile, User
from organisation.selectors import subtree_ids
from organisation.services import audit_record
from surveys import suppression
from surveys.models import Answer, Participation, Question, Response, Section, Survey, Wave
from surveys.scrub import scrub
from surveys.selectors import current_tree

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


def survey_check(survey: Survey) -> None:
    """Raise ValidationError if the survey's questions break the anonymity rules."""
    if survey.mode == Survey.Mode.ANONYMOUS:
        optional = survey.questions.filter(required=False).exclude(type=Question.Type.TEXT)
        if optional.exists():
            raise ValidationError(
                "In an anonymous survey only free-text questions can be optional: "
                + "; ".join(q.text for q in optional[:3])
            )


@transaction.atomic
def survey_create_from_template(*, actor: User | None, key: str, title: str | None = None) -> Survey:
    from surveys.shipped import TEMPLATES

    template = next((t for t in TEMPLATES if t["key"] == key), None)
    if template is None:
        raise ValidationError(f"No survey template called {key!r}")
    survey = Survey.objects.create(title=title or template["title"], introduction=template["introduction"],
                                   mode=template["mode"], template_key=key, created_by=actor)
    for si, sec in enumerate(template["sections"]):
        section = Section.objects.create(survey=survey, order=si, title=sec["title"])
        for qi, q in enumerate(sec["questions"]):
            Question.objects.create(
                survey=survey, section=section, order=qi, text=q["text"], help_text=q.get("help_text", ""),
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
        council = CouncilSettings.load()
        wave.mode = wave.survey.mode
        wave.min_group_size = max(3, council.min_group_size)
        wave.min_comment_group_size = max(wave.min_group_size, council.min_comment_group_size)
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


def release_compute(wave: Wave) -> dict:
    """The suppression decision for a wave: figures (threshold N over responses) and comments
    (the comment threshold over people who wrote a comment), for every cell the product offers."""
    tree = current_tree()
    attrs = wave_attributes(wave)
    population_rows = [
        {**r, "department": r["department_id"]}
        for r in Participation.objects.filter(wave=wave).values("department_id", *SEGMENT_ATTRIBUTES)
    ]
    response_fields = ["pk", "department_id", *SEGMENT_ATTRIBUTES, *EQUALITY_ATTRIBUTES]
    responses = [{**r, "department": r["department_id"]} for r in wave.responses.values(*response_fields)]
    # Equality data is only on responses: its population is the responses themselves.
    population = suppression.count_cells(population_rows, tree, [a for a in attrs if a in SEGMENT_ATTRIBUTES])
    population.update({k: v for k, v in suppression.count_cells(responses, tree, attrs).items() if k not in population})
    counts = suppression.count_cells(responses, tree, attrs)
    figures = suppression.decide(counts, population, tree, attrs, wave.min_group_size)
    commenters = set(Answer.objects.filter(response__wave=wave, question__type=Question.Type.TEXT)
                     .exclude(text="").values_list("response_id", flat=True))
    comment_counts = suppression.count_cells([r for r in responses if r["pk"] in commenters], tree, attrs)
    comments = suppression.decide(comment_counts, population, tree, attrs, wave.min_comment_group_size)
    # A cell's comments show only where its figures do too.
    comments.released &= figures.released
    # The tree as it was: results keep their shape if departments move or are renamed later.
    return {"attributes": attrs, "tree": tree.to_json(), "figures": figures.to_json(), "comments": comments.to_json()}


def wave_close(*, wave_id: int, now=None) -> Wave:
    """Close an open wave whose time is up and decide, once, which figures may be shown."""
    now = now or timezone.now()
    with transaction.atomic():
        wave = Wave.objects.select_for_update().get(pk=wave_id)
        if wave.status != Wave.Status.OPEN or wave.closes_at > now:
            return wave
        wave.released = release_compute(wave)
        wave.status = Wave.Status.CLOSED
        wave.save(update_fields=["released", "status"])
    return wave


def waves_tick(now=None) -> tuple[int, int]:
    """Open and close the waves whose times have come (run every minute by Celery beat)."""
    now = now or timezone.now()
    opened = closed = 0
    for pk in Wave.objects.filter(status=Wave.Status.SCHEDULED, opens_at__lte=now).values_list("pk", flat=True):
        opened += wave_open(wave_id=pk, now=now).status == Wave.Status.OPEN
    for pk in Wave.objects.filter(status=Wave.Status.OPEN, closes_at__lte=now).values_list("pk", flat=True):
        closed += wave_close(wave_id=pk, now=now).status == Wave.Status.CLOSED
    return opened, closed


# --- Responding -------------------------------------------------------------------------------------

def _scrubber():
    names = StaffProfile.objects.values_list("user__first_name", "user__last_name", "staff_number")
    firsts, lasts, numbers = set(), set(), set()
    for first, last, number in names:
        firsts.add(first)
        lasts.add(last)
        numbers.add(number)
    return lambda text: scrub(text, first_names=firsts - {""}, last_names=lasts - {""}, staff_numbers=numbers)


def response_submit(*, profile: StaffProfile, wave: Wave, answers: dict[int, dict]) -> None:
    """Record one response. `answers` maps question id to {"number": int} / {"choices": [ids]} /
    {"text": str}, already validated by the form. Raises WaveNotOpen, NotInvited or AlreadyResponded."""
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
    # 2. Write the response, with no link to the person (anonymous) and no time.
    try:
        with transaction.atomic():
            _write_response(profile=profile, wave=wave, answers=answers)
    except Exception:
        Participation.objects.filter(pk=part.pk).update(responded=False)
        raise


def _write_response(*, profile: StaffProfile, wave: Wave, answers: dict[int, dict]) -> Response:
    equality = EqualityData.objects.filter(profile=profile).first()
    segments = {a: getattr(profile, a) for a in SEGMENT_ATTRIBUTES}
    if equality is not None:
        segments.update({a: getattr(equality, a) for a in EQUALITY_ATTRIBUTES})
    response = Response.objects.create(
        wave=wave, department_id=profile.department_id,
        profile=profile if wave.mode == Survey.Mode.NAMED else None, **segments,
    )
    clean_text = _scrubber() if any("text" in a for a in answers.values()) else None
    Answer.objects.bulk_create([
        Answer(response=response, question_id=qid, number=a.get("number"), choices=a.get("choices", []),
               text=clean_text(a["text"]) if a.get("text") else "")
        for qid, a in answers.items()
    ])
    return response


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
def survey_create(*, actor: User, key: str, title: str = "") -> Survey:
    survey = survey_create_from_template(actor=actor, key=key, title=title or None)
    audit_record(actor=actor, action="survey created", target=survey.title,
                 detail={"survey": survey.pk, "template": key, "mode": survey.mode})
    return survey


@transaction.atomic
def survey_settings_update(*, actor: User, survey: Survey, title: str, mode: str) -> Survey:
    """Change a survey's title and, while none of its waves has opened, its mode (DESIGN.md: fixed when
    the first wave opens). The survey row is locked so the check and the change go together."""
    survey = Survey.objects.select_for_update().get(pk=survey.pk)
    changed = {}
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
    survey.save(update_fields=[f for f in ("title", "mode") if f in changed])
    try:
        survey_check(survey)
    except ValidationError as error:
        raise ValidationError({"mode": error.messages}) from None
    audit_record(actor=actor, action="survey changed", target=survey.title, detail={"survey": survey.pk, **changed})
    return survey


@transaction.atomic
def wave_schedule(*, actor: User, survey: Survey, name: str, opens_at, closes_at,
                  departments: list[Department], include_subdepartments: bool) -> Wave:
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
