"""The suppression decision, tested as an attacker would: over random organisations and every table
the product offers, no hidden figure is recoverable by subtraction (DESIGN.md's checkable property),
plus DESIGN.md's worked examples."""

import random
from itertools import combinations

import pytest

from surveys.suppression import MAX_FILTERS, ORG, Tree, cell_key, count_cells, decide

ATTRS = ["work_pattern", "contract", "has_work_email"]
VALUES = {"work_pattern": ["office", "hybrid", "frontline"], "contract": ["full-time", "part-time"],
          "has_work_email": ["True", "False"]}


def _rows_in(rows, tree, scope):
    """Rows in a scope, computed directly (independently of surveys.suppression)."""
    if scope == ORG:
        return rows
    direct = scope.endswith("!")
    d = int(scope[1:].rstrip("!"))
    if direct:
        return [r for r in rows if r["department"] == d]
    return [r for r in rows if d in tree.ancestors_and_self(r["department"])]


def _filter(rows, f):
    return [r for r in rows if all(str(r[a]) == v for a, v in f)]


def offered_partitions(people, tree, attrs=ATTRS, max_filters=MAX_FILTERS):
    """Every (whole, parts) the product shows, rebuilt from the raw rows: the department tree under
    every filter of up to `max_filters` attributes, and every cell split by one more attribute."""
    kids = tree.children()
    scopes = [ORG] + [f"d{d}" for d in tree.parent] + [f"d{d}!" for d in tree.parent if kids.get(d)]
    filters = [()]
    for k in range(1, max_filters + 1):
        for combo in combinations(attrs, k):
            def expand(prefix, rest):
                if not rest:
                    yield tuple(prefix)
                    return
                for v in VALUES[rest[0]]:
                    yield from expand(prefix + [(rest[0], v)], rest[1:])
            filters.extend(expand([], list(combo)))
    out = []
    for f in filters:
        for scope in scopes:
            whole = cell_key(scope, f)
            if scope == ORG:
                parts = [cell_key(f"d{r}", f) for r in kids[None]]
            elif not scope.endswith("!") and kids.get(int(scope[1:])):
                d = int(scope[1:])
                parts = [cell_key(f"d{d}!", f)] + [cell_key(f"d{c}", f) for c in kids[d]]
            else:
                parts = None
            if parts is not None:
                out.append((whole, parts))
            if len(f) < max_filters:
                for a in attrs:
                    if a not in {x for x, _ in f}:
                        out.append((whole, [cell_key(scope, f + ((a, v),)) for v in VALUES[a]]))
    # Keep only parts somebody was invited to (a structural zero discloses nothing).
    def population(key):
        scope, *pairs = key.split("|")
        f = tuple(tuple(p.split("=", 1)) for p in pairs)
        return len(_filter(_rows_in(people, tree, scope), f))
    cache = {}
    result = []
    for whole, parts in out:
        if population(whole) == 0:
            continue
        kept = []
        for p in parts:
            if p not in cache:
                cache[p] = population(p)
            if cache[p]:
                kept.append(p)
        result.append((whole, kept))
    return result


def check_property(release, parts_offered, n):
    problems = []
    for key in release.released:
        if release.counts[key] < n:
            problems.append(f"rule 1: {key} released with {release.counts[key]}")
    for whole, parts in parts_offered:
        hidden = [p for p in parts if not release.is_released(p)]
        if release.is_released(whole):
            if len(hidden) == 1 or (hidden and sum(release.counts.get(p, 0) for p in hidden) < n):
                problems.append(f"rule 2: {whole} -> hidden {hidden}")
        elif parts and not hidden and len(parts) > 0:
            problems.append(f"rule 3: {whole} hidden but parts released {parts}")
    return problems


def random_org(rng, departments=12, people=260):
    parent = {1: None}
    names = {1: "Council"}
    for d in range(2, departments + 1):
        parent[d] = rng.choice(list(parent))
        names[d] = f"Dept {rng.randint(1, 50)}"  # duplicate names exercise tie-breaking by key
    tree = Tree(parent=parent, names=names)
    rows = []
    for _ in range(people):
        rows.append({
            "department": rng.choice(list(parent)),
            "work_pattern": rng.choices(VALUES["work_pattern"], weights=[5, 4, 3])[0],
            "contract": rng.choices(VALUES["contract"], weights=[4, 1])[0],
            "has_work_email": rng.choices(VALUES["has_work_email"], weights=[3, 1])[0],
        })
    return tree, rows


def release_of(responded, invited, tree, attrs, n, max_filters=MAX_FILTERS, people=True):
    """The product's decision: cell rules and the check at the level of people."""
    return decide(count_cells(responded, tree, attrs, max_filters), count_cells(invited, tree, attrs, max_filters),
                  tree, attrs, n, max_filters=max_filters, people=responded if people else None)


@pytest.mark.parametrize("seed", range(40))
def test_no_hidden_figure_is_recoverable_in_random_organisations(seed):
    rng = random.Random(seed)
    n = rng.choice([3, 5, 5, 7])
    tree, invited = random_org(rng, departments=rng.randint(3, 14), people=rng.randint(20, 300))
    responded = [r for r in invited if rng.random() < rng.choice([0.3, 0.6, 0.9])]
    release = release_of(responded, invited, tree, ATTRS, n)
    assert check_property(release, offered_partitions(invited, tree), n) == []
    # Not everything is hidden: the checks would pass trivially if it were.
    if len(responded) >= 4 * n:
        assert release.is_released(ORG)


def _flat(children_counts, n=5, direct=0, names=None):
    """A council with direct staff and children of the given response counts (everyone responded)."""
    parent = {1: None}
    names = names or {}
    rows = [{"department": 1, "work_pattern": "office", "contract": "full-time", "has_work_email": "True"}] * direct
    tree_names = {1: "Council"}
    for i, c in enumerate(children_counts, start=2):
        parent[i] = 1
        tree_names[i] = names.get(i, f"Team {chr(64 + i)}")
        rows += [{"department": i, "work_pattern": "office", "contract": "full-time", "has_work_email": "True"}] * c
    tree = Tree(parent=parent, names=tree_names)
    counts = count_cells(rows, tree, [])
    return decide(counts, counts, tree, [], n), tree


def test_design_example_children_12_7_2():
    release, _ = _flat([12, 7, 2])
    assert release.is_released("d2")
    assert not release.is_released("d4")  # 2: under N
    assert not release.is_released("d3")  # 7: the next smallest, hidden with it
    assert release.is_released("d1")


def test_design_example_children_12_8_3_4():
    release, _ = _flat([12, 8, 3, 4])
    assert [release.is_released(f"d{i}") for i in (2, 3, 4, 5)] == [True, True, False, False]


def test_ties_broken_by_name():
    release, _ = _flat([12, 7, 7, 2])
    # The two 7s tie: the cell key orders them, so the same one is hidden every time.
    assert (release.is_released("d3"), release.is_released("d4")) == (False, True)


def test_direct_staff_count_as_a_part():
    # A department's own staff (here 3) are a part like any child team: hidden, and they pull 6 with them.
    release, _ = _flat([20, 6], direct=3)
    assert not release.is_released("d1!")
    assert not release.is_released("d3")
    assert release.is_released("d2")


def test_department_of_four_pulls_its_smallest_sibling_at_the_parent():
    parent = {1: None, 2: 1, 3: 1, 4: 2, 5: 2, 6: 2}
    rows = []
    for d, c in {3: 30, 4: 4, 5: 9, 6: 12}.items():
        rows += [{"department": d}] * c
    tree = Tree(parent=parent, names={d: f"D{d}" for d in parent})
    counts = count_cells(rows, tree, [])
    release = decide(counts, counts, tree, [], 5)
    assert not release.is_released("d4") and not release.is_released("d5")
    assert release.is_released("d6") and release.is_released("d2")


def test_zero_responses_count_as_hidden_and_are_protected():
    # Part-time staff were invited but none answered: "0" would be a disclosure, so it is hidden and
    # the full-time figure (which would equal the whole) is hidden with it.
    parent = {1: None}
    tree = Tree(parent=parent, names={1: "Council"})
    invited = [{"department": 1, "contract": "full-time"}] * 12 + [{"department": 1, "contract": "part-time"}] * 3
    responded = invited[:12]
    release = decide(count_cells(responded, tree, ["contract"]), count_cells(invited, tree, ["contract"]),
                     tree, ["contract"], 5)
    assert release.is_released("org")
    assert not release.is_released("org|contract=part-time")
    assert not release.is_released("org|contract=full-time")


def test_structural_zero_is_not_a_part():
    # Nobody works directly in the council department, so its empty "own staff" cell hides nothing.
    release, _ = _flat([12, 8])
    assert "d1!" not in release.counts
    assert release.is_released("d2") and release.is_released("d3")


def test_release_round_trips_as_json():
    release, _ = _flat([12, 7, 2])
    from surveys.suppression import Release

    again = Release.from_json(release.to_json())
    assert again.released == release.released and again.counts == release.counts


@pytest.mark.parametrize("seed", range(25))
def test_linear_attacker_recovers_no_hidden_figure(seed):
    from tests.surveys.attacker import recoverable

    rng = random.Random(1000 + seed)
    attrs = ["work_pattern", "contract"]
    tree, invited = random_org(rng, departments=rng.randint(3, 7), people=rng.randint(30, 140))
    responded = [r for r in invited if rng.random() < 0.7]
    release = release_of(responded, invited, tree, attrs, 5)
    assert recoverable(release, offered_partitions(invited, tree, attrs)) == []


def test_linear_attacker_finds_a_planted_leak():
    """The attacker is real: release one of a pair of hidden cells and it recovers the other."""
    from tests.surveys.attacker import recoverable

    attrs = ["work_pattern", "contract"]
    rng = random.Random(3)
    tree, invited = random_org(rng, departments=6, people=100)
    responded = [r for r in invited if rng.random() < 0.7]
    release = release_of(responded, invited, tree, attrs, 5)
    parts = offered_partitions(invited, tree, attrs)
    for whole, ps in parts:
        pair = [p for p in ps if not release.is_released(p) and release.counts[p] > 0]
        if release.is_released(whole) and len(pair) == 2:
            release.released.add(pair[0])
            assert pair[1] in recoverable(release, parts)
            return
    pytest.fail("no partition with exactly two hidden parts to plant a leak in")
