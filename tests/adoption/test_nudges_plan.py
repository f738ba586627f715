"""The nudge rules as pure functions (adoption.nudges): inputs by hand, expectations worked out by hand.

Thursday 3 December 2026 is an ordinary working day; 25 and 28 December 2026 are bank holidays in
England and Wales (Christmas Day, and Boxing Day moved from the Saturday); 30 November 2026, a Monday,
is St Andrew's Day, a bank holiday in Scotland only.
"""

from datetime import date

import pytest

from adoption import nudges
from adoption.nudges import ModuleToDo, NudgeRules, Person, WaveToAnswer

THU = date(2026, 12, 3)
SAFE = ModuleToDo("using-ai-safely", "Using AI safely at work", date(2026, 12, 16))


def person(**kw):
    return Person(profile_id=kw.pop("profile_id", 1), email=kw.pop("email", "sam@example.org"), **kw)


def keys(messages):
    return [(m.profile_id, m.rule, m.subject, m.period) for m in messages]


@pytest.mark.parametrize(("day", "division", "working"), [
    (THU, "england-and-wales", True),
    (date(2026, 12, 5), "england-and-wales", False),  # Saturday
    (date(2026, 12, 6), "england-and-wales", False),  # Sunday
    (date(2026, 12, 25), "england-and-wales", False),
    (date(2026, 12, 28), "england-and-wales", False),
    (date(2026, 11, 30), "england-and-wales", True),
    (date(2026, 11, 30), "scotland", False),
])
def test_working_days_follow_the_bank_holidays_of_the_division(day, division, working):
    assert nudges.is_working_day(day, division) is working


def test_nothing_is_planned_on_a_weekend_or_bank_holiday():
    p = person(modules=[ModuleToDo("m", "M", date(2026, 12, 20))])
    assert nudges.plan([p], NudgeRules(), date(2026, 12, 19)) == []  # a Saturday, due tomorrow
    assert nudges.plan([p], NudgeRules(), date(2026, 12, 18)) != []  # the Friday before
    p = person(modules=[ModuleToDo("m", "M", date(2026, 12, 29))])
    assert nudges.plan([p], NudgeRules(), date(2026, 12, 25)) == []  # Christmas Day, a Friday
    assert nudges.plan([p], NudgeRules(), date(2026, 12, 28)) == []  # the Boxing Day holiday
    assert len(nudges.plan([p], NudgeRules(), date(2026, 12, 24))) == 1


def test_due_soon_says_why_with_the_due_date():
    # 16 December is 13 days after 3 December: outside 7 days, inside 14.
    assert nudges.plan([person(modules=[SAFE])], NudgeRules(), THU) == []
    [m] = nudges.plan([person(modules=[SAFE])], NudgeRules(due_soon_days=14), THU)
    assert m.why == "because 'Using AI safely at work' is due on 16 December"
    assert keys([m]) == [(1, "due-soon", "module:using-ai-safely", "due-2026-12-16")]
    # Due today still counts as due soon; the day after it is overdue.
    [m] = nudges.plan([person(modules=[SAFE])], NudgeRules(), date(2026, 12, 16))
    assert m.rule == "due-soon"
    [m] = nudges.plan([person(modules=[SAFE])], NudgeRules(), date(2026, 12, 17))
    assert m.rule == "overdue"


def test_a_date_in_another_year_names_the_year():
    m = ModuleToDo("m", "Prompting", date(2027, 1, 4))
    [msg] = nudges.plan([person(modules=[m])], NudgeRules(due_soon_days=40), THU)
    assert msg.why == "because 'Prompting' is due on 4 January 2027"


@pytest.mark.parametrize(("today", "period"), [
    # Due Monday 30 November. Overdue by 1..7 days: block 1; 8..14: block 2; 15..21: block 3; then none.
    (date(2026, 12, 1), "overdue-2026-11-30-1"),   # 1 day late
    (date(2026, 12, 7), "overdue-2026-11-30-1"),   # 7 days late: still the first block
    (date(2026, 12, 8), "overdue-2026-11-30-2"),   # 8 days
    (date(2026, 12, 21), "overdue-2026-11-30-3"),  # 21 days
    (date(2026, 12, 22), None),                    # 22 days: a fourth would be over the maximum of 3
])
def test_overdue_repeats_every_n_days_at_most_m_times(today, period):
    p = person(modules=[ModuleToDo("m", "M", date(2026, 11, 30))])
    got = nudges.plan([p], NudgeRules(inactive=False), today)
    assert [m.period for m in got] == ([period] if period else [])
    if period:
        assert got[0].why == "because 'M' was due on 30 November and is not finished yet"


def test_survey_open_then_closing_only_for_those_who_have_not_answered():
    wave = WaveToAnswer(7, "Staff pulse", date(2026, 12, 11))  # 8 days away
    [m] = nudges.plan([person(waves=[wave])], NudgeRules(), THU)
    assert keys([m]) == [(1, "survey-open", "wave:7", "open")]
    assert m.why == "because the survey 'Staff pulse' is open until 11 December and you have not answered it yet"
    # Wednesday 9 December: 2 days before it closes.
    [m] = nudges.plan([person(waves=[wave])], NudgeRules(), date(2026, 12, 9))
    assert keys([m]) == [(1, "survey-closing", "wave:7", "closing")]
    assert m.why == "because the survey 'Staff pulse' closes on 11 December and you have not answered it yet"
    # Someone who answered has no open wave in their inputs (the selector leaves them out): nothing.
    assert nudges.plan([person(waves=[])], NudgeRules(), date(2026, 12, 9)) == []


def test_inactive_after_n_weeks_once_a_spell():
    todo = [ModuleToDo("m", "Prompting", date(2027, 3, 1))]
    assert nudges.plan([person(modules=todo, last_active=date(2026, 11, 6))], NudgeRules(), THU) == []  # 27 days
    [m] = nudges.plan([person(modules=todo, last_active=date(2026, 11, 5))], NudgeRules(), THU)  # 28 days
    assert keys([m]) == [(1, "inactive", "learning", "since-2026-11-05")]
    assert m.why == "because you have done no learning since 5 November and 'Prompting' is still to do"
    # Nothing to do: no reminder however long ago.
    assert nudges.plan([person(last_active=date(2026, 1, 5))], NudgeRules(), THU) == []


def test_the_weekly_cap_keeps_the_highest_priority():
    p = person(
        modules=[ModuleToDo("a", "A", date(2026, 12, 4)),      # due soon
                 ModuleToDo("b", "B", date(2026, 11, 20)),     # overdue (13 days: block 2)
                 ModuleToDo("c", "C", date(2026, 11, 27))],    # overdue (6 days: block 1)
        waves=[WaveToAnswer(7, "Pulse", date(2026, 12, 4))],  # closing
        last_active=date(2026, 10, 1))                         # inactive
    every = nudges.candidates(p, NudgeRules(), THU)
    assert [(m.rule, m.subject) for m in every] == [
        ("overdue", "module:b"), ("overdue", "module:c"), ("due-soon", "module:a"), ("survey-closing", "wave:7"),
        ("inactive", "learning")]
    assert [m.subject for m in nudges.plan([p], NudgeRules(weekly_cap=2), THU)] == ["module:b", "module:c"]
    # One already planned this week: room for one more.
    p.planned_this_week = 1
    assert [m.subject for m in nudges.plan([p], NudgeRules(weekly_cap=2), THU)] == ["module:b"]
    p.planned_this_week = 2
    assert nudges.plan([p], NudgeRules(weekly_cap=2), THU) == []


def test_existing_keys_are_not_planned_again_and_do_not_use_room():
    p = person(modules=[ModuleToDo("b", "B", date(2026, 11, 20)), ModuleToDo("a", "A", date(2026, 12, 4))],
               planned_this_week=1)  # the overdue one, planned on Monday
    exists = {(1, "overdue", "module:b", "overdue-2026-11-20-2")}
    assert [m.subject for m in nudges.plan([p], NudgeRules(weekly_cap=2), THU, exists=exists)] == ["module:a"]


def test_opt_outs_and_mandatory_modules():
    p = person(modules=[ModuleToDo("a", "A", date(2026, 12, 4)), ModuleToDo("gdpr", "Data protection",
                                                                          date(2026, 12, 7))],
               opted_out=frozenset({"due-soon"}))
    rules = NudgeRules(mandatory_modules=frozenset({"gdpr"}))
    [m] = nudges.plan([p], rules, THU)
    assert (m.subject, m.mandatory) == ("module:gdpr", True)


def test_people_without_email_and_rules_turned_off():
    p = person(email="", modules=[SAFE])
    assert nudges.plan([p], NudgeRules(due_soon_days=14), THU) == []
    p = person(modules=[SAFE])
    assert nudges.plan([p], NudgeRules(due_soon=False, due_soon_days=14), THU) == []


def test_week_start_and_long_date():
    assert nudges.week_start(THU) == date(2026, 11, 30)
    assert nudges.week_start(date(2026, 11, 30)) == date(2026, 11, 30)
    assert nudges.long_date(date(2026, 12, 1), THU) == "1 December"
