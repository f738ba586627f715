"""The weekly manager digest as pure functions (adoption.nudges): inputs by hand, expectations worked out by
hand.

Monday 7 December 2026 is an ordinary working day (ISO week 2026-W50). Monday 28 December 2026 is the
Boxing Day bank holiday in England and Wales (ISO week 2026-W53: 2026 starts on a Thursday, so it has 53);
Friday 25 December is Christmas Day. Monday 30 November 2026 is St Andrew's Day, a bank holiday in
Scotland only (ISO week 2026-W49).
"""

from datetime import date

import pytest

from adoption import nudges
from adoption.nudges import DepartmentDigest, Manager, NeedsAWord, NudgeRules, Overdue

MON = date(2026, 12, 7)


def section(pk=10, name="Housing", **kw):
    return DepartmentDigest(pk, name, **kw)


def manager(pid=1, depts=(10,), **kw):
    return Manager(pid, kw.pop("email", "alex@example.org"), "Alex", list(depts), **kw)


@pytest.mark.parametrize(("today", "weekday", "division", "day"), [
    (MON, 0, "england-and-wales", MON),
    (date(2026, 12, 8), 0, "england-and-wales", MON),  # Tuesday: catching up Monday's, if it did not go
    (date(2026, 12, 11), 0, "england-and-wales", MON),  # ...until the Friday
    (date(2026, 12, 9), 2, "england-and-wales", date(2026, 12, 9)),  # Wednesday chosen
    (date(2026, 12, 8), 2, "england-and-wales", None),  # the Tuesday before: last week's is not caught up
    (date(2026, 12, 12), 5, "england-and-wales", None),  # a Saturday: never
    (date(2026, 12, 28), 0, "england-and-wales", None),  # Boxing Day holiday: not today...
    (date(2026, 12, 29), 0, "england-and-wales", date(2026, 12, 28)),  # ...but the Tuesday after
    (date(2026, 12, 29), 4, "england-and-wales", date(2026, 12, 25)),  # Friday digest, Christmas: Tuesday 29th
    (date(2026, 12, 24), 4, "england-and-wales", None),  # Thursday 24th: last Friday's week is over
    (date(2026, 11, 30), 0, "england-and-wales", date(2026, 11, 30)),
    (date(2026, 11, 30), 0, "scotland", None),  # St Andrew's Day in Scotland...
    (date(2026, 12, 1), 0, "scotland", date(2026, 11, 30)),  # ...so the Tuesday
])
def test_the_digest_day_is_the_weekday_or_the_next_working_day(today, weekday, division, day):
    assert nudges.digest_day(today, NudgeRules(digest_weekday=weekday, division=division)) == day


def test_iso_weeks():
    assert nudges.iso_week(MON) == "2026-W50"
    assert nudges.iso_week(date(2026, 12, 28)) == "2026-W53"
    assert nudges.iso_week(date(2026, 12, 25)) == "2026-W52"
    assert nudges.iso_week(date(2027, 1, 4)) == "2027-W01"


def test_a_department_inside_another_the_manager_manages_is_not_repeated():
    # 1 > 2 > 3, and 4 on its own. Managing 3, 1 and 4: 3 is inside 1.
    paths = {1: [1], 2: [1, 2], 3: [1, 2, 3], 4: [4]}
    assert nudges.top_departments([3, 1, 4], paths) == [1, 4]
    assert nudges.top_departments([3, 2], paths) == [2]
    assert nudges.top_departments([4], paths) == [4]


def test_one_digest_a_manager_keyed_by_the_week_and_saying_why():
    s = section(overdue=[Overdue("Sam Patel", "Using AI safely at work", date(2026, 11, 20))])
    [d] = nudges.plan_digests([manager()], {10: s}, NudgeRules(), MON)
    assert d.key == (1, "digest", "week", "2026-W50")
    assert d.why == "because you manage Housing: this is your weekly summary"
    assert d.departments == (s,)
    # Planned already this week: nothing more.
    assert nudges.plan_digests([manager()], {10: s}, NudgeRules(), MON, exists={d.key}) == []


def test_the_bank_holiday_digest_is_keyed_by_the_week_of_its_day():
    s = section(score=55.0)
    [d] = nudges.plan_digests([manager()], {10: s}, NudgeRules(), date(2026, 12, 29))
    assert d.period == "2026-W53"


def test_several_departments_are_named_in_the_why():
    sections = {10: section(score=50.0), 11: section(11, "Planning", score=60.0), 12: section(12, "Parks", score=1.0)}
    [d] = nudges.plan_digests([manager(depts=[10, 11, 12])], sections, NudgeRules(), MON)
    assert d.why == "because you manage Housing, Planning and Parks: this is your weekly summary"


def test_who_gets_none():
    news = {10: section(needs_a_word=[NeedsAWord("Jo Bloggs", "M", date(2026, 12, 10), False)]),
            11: section(11, "Quiet")}  # no one overdue, no one to talk to, no readiness score
    rules = NudgeRules()
    assert nudges.plan_digests([manager(email="")], news, rules, MON) == []  # no email
    assert nudges.plan_digests([manager(opted_out=frozenset({"digest"}))], news, rules, MON) == []  # turned off
    assert nudges.plan_digests([manager()], news, NudgeRules(digest=False), MON) == []  # HR turned it off
    assert nudges.plan_digests([manager(depts=[11])], news, rules, MON) == []  # nothing to tell
    assert nudges.plan_digests([manager()], news, NudgeRules(digest_weekday=2), MON) == []  # not the day yet
    assert len(nudges.plan_digests([manager()], news, rules, MON)) == 1
    # Other rules' opt-outs do not stop the digest.
    assert len(nudges.plan_digests([manager(opted_out=frozenset({"overdue"}))], news, rules, MON)) == 1


def test_the_digest_is_a_rule_staff_can_turn_off_but_not_a_capped_one():
    assert "digest" in nudges.RULES
    assert "digest" not in nudges.CAPPED_RULES
    assert NudgeRules(digest=False).on("digest") is False
