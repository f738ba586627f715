"""The release at the level of people (issue 10, DESIGN.md): no nonzero vector in the row space of the
released cells' membership matrix is supported on fewer than N respondents. Checked by an auditor that
shares no code with surveys.suppression (tests/surveys/people_auditor.py), over random organisations
with random attributes (blank values, departments with their own staff, one and two filters), the attack
from the issue, and exhaustively on tiny organisations."""

import random

import pytest

from surveys.suppression import MAX_FILTERS, Tree, count_cells, decide
from tests.surveys import people_auditor
from tests.surveys.test_suppression import ATTRS, check_property, offered_partitions

GRADES = ["A", "B", "C", None]  # None: no grade band recorded (a part of its own, never a filter)


def random_org(rng, departments, people, with_grade=True):
    parent, names = {1: None}, {1: "Council"}
    for d in range(2, departments + 1):
        parent[d] = rng.choice(list(parent))
        names[d] = f"Dept {rng.randint(1, 40)}"
    rows = []
    for _ in range(people):
        row = {
            "department": rng.choice(list(parent)),
            "work_pattern": rng.choices(["office", "hybrid", "frontline"], weights=[5, 4, 3])[0],
            "contract": rng.choices(["full-time", "part-time"], weights=[4, 1])[0],
            "has_work_email": rng.choices(["True", "False"], weights=[3, 1])[0],
        }
        if with_grade:
            row["grade_band"] = rng.choices(GRADES, weights=[4, 3, 2, 1])[0]
        rows.append(row)
    return Tree(parent=parent, names=names), rows


def decided(responded, invited, tree, attrs, n, max_filters=MAX_FILTERS, people=True):
    return decide(count_cells(responded, tree, attrs, max_filters), count_cells(invited, tree, attrs, max_filters),
                  tree, attrs, n, max_filters=max_filters, people=responded if people else None)


@pytest.mark.parametrize("seed", range(40))
def test_no_small_group_is_isolated_in_random_organisations(seed):
    rng = random.Random(7000 + seed)
    n = rng.choice([3, 5, 5, 7])
    max_filters = 1 if seed % 2 else 2
    attrs = ATTRS + ["grade_band"] if seed % 3 else ATTRS
    tree, invited = random_org(rng, departments=rng.randint(2, 9), people=rng.randint(20, 160))
    responded = [r for r in invited if rng.random() < rng.choice([0.5, 0.8, 1.0])]
    release = decided(responded, invited, tree, attrs, n, max_filters)
    assert people_auditor.small_sets(responded, release.released, tree.parent, n) == []
    if attrs == ATTRS:  # the cell rules (DESIGN.md 1-3) still hold
        assert check_property(release, offered_partitions(invited, tree, attrs, max_filters), n) == []
    if len(responded) >= 4 * n and max_filters == 1:  # the product's setting keeps the whole
        assert release.is_released("org")


@pytest.mark.parametrize("seed", range(6))
def test_the_auditor_finds_what_the_cell_rules_alone_let_through(seed):
    """Without the check at the level of people, these organisations leak (so the auditor can fail)."""
    rng = random.Random(9100 + seed)
    tree, invited = random_org(rng, departments=rng.randint(3, 6), people=rng.randint(50, 90))
    responded = [r for r in invited if rng.random() < 0.8]
    cells_only = decided(responded, invited, tree, ATTRS + ["grade_band"], 5, max_filters=2, people=False)
    assert people_auditor.small_sets(responded, cells_only.released, tree.parent, 5) != []


@pytest.mark.parametrize("seed", range(15))
def test_exhaustively_on_tiny_organisations(seed):
    """Every set of fewer than N respondents, straight from the definition."""
    rng = random.Random(500 + seed)
    n = 3
    tree, invited = random_org(rng, departments=rng.randint(1, 3), people=rng.randint(8, 11))
    release = decided(invited, invited, tree, ATTRS + ["grade_band"], n, max_filters=1 + seed % 2)
    assert people_auditor.brute_force(invited, release.released, tree.parent, n) == []


def test_brute_force_and_atoms_agree_on_the_issues_attack():
    """Both auditors see the issue's attack: a team's total minus its full-time staff with a work email
    is one person's answers. The decision does not release that pair."""
    tree = Tree(parent={1: None, 2: 1, 3: 1}, names={1: "Council", 2: "Policy", 3: "Parks"})
    person = {"work_pattern": "office", "contract": "full-time", "has_work_email": "True"}
    invited = [{"department": 2, **person} for _ in range(6)]
    invited += [{"department": 2, **person, "work_pattern": "hybrid"} for _ in range(5)]
    invited.append({"department": 2, **person, "has_work_email": "False"})
    invited += [{"department": 3, **person, "work_pattern": wp} for wp in ["office"] * 6 + ["hybrid"] * 6]
    pair = {"d2", "d2|contract=full-time|has_work_email=True"}
    isolating = people_auditor.brute_force(invited[:12], pair, tree.parent, 5)
    assert (11,) in isolating and all(11 in s for s in isolating)
    assert [size for _, size in people_auditor.small_sets(invited, pair, tree.parent, 5)] == [1]
    for max_filters in (1, 2):
        release = decided(invited, invited, tree, ATTRS, 5, max_filters=max_filters)
        assert not pair <= release.released
        assert people_auditor.small_sets(invited, release.released, tree.parent, 5) == []
        assert release.is_released("d2")  # the team's own total still shows


def test_a_manager_cannot_difference_their_own_small_team():
    """'A|office - A|full-time' gives the only part-timer's answer minus the only frontline worker's,
    which on a 5-point scale tells both."""
    tree = Tree(parent={1: None, 2: 1}, names={1: "Council", 2: "A"})
    base = {"department": 2, "has_work_email": "True"}
    invited = ([{**base, "work_pattern": "office", "contract": "full-time"} for _ in range(12)]
               + [{**base, "work_pattern": "office", "contract": "part-time"}]
               + [{**base, "work_pattern": "frontline", "contract": "full-time"}])
    pair = {"d2|work_pattern=office", "d2|contract=full-time"}
    assert [size for _, size in people_auditor.small_sets(invited, pair, tree.parent, 5)] == [2]
    release = decided(invited, invited, tree, ATTRS, 5, max_filters=1)
    assert not pair <= release.released
    assert people_auditor.small_sets(invited, release.released, tree.parent, 5) == []
    assert release.is_released("d2")


def test_all_frontline_staff_still_show_when_each_department_has_few():
    """The shortcut that hides every combination living on small atoms would hide this figure, which
    covers twenty people: the check does not."""
    parent = {1: None, **dict.fromkeys(range(2, 12), 1)}
    tree = Tree(parent=parent, names={d: f"D{d:02}" for d in parent})
    invited = []
    for d in range(2, 12):
        invited += [{"department": d, "work_pattern": "office"} for _ in range(20)]
        invited += [{"department": d, "work_pattern": "frontline"} for _ in range(2)]
    release = decided(invited, invited, tree, ["work_pattern"], 5, max_filters=1)
    assert release.is_released("org|work_pattern=frontline")
    assert all(release.is_released(f"d{d}") for d in range(2, 12))
    assert not release.is_released("d2|work_pattern=frontline")
    assert people_auditor.small_sets(invited, release.released, tree.parent, 5) == []


def test_the_auditor_notices_a_cell_put_back():
    """Release one cell the decision hid and the auditor reports a small set (it is not vacuous)."""
    rng = random.Random(42)
    tree, invited = random_org(rng, departments=6, people=120)
    release = decided(invited, invited, tree, ATTRS, 5, max_filters=1)
    for key in sorted(release.counts):
        if not release.is_released(key) and 0 < release.counts[key] < 5:
            release.released.add(key)
            assert people_auditor.small_sets(invited, release.released, tree.parent, 5) != []
            return
    pytest.fail("no small hidden cell to put back")
