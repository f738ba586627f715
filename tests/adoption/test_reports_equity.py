"""The four-fifths comparison in reports: the best group is the reference, a ratio under 0.8 is flagged,
groups under the minimum group are listed without a figure and left out, and a lone group is not
compared with itself."""

import pytest

from adoption.reports import _four_fifths


def _rows(*triples, n=5):
    return {r.group: r for r in _four_fifths("work_pattern", list(triples), n, "learning completion")}


def test_a_group_under_four_fifths_of_the_best_is_flagged():
    rows = _rows(("office", 100, 50), ("frontline", 100, 39), ("hybrid", 100, 40))
    assert rows["Frontline"].flagged and rows["Frontline"].ratio == pytest.approx(0.78)
    assert not rows["Hybrid"].flagged  # exactly 0.8 is not under it
    assert not rows["Office"].flagged and rows["Office"].ratio == 1


def test_small_groups_are_not_shown_or_compared():
    rows = _rows(("office", 100, 90), ("frontline", 4, 0))
    assert rows["Frontline"].base is None and rows["Frontline"].rate is None and not rows["Frontline"].flagged
    assert rows["Office"].ratio is None  # nothing left to compare it with


def test_a_group_with_nothing_assigned_says_so():
    rows = _rows(("office", 0, 0), ("frontline", 20, 10), ("hybrid", 20, 20))
    assert rows["Office"].base == 0 and rows["Office"].rate is None and not rows["Office"].flagged
    assert rows["Frontline"].flagged
