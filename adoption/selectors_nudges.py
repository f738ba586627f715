"""Reads for nudges: the plain inputs of adoption.nudges.plan for the whole organisation, and the pages'
lists (a person's history, the outbox). Courses and surveys are read through their selectors only.

The planning inputs take a fixed number of queries however many staff (seven: people, modules to do,
last learning, unanswered waves, opt-outs, this week's counts, existing keys)."""

from collections import Counter, defaultdict
from datetime import date, datetime, timedelta

from django.db.models import Count, QuerySet
from django.utils import timezone

from adoption import nudges
from adoption.models import NudgeOptOut, Outbox
from courses.selectors import reminders as course_reminders
from organisation.models import Department, StaffProfile
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
    week = Counter(dict(Outbox.objects.filter(planned_on__gte=nudges.week_start(today), planned_on__lte=today,
                                              rule__in=nudges.CAPPED_RULES)
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


def digest_inputs(today: date, rules: nudges.NudgeRules, table=None) -> tuple[list[nudges.Manager], dict]:
    """The managers (with a staff profile: the outbox is keyed by person) and, for each department they
    manage, its section: named overdue staff and staff without email who need a word, across its subtree,
    and its readiness. A fixed number of queries however many managers: the managers and their
    departments (one), the tree (one), opt-outs (one), the learning due in every managed subtree (one),
    and readiness_table() once for the run (its own fixed number)."""
    from adoption import selectors as readiness_selectors

    managers: dict[int, nudges.Manager] = {}
    managed: list[int] = []
    for pid, email, has_email, first_name, dept_id in (
            Department.managers.through.objects
            .filter(user__is_active=True, user__profile__isnull=False, user__profile__active=True)
            .order_by("user__profile__id", "department__name")
            .values_list("user__profile__id", "user__email", "user__profile__has_work_email", "user__first_name",
                         "department_id")):
        m = managers.setdefault(pid, nudges.Manager(pid, email if has_email else "", first_name))
        m.department_ids.append(dept_id)
        managed.append(dept_id)
    if not managers:
        return [], {}
    tree = list(Department.objects.with_tree_fields().values_list("pk", "name", "tree_path"))
    paths = {pk: list(path) for pk, _, path in tree}
    names = {pk: name for pk, name, _ in tree}
    opted = set(NudgeOptOut.objects.filter(profile_id__in=managers, rule=nudges.DIGEST)
                .values_list("profile_id", flat=True))
    for m in managers.values():
        m.department_ids = nudges.top_departments(m.department_ids, paths)
        m.opted_out = frozenset({nudges.DIGEST}) if m.profile_id in opted else frozenset()
    tops = {d for m in managers.values() for d in m.department_ids}
    # Each department in a managed subtree -> the managed departments above it (or itself).
    above = {pk: [a for a in path if a in tops] for pk, path in paths.items()}
    subtree_ids = [pk for pk, ups in above.items() if ups]
    sections = {d: nudges.DepartmentDigest(d, names[d]) for d in tops}
    for r in course_reminders.learning_due_in(subtree_ids, today + timedelta(days=rules.due_soon_days)):
        name = " ".join(p for p in (r["profile__user__first_name"], r["profile__user__last_name"]) if p) \
            or r["profile__staff_number"]
        overdue = r["due_date"] < today
        no_email = not (r["profile__has_work_email"] and r["profile__user__email"])
        own = r["profile__department_id"]
        for d in above[own]:
            team = names[own] if own != d else ""
            if overdue:
                sections[d].overdue.append(nudges.Overdue(name, r["module__title"], r["due_date"], team))
            if no_email:
                sections[d].needs_a_word.append(
                    nudges.NeedsAWord(name, r["module__title"], r["due_date"], overdue, team))
    if table is None:
        table = readiness_selectors.readiness_table()
        readiness_selectors.add_changes(table)
    for row in table.rows:
        if row.pk in sections:
            s = sections[row.pk]
            s.score = row.score
            s.change = str(row.change) if row.change is not None else ""
            s.barrier = row.result.barrier.label if row.result.barrier else ""
    return list(managers.values()), sections


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
