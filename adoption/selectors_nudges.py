"""Reads for nudges: the plain inputs of adoption.nudges.plan for the whole organisation, and the pages'
lists (a person's history, the outbox). Courses and surveys are read through their selectors only.

The planning inputs take a fixed number of queries however many staff (seven: people, modules to do,
last learning, unanswered waves, opt-outs, this week's counts, existing keys)."""

from collections import Counter, defaultdict
from datetime import date, datetime

from django.db.models import Count, QuerySet
from django.utils import timezone

from adoption import nudges
from adoption.models import NudgeOptOut, Outbox
from courses.selectors import reminders as course_reminders
from organisation.models import StaffProfile
from surveys import selectors as survey_selectors


def _local_date(moment: datetime) -> date:
    return timezone.localtime(moment).date()


def planning_inputs(today: date) -> list[nudges.Person]:
    """Every active person with something to be reminded of, with what and their counts this week."""
    people: dict[int, nudges.Person] = {}
    joined: dict[int, date] = {}

    def get(pid: int) -> nudges.Person:
        return people.setdefault(pid, nudges.Person(profile_id=pid))

    for row in course_reminders.modules_to_do():
        get(row["profile_id"]).modules.append(nudges.ModuleToDo(row["slug"], row["title"], row["due_date"]))
    for row in survey_selectors.unanswered_open_waves():
        get(row["profile_id"]).waves.append(
            nudges.WaveToAnswer(row["wave_id"], row["title"], _local_date(row["closes_at"])))
    if not people:
        return []
    for pid, moment in course_reminders.last_learning().items():
        if pid in people:
            people[pid].last_active = _local_date(moment)
    for pid, email, has_email, first_name, date_joined in (
            StaffProfile.objects.filter(active=True)
            .values_list("pk", "user__email", "has_work_email", "user__first_name", "user__date_joined")):
        if pid in people:
            people[pid].email = email if has_email else ""
            people[pid].first_name = first_name
            joined[pid] = _local_date(date_joined)
    opted = defaultdict(set)
    for pid, rule in NudgeOptOut.objects.values_list("profile_id", "rule"):
        opted[pid].add(rule)
    week = Counter(dict(Outbox.objects.filter(planned_on__gte=nudges.week_start(today), planned_on__lte=today)
                        .values("profile_id").annotate(n=Count("id")).values_list("profile_id", "n")))
    out = []
    for pid, person in people.items():
        if pid not in joined:  # a leaver
            continue
        person.last_active = person.last_active or joined[pid]
        person.opted_out = frozenset(opted.get(pid, ()))
        person.planned_this_week = week.get(pid, 0)
        out.append(person)
    return out


def existing_keys(periods: set[str]) -> set[tuple]:
    """The outbox keys already used for these periods (a handful of distinct values, so one query)."""
    if not periods:
        return set()
    return set(Outbox.objects.filter(period__in=periods).values_list("profile_id", "rule", "subject", "period"))


def history_for(profile: StaffProfile | None) -> QuerySet[Outbox]:
    if profile is None:
        return Outbox.objects.none()
    return Outbox.objects.filter(profile=profile).order_by("-id")


def opt_outs_for(profile: StaffProfile | None) -> set[str]:
    if profile is None:
        return set()
    return set(NudgeOptOut.objects.filter(profile=profile).values_list("rule", flat=True))


def outbox_for_hr(status: str = "") -> QuerySet[Outbox]:
    rows = Outbox.objects.select_related("profile__user", "profile__department", "requested_by").order_by("-id")
    return rows.filter(status=status) if status else rows


def outbox_counts() -> dict[str, int]:
    counts = dict(Outbox.objects.values("status").annotate(n=Count("id")).values_list("status", "n"))
    return {s: counts.get(s, 0) for s in Outbox.Status.values}
