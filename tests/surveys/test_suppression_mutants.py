"""Tests written from a mutation run over surveys/suppression.py (docs/testing.md, "Mutation testing"):
each fails for a change to the code that the property tests let through and that a user or an attacker
could see. No database: plain rows in, the release out."""

import json

import pytest

from surveys.suppression import Tree, release_for

# A council three levels deep, with ids of two digits (so a scope's number is read whole).
PARENT = {10: None, 11: 10, 12: 10, 13: 11, 14: 13}
NAMES = {10: "Council", 11: "Parks", 12: "Adults", 13: "Libraries", 14: "Archive"}


def tree():
    return Tree(parent=dict(PARENT), names=dict(NAMES))


# --- The department tree ---------------------------------------------------------------------------

def test_a_scope_holds_its_department_and_everything_beneath_it():
    t = tree()
    assert t.members("org") is None
    assert sorted(t.members("d11")) == [11, 13, 14]
    assert sorted(t.members("d10")) == [10, 11, 12, 13, 14]
    assert sorted(t.members("d13")) == [13, 14]
    assert t.members("d14") == [14]
    # A department's own staff: that department alone, not its teams.
    assert t.members("d11!") == [11]
    assert t.members("d10!") == [10]


def test_teams_are_listed_by_name_then_id():
    t = Tree(parent={10: None, 11: 10, 12: 10, 15: 10}, names={10: "Council", 11: "Parks", 12: "Adults", 15: "Adults"})
    assert t.children()[10] == [12, 15, 11]
    assert t.children()[None] == [10]


def test_the_tree_stored_with_a_release_comes_back_the_same():
    t = tree()
    again = Tree.from_json(json.loads(json.dumps(t.to_json())))
    assert again.parent == PARENT and again.names == NAMES
    assert sorted(again.members("d11")) == [11, 13, 14]


# --- A wave's whole release ------------------------------------------------------------------------

def _row(pk, department, **attrs):
    return {"pk": pk, "department_id": department, **attrs}


def test_a_segment_nobody_in_answered_is_hidden_with_the_rest_of_its_split():
    """Three part-time staff were invited and none answered: the part-time figure (0) is hidden, and so
    is the full-time one, which would otherwise equal the whole and show that nobody part-time took part.
    The population comes from the people invited, not from those who answered."""
    t = Tree(parent={10: None, 11: 10, 12: 10}, names={10: "Council", 11: "Parks", 12: "Adults"})
    invited = [_row(None, 11, contract="full-time") for _ in range(10)]
    invited += [_row(None, 12, contract="full-time") for _ in range(10)]
    invited += [_row(None, 12, contract="part-time") for _ in range(3)]
    responses = [_row(i, r["department_id"], contract="full-time") for i, r in enumerate(invited[:20])]
    out = release_for(tree=t, attributes=["contract"], invited=invited, responses=responses, commenters=set(), n=5,
                      n_comments=5, segment_attributes=["contract"])
    figures = out["figures"]
    assert figures["counts"]["org"] == 20
    assert figures["counts"]["org|contract=part-time"] == 0
    assert "org|contract=part-time" not in figures["released"]
    assert "org|contract=full-time" not in figures["released"]
    assert "org" in figures["released"] and "d11" in figures["released"]


def test_equality_data_is_counted_over_the_responses_that_gave_it():
    """Equality data is only on responses: its cells exist (and are shown when large enough) although
    nobody invited has a value for it."""
    t = Tree(parent={10: None}, names={10: "Council"})
    invited = [_row(None, 10, contract="full-time") for _ in range(20)]
    sexes = ["F"] * 12 + ["M"] * 8
    responses = [_row(i, 10, contract="full-time", sex=s) for i, s in enumerate(sexes)]
    out = release_for(tree=t, attributes=["contract", "sex"], invited=invited, responses=responses, commenters=set(),
                      n=5, n_comments=5, segment_attributes=["contract"])
    figures = out["figures"]
    assert figures["counts"]["org|sex=F"] == sexes.count("F")
    assert figures["counts"]["org|sex=M"] == sexes.count("M")
    assert {"org|sex=F", "org|sex=M", "org"} <= set(figures["released"])
    assert out["attributes"] == ["contract", "sex"]


def test_comments_use_their_own_threshold_over_the_people_who_wrote_one_and_only_where_figures_show():
    """N = 5 for figures, 3 for comments. Responses (and how many wrote a comment): Parks 10 (4), Adults 10 (4),
    Archive 4 (3), Works 12 (1). Figures: Archive is under N and Parks is hidden with it (the next smallest, by
    key). Comments: Works' one is hidden and Archive's three with it. So comments show for the council and
    Adults only: not for Parks, whose comments pass their threshold but whose figures are hidden, nor for
    Works, whose figures show but whose single comment would be one person's."""
    t = Tree(parent={11: None, 12: None, 14: None, 15: None}, names={11: "Parks", 12: "Adults", 14: "Archive", 15: "Works"})
    responses, commenters = [], set()
    for department, total, wrote in [(11, 10, 4), (12, 10, 4), (14, 4, 3), (15, 12, 1)]:
        for k in range(total):
            pk = len(responses) + 1
            responses.append(_row(pk, department))
            if k < wrote:
                commenters.add(pk)
    invited = [_row(None, r["department_id"]) for r in responses]
    out = release_for(tree=t, attributes=[], invited=invited, responses=responses, commenters=commenters, n=5,
                      n_comments=3, segment_attributes=[])
    figures, comments = out["figures"], out["comments"]
    assert set(figures["released"]) == {"org", "d12", "d15"}
    assert comments["counts"]["org"] == len(commenters)
    assert comments["counts"]["d14"] == 3
    assert comments["n"] == 3 and figures["n"] == 5
    assert set(comments["released"]) == {"org", "d12"}
    assert Tree.from_json(out["tree"]).parent == t.parent


def test_a_wave_release_is_checked_at_the_level_of_people():
    """A small council (two departments, twenty people, grade bands partly blank) where the cell rules
    alone release figures that combine to isolate fewer than N people: the release that is stored must
    not (checked by the auditor that shares no code with surveys.suppression)."""
    import random

    from surveys.suppression import count_cells, decide
    from tests.surveys import people_auditor
    from tests.surveys.test_suppression_people import ATTRS, random_org

    rng = random.Random(2)
    t, rows = random_org(rng, departments=rng.randint(2, 5), people=rng.randint(15, 50))
    attributes = ATTRS + ["grade_band"]
    counts = count_cells(rows, t, attributes)
    cells_only = decide(counts, counts, t, attributes, 5, people=None)
    assert people_auditor.small_sets(rows, cells_only.released, t.parent, 5) != []  # the check has work to do

    responses = [_row(pk, r["department"], **{a: r[a] for a in attributes}) for pk, r in enumerate(rows, start=1)]
    out = release_for(tree=t, attributes=attributes, invited=responses, responses=responses, commenters=set(), n=5,
                      n_comments=5, segment_attributes=attributes)
    released = set(out["figures"]["released"])
    assert people_auditor.small_sets(rows, released, t.parent, 5) == []
    assert "org" in released


def test_a_stored_release_reads_back_whole():
    from surveys.suppression import Release

    release = Release(n=7, counts={"org": 30, "d2": 7, "d3": 23}, released={"org", "d3"})
    again = Release.from_json(json.loads(json.dumps(release.to_json())))
    assert (again.n, again.counts, again.released) == (7, release.counts, release.released)


# --- Finding the sets of people that released figures isolate --------------------------------------

def _isolated_by(rows, cells, chosen, parent):
    """Whether some combination of `cells` is nonzero only on the people `chosen` (row numbers): dropping
    their columns lowers the rank of the cells' membership rows (the auditor's membership test and rank)."""
    from tests.surveys import people_auditor

    m = people_auditor.matrix(rows, cells, parent)
    keep = [i for i in range(len(rows)) if i not in chosen]
    return people_auditor.rank(m) > people_auditor.rank([[row[i] for i in keep] for row in m])


@pytest.mark.parametrize("seed", range(12))
def test_each_set_found_is_small_and_isolated_by_the_cells_named_and_none_is_missed(seed):
    """small_support_sets against the auditor, on small councils whose cell-rules-only release leaks, with
    the kinds of people listed in a random order: it finds a set exactly when the auditor does, each set
    holds fewer than N people (counted from the rows), and the cells it names isolate it by themselves."""
    import random

    from surveys.suppression import base_types, count_cells, decide, small_support_sets
    from tests.surveys import people_auditor
    from tests.surveys.test_suppression_people import ATTRS, random_org

    rng = random.Random(300 + seed)
    t, rows = random_org(rng, departments=rng.randint(2, 4), people=rng.randint(12, 40))
    attributes = ATTRS + ["grade_band"]
    counts = count_cells(rows, t, attributes)
    released = decide(counts, counts, t, attributes, 5, people=None).released
    types = base_types(rows, t, attributes)
    rng.shuffle(types)
    found = small_support_sets(types, released, 5)
    assert bool(found) == bool(people_auditor.small_sets(rows, released, t.parent, 5))
    for atoms, size, cells in found:
        chosen = {i for i, r in enumerate(rows)
                  if frozenset(k for k in released if people_auditor.in_cell(r, k, t.parent)) in set(atoms)}
        assert size == len(chosen) < 5
        assert cells <= released
        assert _isolated_by(rows, cells, chosen, t.parent)


def test_a_team_of_exactly_n_is_shown():
    """N people are enough: a team of exactly N responses, and the council around it, are shown."""
    from surveys.suppression import count_cells, decide

    t = Tree(parent={1: None, 2: 1, 3: 1, 4: 1}, names={1: "Council", 2: "Parks", 3: "Adults", 4: "Archive"})
    rows = [{"department": d} for d, k in [(2, 12), (3, 5), (4, 8)] for _ in range(k)]
    counts = count_cells(rows, t, [])
    release = decide(counts, counts, t, [], 5, people=rows)
    assert {"org", "d1", "d2", "d3", "d4"} <= release.released


def test_only_sets_of_fewer_than_n_are_reported_whatever_order_the_people_come_in():
    """Figures 'a' (twelve people) and 'b' (two of them): 'b' alone gives away two people's answers; 'a'
    minus 'b' covers ten and 'a' alone twelve, which is allowed. Listed small kind first, and large."""
    from surveys.suppression import small_support_sets

    for types in ([(2, ["a", "b"]), (10, ["a"])], [(10, ["a"]), (2, ["a", "b"])]):
        assert small_support_sets(types, {"a", "b"}, 5) == [([frozenset({"a", "b"})], 2, {"b"})]
    # Two figures over different people: 'b' (two people) is isolated, 'a' (ten) is not.
    for types in ([(2, ["b"]), (10, ["a"])], [(10, ["a"]), (2, ["b"])]):
        assert small_support_sets(types, {"a", "b"}, 5) == [([frozenset({"b"})], 2, {"b"})]


def test_a_kind_of_exactly_n_people_is_not_reported():
    """'z' covers exactly five people (N): allowed. 'b' covers two: reported, alone."""
    from surveys.suppression import small_support_sets

    types = [(10, ["a"]), (2, ["a", "b"]), (5, ["a", "z"])]
    assert small_support_sets(types, {"a", "b", "z"}, 5) == [([frozenset({"a", "b"})], 2, {"b"})]


# --- Rule 5 ------------------------------------------------------------------------------------------

def test_the_cell_rules_alone_leave_no_hidden_figure_to_solve_for():
    """Rule 5 on its own (without the check at the level of people, which would otherwise catch what it
    misses), on a council where rules 1 to 4 leave a hidden figure (a department's own hybrid workers, none
    of whom answered) that the equations pin: an attacker solving every 'whole = sum of its parts' equation
    with the released figures recovers no hidden figure, zero included (tests/surveys/attacker.py, which
    shares no code with the decision; it skips zeros, so they are counted as one here)."""
    import random

    from surveys.suppression import Release
    from tests.surveys.attacker import recoverable
    from tests.surveys.test_suppression import ATTRS, offered_partitions, random_org, release_of

    rng = random.Random(141)
    t, invited = random_org(rng, departments=rng.randint(3, 9), people=rng.randint(20, 200))
    responded = [r for r in invited if rng.random() < rng.choice([0.5, 0.7, 0.9])]
    n = rng.choice([3, 5, 7])
    release = release_of(responded, invited, t, ATTRS, n, people=False)
    zeros_as_one = Release(n=n, counts={k: max(v, 1) for k, v in release.counts.items()}, released=release.released)
    assert recoverable(zeros_as_one, offered_partitions(invited, t, ATTRS)) == []


def test_after_rule_5_hides_a_cell_the_check_at_the_level_of_people_still_runs():
    """The same council with the product's decision (the check at the level of people on): rule 5 hides a
    cell there, and the figures left would still isolate two people; the release must not (checked by the
    auditor that shares no code with surveys.suppression)."""
    import random

    from tests.surveys import people_auditor
    from tests.surveys.test_suppression import ATTRS, random_org, release_of

    rng = random.Random(141)
    t, invited = random_org(rng, departments=rng.randint(3, 9), people=rng.randint(20, 200))
    responded = [r for r in invited if rng.random() < rng.choice([0.5, 0.7, 0.9])]
    n = rng.choice([3, 5, 7])
    cells_only = release_of(responded, invited, t, ATTRS, n, people=False)
    assert people_auditor.small_sets(responded, cells_only.released, t.parent, n) != []  # the check has work to do
    release = release_of(responded, invited, t, ATTRS, n)
    assert people_auditor.small_sets(responded, release.released, t.parent, n) == []
    assert release.is_released("org")


@pytest.mark.parametrize(("seed", "shown"), [(24, {"org", "d1!"}), (25, {"org"})])
def test_councils_where_rule_2_hides_the_whole_rather_than_another_name_for_a_bigger_group(seed, shown):
    """Two random councils (grade bands partly blank). In the first, the council department's own staff are
    all full-time, so their figure and their full-time figure are one group; when the split of the
    council's full-time staff by team breaks rule 2 and that group is its next part to hide, the split's
    whole is hidden instead, and the own staff's figure (a department-level figure) stays shown. In both,
    the release is safe at the level of people (the auditor) and the council's figure is shown."""
    import random

    from surveys.suppression import count_cells, decide
    from tests.surveys import people_auditor
    from tests.surveys.test_suppression_people import ATTRS, random_org

    rng = random.Random(seed)
    t, invited = random_org(rng, departments=rng.randint(2, 9), people=rng.randint(20, 160))
    responded = [r for r in invited if rng.random() < rng.choice([0.5, 0.8, 1.0])]
    n = rng.choice([3, 5, 5, 7])
    attributes = ATTRS + ["grade_band"]
    release = decide(count_cells(responded, t, attributes), count_cells(invited, t, attributes), t, attributes, n,
                     people=responded)
    assert people_auditor.small_sets(responded, release.released, t.parent, n) == []
    assert shown <= release.released


# --- The decision's details --------------------------------------------------------------------------

def test_a_group_nobody_answered_counts_as_zero_in_its_hidden_total():
    """Four teams: 10, 10, 4 responses and one whose invited staff all stayed silent (0). The 4 and the 0
    are hidden; together they are 4, under N, so one of the tens is hidden too (otherwise the council
    minus the two tens would be those four people's answers). Cell rules alone, as rule 2 states them."""
    from surveys.suppression import count_cells, decide

    t = Tree(parent={1: None, 2: 1, 3: 1, 4: 1, 5: 1}, names={1: "Council", 2: "A", 3: "B", 4: "C", 5: "D"})
    answered = [{"department": d} for d, k in [(2, 10), (3, 10), (4, 4)] for _ in range(k)]
    invited = answered + [{"department": 5} for _ in range(6)]
    release = decide(count_cells(answered, t, []), count_cells(invited, t, []), t, [], 5)
    assert release.counts["d5"] == 0
    assert not release.is_released("d4") and not release.is_released("d5")
    assert not (release.is_released("d2") and release.is_released("d3"))
    assert release.is_released("d1")


def test_a_part_never_shown_is_hidden_before_one_that_is():
    """The council by grade band: A 12, B 3 and 6 people with no grade band recorded (never offered as a
    filter). B is under N, so one more part must be hidden with it: the blank one, which nobody could see
    anyway, rather than grade A (DESIGN.md: a part never shown goes first)."""
    from surveys.suppression import BLANK, count_cells, decide

    t = Tree(parent={1: None}, names={1: "Council"})
    rows = ([{"department": 1, "grade_band": "A"}] * 12 + [{"department": 1, "grade_band": "B"}] * 3
            + [{"department": 1, "grade_band": None}] * 6)
    counts = count_cells(rows, t, ["grade_band"])
    release = decide(counts, counts, t, ["grade_band"], 5, people=rows)
    assert release.is_released("org") and release.is_released("org|grade_band=A")
    assert not release.is_released("org|grade_band=B")
    assert not release.is_released(f"org|grade_band={BLANK}")


def test_people_with_no_value_are_counted_in_the_blank_part():
    """No grade band recorded (None or empty): the blank part, never offered as a filter, not a 'None' group."""
    from surveys.suppression import BLANK, count_cells

    t = Tree(parent={1: None}, names={1: "Council"})
    rows = [{"department": 1, "grade_band": None}, {"department": 1, "grade_band": ""}, {"department": 1, "grade_band": "A"}]
    counts = count_cells(rows, t, ["grade_band"])
    assert counts == {"org": 3, "d1": 3, f"org|grade_band={BLANK}": 2, f"d1|grade_band={BLANK}": 2,
                      "org|grade_band=A": 1, "d1|grade_band=A": 1}


def test_a_value_holding_the_keys_separators_is_a_part_of_its_own():
    """Grade bands are free text: a '|', '=' or '%' in one is part of the value. Its key reads back as
    that value, it counts its own people, and the council split by grade band lists every band (a
    missing part would let the rules pass a split whose shown parts leave a few people out)."""
    from surveys.suppression import cell_key, count_cells, parse_key, partitions

    bands = ["SO1|SO2", "50%", "50%7C", "Band=3", "%25|=x", "A"]
    for band in bands:
        assert parse_key(cell_key("d12!", (("grade_band", band),))) == ("d12!", (("grade_band", band),))
    t = Tree(parent={1: None}, names={1: "Council"})
    rows = [{"department": 1, "grade_band": band} for k, band in enumerate(bands) for _ in range(k + 1)]
    counts = count_cells(rows, t, ["grade_band"])
    for k, band in enumerate(bands):
        assert counts[cell_key("org", (("grade_band", band),))] == k + 1
    assert ("org", sorted(cell_key("org", (("grade_band", b),)) for b in bands)) in [
        (whole, sorted(parts)) for whole, parts in partitions(counts, t, ["grade_band"])]


# --- The search's order ------------------------------------------------------------------------------

# Kinds of people (how many, the released cells they are in), N = 5, over a large group in 'a' alone:
SINGLE = [(2, ["a", "b"])]  # 'b' isolates two people, who are one kind
PAIR = [(1, ["a", "c"]), (1, ["a", "c", "e"]), (10, ["a", "e"])]  # 'c' isolates two kinds, neither alone
TRIPLE = [(1, ["a", "f", "g1"]), (1, ["a", "f", "g2"]), (1, ["a", "f", "g3"]),
          (10, ["a", "g1"]), (10, ["a", "g2"]), (10, ["a", "g3"])]  # 'f' isolates three kinds, no fewer


def _found(types):
    from surveys.suppression import small_support_sets

    released = {c for _, cells in types for c in cells}
    return [(sorted(sorted(a) for a in atoms), size, cells) for atoms, size, cells in
            small_support_sets([(10, ["a"])] + types, released, 5)]


def test_the_search_reports_the_combinations_of_fewest_kinds_of_people_first():
    """Each of these sets is found on its own; with one of fewer kinds about, only those are reported: a
    round of hiding needs only some of the sets, and the next round looks again (the deeper search is the
    slow part)."""
    assert _found(TRIPLE) == [([["a", "f", "g1"], ["a", "f", "g2"], ["a", "f", "g3"]], 3, {"f"})]
    assert _found(PAIR) == [([["a", "c"], ["a", "c", "e"]], 2, {"c"})]
    assert _found(SINGLE + PAIR) == _found(SINGLE) == [([["a", "b"]], 2, {"b"})]
    assert _found(PAIR + TRIPLE) == _found(PAIR)


def test_each_set_is_reported_once():
    """A set of kinds reached by two paths in the search is reported once."""
    from surveys.suppression import small_support_sets

    types = [(10, ["c0", "c1"]), (1, ["c1", "c2"]), (3, ["c1"]), (3, ["c2"]), (2, ["c0", "c2"])]
    found = small_support_sets(types, {"c0", "c1", "c2"}, 7)
    assert found
    sets = [frozenset(atoms) for atoms, _, _ in found]
    assert len(sets) == len(set(sets))


# --- The cell rules on their own ---------------------------------------------------------------------

@pytest.mark.parametrize("seed", range(16))
def test_the_cell_rules_alone_keep_design_rules_1_to_3_and_pin_no_hidden_figure(seed):
    """DESIGN.md's rules 1 to 3 hold for the cell rules' release by itself, before the check at the level
    of people (which would otherwise make up for a rule that stopped working, by hiding other cells): no
    released cell under N, no released whole with one hidden part or hidden parts under N, no hidden
    whole with every part shown; and the equations pin no hidden figure (tests/surveys/attacker.py)."""
    import random

    from surveys.suppression import Release
    from tests.surveys.attacker import recoverable
    from tests.surveys.test_suppression import ATTRS, check_property, offered_partitions, random_org, release_of

    rng = random.Random(500 + seed)
    t, invited = random_org(rng, departments=rng.randint(3, 10), people=rng.randint(30, 220))
    responded = [r for r in invited if rng.random() < rng.choice([0.5, 0.7, 0.9])]
    n = rng.choice([3, 5, 7])
    release = release_of(responded, invited, t, ATTRS, n, people=False)
    offered = offered_partitions(invited, t, ATTRS)
    assert check_property(release, offered, n) == []
    zeros_as_one = Release(n=n, counts={k: max(v, 1) for k, v in release.counts.items()}, released=release.released)
    assert recoverable(zeros_as_one, offered) == []
    if len(responded) >= 4 * n:
        assert release.is_released("org")
