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

# Priority order: the first wins when the weekly cap leaves room for only some.
RULES = (OVERDUE, DUE_SOON, SURVEY_CLOSING, SURVEY_OPEN, INACTIVE)
RULE_LABELS = {
    OVERDUE: "Overdue modules",
    DUE_SOON: "Modules due soon",
    SURVEY_CLOSING: "Surveys about to close",
    SURVEY_OPEN: "Surveys newly open",
    INACTIVE: "No learning for a while",
}
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
    division: str = "england-and-wales"
    mandatory_modules: frozenset[str] = frozenset()  # module slugs whose reminders cannot be turned off

    def on(self, rule: str) -> bool:
        return {OVERDUE: self.overdue, DUE_SOON: self.due_soon, SURVEY_OPEN: self.survey_open,
                SURVEY_CLOSING: self.survey_closing, INACTIVE: self.inactive}[rule]


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
