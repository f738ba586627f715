"""Nudges: which reminders to send today, and why. Pure functions over plain values (no ORM), so tests
give inputs and check outputs; adoption.services_nudges gathers the inputs and stores the result.

The rules (DESIGN.md, "Nudges"; issue 13):
- Nothing is planned on a weekend or a UK bank holiday (govuk-bank-holidays' bundled data, the council's
  division; no network).
- Each rule can be turned off and tuned (NudgeRules, from adoption.models.NudgeSettings):
  - due soon: an assigned module not finished, due in 0..N days: one reminder per due date;
  - overdue: an assigned module not finished, past its due date: one reminder in each block of N days
    after the due date, at most M blocks;
  - survey open: a wave that is open and that the person has not answered: one reminder per wave;
  - survey closing: the same wave closes within N days and the person still has not answered (only
    people without a participation record marked responded): one reminder per wave;
  - inactive: assigned modules still to do and no learning for N weeks: one reminder per spell.
- Each message is keyed by (person, rule, subject, period), so planning twice gives the same keys and
  the outbox's unique constraint keeps one row a key.
- People without an email address get nothing here (their manager's digest reaches them).
- A person who turned a rule off gets none of it, except reminders about mandatory modules, which
  cannot be turned off.
- A cap per person per week (Monday to Sunday, counting what was already planned that week); when
  messages compete, the order is RULES' order (overdue first), then the earliest date.
- The weekly manager digest (plan_digests): on the chosen weekday, or the next working day when that is
  a bank holiday (or later that week, catching up a missed run), one a manager with an email, keyed by
  the ISO week of the chosen day; a section for each
  department they manage (one inside another they manage is not repeated). It is not a reminder about
  their own learning, so it is outside the cap (CAPPED_RULES) and never held back by it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from functools import lru_cache

OVERDUE = "overdue"
DUE_SOON = "due-soon"
SURVEY_CLOSING = "survey-closing"
SURVEY_OPEN = "survey-open"
INACTIVE = "inactive"
DIGEST = "digest"

# Priority order: the first wins when the weekly cap leaves room for only some.
RULES = (OVERDUE, DUE_SOON, SURVEY_CLOSING, SURVEY_OPEN, INACTIVE, DIGEST)
RULE_LABELS = {
    OVERDUE: "Overdue modules",
    DUE_SOON: "Modules due soon",
    SURVEY_CLOSING: "Surveys about to close",
    SURVEY_OPEN: "Surveys newly open",
    INACTIVE: "No learning for a while",
    DIGEST: "Weekly manager digest",
}
# Scheduled reports go out through the same outbox (exactly once, retried, shown to HR), but they are not
# reminders: HR chose the recipients, so there is no rule to turn off and no unsubscribe link.
REPORT = "report"
OUTBOX_LABELS = {**RULE_LABELS, REPORT: "Scheduled report"}
# Rules that count towards the weekly cap: the digest is a manager's summary of their team, not a
# reminder about their own learning, so it neither uses nor is held back by their room for reminders.
CAPPED_RULES = (OVERDUE, DUE_SOON, SURVEY_CLOSING, SURVEY_OPEN, INACTIVE)
WEEKDAYS = {0: "Monday", 1: "Tuesday", 2: "Wednesday", 3: "Thursday", 4: "Friday"}
MODULE_RULES = (OVERDUE, DUE_SOON)

DIVISIONS = {
    "england-and-wales": "England and Wales",
    "scotland": "Scotland",
    "northern-ireland": "Northern Ireland",
}


@dataclass(frozen=True)
class NudgeRules:
    due_soon: bool = True
    due_soon_days: int = 7
    overdue: bool = True
    overdue_every_days: int = 7
    overdue_max_times: int = 3
    survey_open: bool = True
    survey_closing: bool = True
    survey_closing_days: int = 2
    inactive: bool = True
    inactive_weeks: int = 4
    weekly_cap: int = 2
    digest: bool = True
    digest_weekday: int = 0  # Monday
    division: str = "england-and-wales"
    mandatory_modules: frozenset[str] = frozenset()  # module slugs whose reminders cannot be turned off

    def on(self, rule: str) -> bool:
        return {OVERDUE: self.overdue, DUE_SOON: self.due_soon, SURVEY_OPEN: self.survey_open,
                SURVEY_CLOSING: self.survey_closing, INACTIVE: self.inactive, DIGEST: self.digest}[rule]


@dataclass(frozen=True)
class ModuleToDo:
    slug: str
    title: str
    due_date: date


@dataclass(frozen=True)
class WaveToAnswer:
    wave_id: int
    title: str
    closes_on: date


@dataclass
class Person:
    profile_id: int
    email: str = ""
    first_name: str = ""
    modules: list[ModuleToDo] = field(default_factory=list)  # assigned, not finished
    waves: list[WaveToAnswer] = field(default_factory=list)  # open, not answered
    last_active: date | None = None  # the last day of any learning (or when they joined)
    opted_out: frozenset[str] = frozenset()
    planned_this_week: int = 0  # messages already planned for them this week


@dataclass(frozen=True)
class Message:
    profile_id: int
    rule: str
    subject: str  # what it is about: "module:<slug>", "wave:<id>" or "learning"
    period: str  # which occurrence: with the three above, the unique key
    why: str  # "because 'Using AI safely at work' is due on 16 December"
    title: str  # the thing's name, for the email's wording
    on: date  # the date the reminder is about (due date, closing date, last activity)
    mandatory: bool = False

    @property
    def key(self) -> tuple[int, str, str, str]:
        return (self.profile_id, self.rule, self.subject, self.period)


@lru_cache(maxsize=1)
def _bank_holidays():
    from govuk_bank_holidays.bank_holidays import BankHolidays

    return BankHolidays(use_cached_holidays=True)  # the bundled data: no network


def is_working_day(day: date, division: str = "england-and-wales") -> bool:
    return day.weekday() < 5 and not _bank_holidays().is_holiday(day, division=division)


def long_date(day: date, today: date) -> str:
    """'16 December', with the year only when it is not this year's."""
    text = f"{day.day} {day:%B}"
    return text if day.year == today.year else f"{text} {day.year}"


def week_start(day: date) -> date:
    return day - timedelta(days=day.weekday())


def _module_messages(person: Person, rules: NudgeRules, today: date) -> list[Message]:
    out = []
    for m in person.modules:
        mandatory = m.slug in rules.mandatory_modules
        days = (m.due_date - today).days
        if rules.due_soon and 0 <= days <= rules.due_soon_days:
            out.append(Message(person.profile_id, DUE_SOON, f"module:{m.slug}", f"due-{m.due_date.isoformat()}",
                               f"because '{m.title}' is due on {long_date(m.due_date, today)}", m.title,
                               m.due_date, mandatory))
        elif rules.overdue and days < 0:
            block = (-days - 1) // rules.overdue_every_days  # days 1..N after the due date: block 0
            if block < rules.overdue_max_times:
                out.append(Message(person.profile_id, OVERDUE, f"module:{m.slug}",
                                   f"overdue-{m.due_date.isoformat()}-{block + 1}",
                                   f"because '{m.title}' was due on {long_date(m.due_date, today)} and is not "
                                   "finished yet", m.title, m.due_date, mandatory))
    return out


def _wave_messages(person: Person, rules: NudgeRules, today: date) -> list[Message]:
    out = []
    for w in person.waves:
        closes = long_date(w.closes_on, today)
        days = (w.closes_on - today).days
        if days < 0:
            continue
        if rules.survey_closing and days <= rules.survey_closing_days:
            out.append(Message(person.profile_id, SURVEY_CLOSING, f"wave:{w.wave_id}", "closing",
                               f"because the survey '{w.title}' closes on {closes} and you have not answered "
                               "it yet", w.title, w.closes_on))
        elif rules.survey_open:
            out.append(Message(person.profile_id, SURVEY_OPEN, f"wave:{w.wave_id}", "open",
                               f"because the survey '{w.title}' is open until {closes} and you have not "
                               "answered it yet", w.title, w.closes_on))
    return out


def _inactive_message(person: Person, rules: NudgeRules, today: date) -> list[Message]:
    if not (rules.inactive and person.modules and person.last_active):
        return []
    if (today - person.last_active).days < rules.inactive_weeks * 7:
        return []
    first = min(person.modules, key=lambda m: (m.due_date, m.title))
    since = long_date(person.last_active, today)
    return [Message(person.profile_id, INACTIVE, "learning", f"since-{person.last_active.isoformat()}",
                    f"because you have done no learning since {since} and '{first.title}' is still to do",
                    first.title, person.last_active)]


def candidates(person: Person, rules: NudgeRules, today: date) -> list[Message]:
    """Every message the rules call for today, before opt-outs and the cap, in priority order."""
    found = _module_messages(person, rules, today) + _wave_messages(person, rules, today)
    found += _inactive_message(person, rules, today)
    return sorted(found, key=lambda m: (RULES.index(m.rule), m.on, m.subject))


def plan(people: list[Person], rules: NudgeRules, today: date, *, exists=frozenset()) -> list[Message]:
    """The messages to queue today. `exists` holds the keys already in the outbox: they are not planned
    again, and (when planned this week) they are already counted in each person's planned_this_week."""
    if not is_working_day(today, rules.division):
        return []
    out = []
    for person in people:
        if not person.email:
            continue
        room = rules.weekly_cap - person.planned_this_week
        for m in candidates(person, rules, today):
            if room <= 0:
                break
            if m.key in exists or (m.rule in person.opted_out and not m.mandatory):
                continue
            out.append(m)
            room -= 1
    return out


# --- The weekly manager digest ------------------------------------------------------------------

@dataclass(frozen=True)
class Overdue:
    name: str
    module: str
    due_date: date
    team: str = ""  # their own department, when it is beneath the one the section is about


@dataclass(frozen=True)
class NeedsAWord:
    """Someone without a work email with overdue or due-soon learning: reached in person or by slip."""
    name: str
    module: str
    due_date: date
    overdue: bool
    team: str = ""


@dataclass
class DepartmentDigest:
    department_id: int
    name: str
    overdue: list[Overdue] = field(default_factory=list)
    needs_a_word: list[NeedsAWord] = field(default_factory=list)
    score: float | None = None
    change: str = ""  # readiness's change, worded ("Up 6 since ..."), or "" without two scores
    barrier: str = ""  # the ADKAR barrier's label, or ""

    @property
    def has_news(self) -> bool:
        return bool(self.overdue or self.needs_a_word or self.score is not None)


@dataclass
class Manager:
    profile_id: int
    email: str = ""
    first_name: str = ""
    department_ids: list[int] = field(default_factory=list)  # the departments they manage
    opted_out: frozenset[str] = frozenset()


@dataclass(frozen=True)
class Digest:
    profile_id: int
    period: str  # the ISO week of the digest's day: "2026-W50"
    why: str
    departments: tuple[DepartmentDigest, ...]
    rule: str = DIGEST
    subject: str = "week"
    mandatory: bool = False

    @property
    def key(self) -> tuple[int, str, str, str]:
        return (self.profile_id, self.rule, self.subject, self.period)


def digest_day(today: date, rules: NudgeRules) -> date | None:
    """The chosen weekday whose digest may go today, or None. Its digest goes on that day, or, when that is
    a bank holiday, on the next working day (which may fall in the next week); a run that was missed or
    failed that day catches up on a later working day of the same week. The outbox key (the ISO week of
    the chosen day) keeps it to one."""
    if not (rules.digest and is_working_day(today, rules.division)):
        return None
    day = today - timedelta(days=(today.weekday() - rules.digest_weekday) % 7)
    send = day
    while not is_working_day(send, rules.division):
        send += timedelta(days=1)
    if send > today or week_start(send) != week_start(today):
        return None
    return day


def iso_week(day: date) -> str:
    year, week, _ = day.isocalendar()
    return f"{year}-W{week:02d}"


def top_departments(ids: list[int], paths: dict[int, list[int]]) -> list[int]:
    """The managed departments that are not inside another one the same person manages (its subtree is
    already in that one's section), in the order given. `paths`: department id -> its ancestors and itself."""
    chosen = set(ids)
    return [d for d in ids if not any(a in chosen and a != d for a in paths.get(d, [d]))]


def _names(names: list[str]) -> str:
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]


def plan_digests(managers: list[Manager], sections: dict[int, DepartmentDigest], rules: NudgeRules, today: date,
                 *, exists=frozenset()) -> list[Digest]:
    """This week's digests: one a manager with an email who has not turned it off, on the digest's day,
    with a section for each department they manage (with its subtree, in `sections`), when there is
    anything to tell. Keyed by the ISO week, so planning again that week plans nothing."""
    day = digest_day(today, rules)
    if day is None:
        return []
    out = []
    for m in managers:
        if not m.email or DIGEST in m.opted_out:
            continue
        mine = tuple(sections[d] for d in m.department_ids if d in sections)
        if not any(s.has_news for s in mine):
            continue
        digest = Digest(m.profile_id, iso_week(day),
                        f"because you manage {_names([s.name for s in mine])}: this is your weekly summary", mine)
        if digest.key not in exists:
            out.append(digest)
    return out
