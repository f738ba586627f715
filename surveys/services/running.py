"""Running waves: who a wave is sent to, opening it (mode and thresholds fixed, invitations recorded),
closing it (the ballot box emptied first, then which cells may be shown decided once, by
surveys.suppression), the minute tick that does both on time, and HR scheduling, changing, cancelling,
opening and closing waves by hand."""

import logging
from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from organisation.models import Department, StaffProfile, User
from organisation.selectors import subtree_ids
from organisation.services import audit_record
from surveys import suppression
from surveys.models import Answer, HeldResponse, Participation, Question, Survey, Wave
from surveys.selectors import current_tree
from surveys.services.answering import held_responses_move
from surveys.services.rules import EQUALITY_ATTRIBUTES, SEGMENT_ATTRIBUTES, survey_check, thresholds

# Named as before the services were split into modules, so logging set up for it still applies.
logger = logging.getLogger("surveys.services")


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


def participation_for(wave: Wave, profiles: Iterable[StaffProfile]):
    return Participation.objects.filter(wave=wave, profile__in=profiles)


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
