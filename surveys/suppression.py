"""Which survey figures may be shown: decided once per wave, when it closes, for every table the
product offers, so that no hidden figure can be recovered by subtraction.

Cells. A cell is a group of responses: a *scope* (the whole organisation, a department with everything
beneath it, or a department's own staff who sit in no child team) narrowed by up to two *filters*
(attribute = value, e.g. work pattern = frontline). Every figure, chart, heatmap cell, filter result
and export the product shows is one of these cells.

Partitions. The cells fit together in two ways, and both are checked:
- the tree: a department with teams = its own staff + each team (for every filter);
- an attribute: a cell = the sum of that cell split by one more attribute's values (while at most two
  filters are in use). People with no value for an attribute (grade band and equality data are
  optional) are a part of their own, the value `BLANK`: never offered as a filter, but hidden or
  released like any other part, so the values shown never add up to the whole minus a few people.
Parts whose invited population is zero are left out (everyone knows nobody is there). Two names for the
same people (a split with one non-empty part: a department whose staff are all full-time, and its
full-time staff) are one cell to the rules, so they are always shown or hidden together.

Rules (DESIGN.md's checkable property is rules 1 to 3; the tests check them over random organisations):
1. every released cell has at least N responses;
2. in every partition of a released cell, the hidden parts are none, or at least two with a hidden
   total of at least N;
3. a hidden cell whose parts are all released is a disclosure, so it never happens.
The per-partition rules alone leave some groups under N recoverable by combining figures across levels
and attributes (tests/surveys/test_attacker_pages.py plays that attacker), so two more:
4. rule 2 across levels: a released cell minus the released cells beneath it in the tree, looking
   through any number of hidden levels, is nobody or at least N responses (Housing minus Repairs minus
   Lettings' own staff would otherwise be Housing's own staff plus Tenancy, however few);
5. an attacker who solves every equation "whole = sum of its parts" with the released counts as
   constants (exact linear algebra, `solvable`) pins no hidden cell.
Cells under N are hidden first; then, until nothing changes, a partition breaking rule 2 hides its
next-smallest released part (DESIGN.md; ties by name; a part never shown goes first), one breaking rule 3
or 4 hides the part whose hiding forces least else, and a cell rule 5 could solve for hides the cheapest
released cell nearest it in the equations. Cells with zero responses (from a non-empty population) count
as hidden. On the demo council (2,005 invited, 1,311 responses, 2,834 cells) this takes under 2 s.

The same function, with the comment threshold and the number of people who wrote a comment, decides
which cells' comments may be shown.
"""

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from itertools import combinations

ORG = "org"
BLANK = "?"  # the value of an attribute somebody has none for (never offered as a filter)


def cell_key(scope: str, filters: tuple[tuple[str, str], ...] = ()) -> str:
    """'org', 'd12' (department 12 and beneath), 'd12!' (its own staff only), plus '|attr=value' filters
    in attribute order."""
    return scope + "".join(f"|{a}={v}" for a, v in sorted(filters))


@dataclass
class Tree:
    """The department tree as the wave saw it: parent of each department id (None for a root) and names
    (for tie-breaking and labels)."""

    parent: dict[int, int | None]
    names: dict[int, str]
    _children: dict[int | None, list[int]] | None = field(default=None, init=False, repr=False, compare=False)

    def children(self) -> dict[int | None, list[int]]:
        """Each department's teams (None: the top departments), by name; worked out once."""
        if self._children is None:
            out: dict[int | None, list[int]] = {}
            for d, p in self.parent.items():
                out.setdefault(p, []).append(d)
            for v in out.values():
                v.sort(key=lambda d: (self.names.get(d, ""), d))
            self._children = out
        return self._children

    def ancestors_and_self(self, d: int) -> list[int]:
        chain = []
        while d is not None and d not in chain:
            chain.append(d)
            d = self.parent.get(d)
        return chain

    def members(self, scope: str) -> list[int] | None:
        """The departments whose people a scope holds (None: everyone, the organisation)."""
        if scope == ORG:
            return None
        d = int(scope[1:].rstrip("!"))
        if scope.endswith("!"):
            return [d]
        kids, out, stack = self.children(), [], [d]
        while stack:
            x = stack.pop()
            out.append(x)
            stack.extend(kids.get(x, []))
        return out

    def to_json(self) -> dict:
        return {"parent": {str(d): p for d, p in self.parent.items()}, "names": {str(d): n for d, n in self.names.items()}}

    @classmethod
    def from_json(cls, data: dict) -> "Tree":
        return cls(parent={int(d): p for d, p in data["parent"].items()},
                   names={int(d): n for d, n in data["names"].items()})


@dataclass
class Release:
    """The decision for one wave: which cells are released, with their response counts."""

    n: int
    counts: dict[str, int]  # every non-empty cell (population > 0): responses
    released: set[str]

    def is_released(self, key: str) -> bool:
        return key in self.released

    def to_json(self) -> dict:
        return {"n": self.n, "counts": self.counts, "released": sorted(self.released)}

    @classmethod
    def from_json(cls, data: dict) -> "Release":
        return cls(n=data["n"], counts=data["counts"], released=set(data["released"]))


def _cells_for(row: dict, tree: Tree, attributes: list[str], max_filters: int, with_teams: set[int]) -> list[str]:
    """Every cell a person (a response or an invitee) belongs to. A department's own staff are a cell
    only where it has teams below (otherwise they are the department itself, under one name)."""
    d = row["department"]
    scopes = [ORG] + [f"d{a}" for a in tree.ancestors_and_self(d)] + ([f"d{d}!"] if d in with_teams else [])
    values = [(a, BLANK if row.get(a) in (None, "") else str(row[a])) for a in attributes]
    keys = []
    for k in range(0, max_filters + 1):
        for combo in combinations(values, k):
            for s in scopes:
                keys.append(cell_key(s, combo))
    return keys


def count_cells(rows, tree: Tree, attributes: list[str], max_filters: int = 2) -> Counter:
    counts: Counter = Counter()
    with_teams = {p for p in tree.parent.values() if p is not None}
    for row in rows:
        counts.update(_cells_for(row, tree, attributes, max_filters, with_teams))
    return counts


def _parse(key: str) -> tuple[str, tuple[tuple[str, str], ...]]:
    scope, *pairs = key.split("|")
    return scope, tuple(tuple(p.split("=", 1)) for p in pairs)


def _tree_parts(population, tree: Tree) -> dict[str, list[str]]:
    """Each cell's parts in the tree (same filters): the organisation into its top departments, a department
    with teams into its own staff and each team; parts with population > 0 only."""
    kids = tree.children()
    out: dict[str, list[str]] = {}
    for key in population:
        scope, f = _parse(key)
        if scope == ORG:
            parts = [cell_key(f"d{r}", f) for r in kids.get(None, [])]
        elif not scope.endswith("!") and kids.get(int(scope[1:])):
            d = int(scope[1:])
            parts = [cell_key(f"d{d}!", f)] + [cell_key(f"d{c}", f) for c in kids[d]]
        else:
            continue
        out[key] = [p for p in parts if population.get(p)]
    return out


def partitions(population: Counter, tree: Tree, attributes: list[str], max_filters: int = 2):
    """(whole, [parts]) for every partition the product offers, over cells with population > 0, in a
    fixed order."""
    in_tree = _tree_parts(population, tree)
    parsed = {key: _parse(key) for key in population}
    values_of: dict[str, set[str]] = defaultdict(set)
    for _, f in parsed.values():
        for a, v in f:
            values_of[a].add(v)
    out = []
    for key in sorted(population):
        scope, f = parsed[key]
        if key in in_tree:
            out.append((key, in_tree[key]))
        # Attribute partitions.
        if len(f) < max_filters:
            used = {a for a, _ in f}
            for attr in attributes:
                if attr in used:
                    continue
                parts = [cell_key(scope, f + ((attr, v),)) for v in sorted(values_of[attr])]
                parts = [p for p in parts if population.get(p)]
                if parts:
                    out.append((key, parts))
    return out


class _Classes:
    """Cells that are the same people under two names (a split with one non-empty part: a department all
    of whose staff are full-time is the same group as its full-time staff) are decided together."""

    def __init__(self, cells, parts_list):
        self.up = {k: k for k in cells}
        for whole, parts in parts_list:
            if len(parts) == 1:
                self._union(whole, parts[0])

    def find(self, k):
        while self.up[k] != k:
            self.up[k] = self.up[self.up[k]]
            k = self.up[k]
        return k

    def _union(self, a, b):
        a, b = self.find(a), self.find(b)
        if a != b:
            self.up[max(a, b)] = min(a, b)


def decide(responses: Counter, population: Counter, tree: Tree, attributes: list[str], n: int,
           max_filters: int = 2, trace: list | None = None) -> Release:
    """Which cells may be shown. `responses` and `population` are counts per cell (count_cells). `trace`,
    if given, collects (cell, reason) as cells are hidden."""
    cells = {k for k, v in population.items() if v > 0}
    count = {k: responses.get(k, 0) for k in cells}
    pop = {k: population[k] for k in cells}
    all_partitions = partitions(Counter(pop), tree, attributes, max_filters)
    classes = _Classes(cells, all_partitions)
    members: dict[str, list[str]] = defaultdict(list)
    for k in cells:
        members[classes.find(k)].append(k)
    # Every rule works on classes; a class is never shown if all its names have a blank value in them.
    unseen = {c for c, ks in members.items() if all(f"={BLANK}" in k for k in ks)}
    parts_list, seen_partitions = [], set()
    for whole, parts in all_partitions:
        w, ps = classes.find(whole), tuple(sorted({classes.find(p) for p in parts}))
        if len(ps) > 1 and (w, ps) not in seen_partitions:
            seen_partitions.add((w, ps))
            parts_list.append((w, list(ps)))
    below = defaultdict(set)
    for whole, parts in _tree_parts(pop, tree).items():
        ps = {classes.find(p) for p in parts}
        if len(ps) > 1 or classes.find(whole) not in ps:
            below[classes.find(whole)] |= ps
    part_of: dict[str, list[tuple[str, list[str]]]] = defaultdict(list)
    equations: dict[str, list[tuple[str, ...]]] = defaultdict(list)  # every partition a class is in
    for whole, parts in parts_list:
        for p in parts:
            part_of[p].append((whole, parts))
        for c in (whole, *parts):
            equations[c].append((whole, *parts))

    hidden: set[str] = set()

    def hide(c, why):
        hidden.add(c)
        if trace is not None:
            trace.append((c, why))

    def knock_on(c):
        """How many released groups hiding c would leave with a single hidden part or too few hidden."""
        bad = 0
        for whole, parts in part_of.get(c, ()):
            if whole not in hidden:
                hidden_parts = [p for p in parts if p in hidden or p == c]
                bad += len(hidden_parts) == 1 or sum(count[p] for p in hidden_parts) < n
        return bad

    # How prominent a cell is: the fewest filters among its names (a department's total is worth more than
    # its frontline part-time staff).
    filters_of = {c: min(k.count("|") for k in ks) for c, ks in members.items()}

    def smallest(candidates):
        """DESIGN.md's next-smallest (ties by name), a part never shown first."""
        return min(candidates, key=lambda c: (c not in unseen, count[c], c))

    def cheapest(candidates):
        """Where any part will do: a part never shown, then the least prominent, then the one that forces
        least else, then the smallest."""
        return min(candidates, key=lambda c: (c not in unseen, -filters_of[c], knock_on(c), count[c], c))

    def frontier(c):
        """The released cells just beneath a cell in the tree, looking through hidden ones."""
        out, stack, seen = set(), list(below.get(c, ())), set()
        while stack:
            p = stack.pop()
            if p in seen:
                continue
            seen.add(p)
            if p in hidden:
                stack.extend(below.get(p, ()))
            else:
                out.add(p)
        return out

    def apply_rules() -> bool:
        """Rules 1 to 4, once over every partition; whether anything was hidden."""
        changed = False
        for whole, parts in parts_list:
            hidden_parts = [p for p in parts if p in hidden]
            if whole not in hidden:
                if hidden_parts and (len(hidden_parts) == 1 or sum(count[p] for p in hidden_parts) < n):
                    candidates = [p for p in parts if p not in hidden]
                    choice = smallest(candidates) if candidates else whole
                    if choice not in unseen and (whole in unseen or filters_of[choice] < filters_of[whole]):
                        # The whole is never shown, or the sibling is another name for a more prominent
                        # group (a department's own staff, all office-based): hide the whole instead.
                        choice = whole
                    hide(choice, f"rule 2 in {whole}")
                    changed = True
            elif not hidden_parts:
                hide(cheapest(parts), f"rule 3 in {whole}")
                changed = True
        for whole in sorted(below):
            if whole in hidden:
                continue
            front = frontier(whole)
            rest = count[whole] - sum(count[p] for p in front)
            if pop[whole] - sum(pop[p] for p in front) > 0 and rest < n:
                hide(cheapest(front), f"rule 4 in {whole}")
                changed = True
        return changed

    for c in sorted(members):
        if count[c] < n:
            hide(c, "rule 1")
    while True:
        while apply_rules():
            pass
        # Rule 5: an attacker solving every equation the tables imply pins no hidden cell.
        progress = False
        for c in solvable(hidden, parts_list):
            nearest = _nearest_released(c, hidden, equations)
            if nearest:
                hide(cheapest(nearest), f"rule 5: {c} could be solved for")
                progress = True
        if not progress:
            break
    released = {k for c, ks in members.items() if c not in hidden for k in ks}
    return Release(n=n, counts=count, released=released)


def _nearest_released(c: str, hidden: set[str], equations) -> set[str]:
    """The released cells closest to a hidden one through the equations (hidden cells are passed through):
    hiding one of them adds an unknown next to it."""
    seen, layer = {c}, [c]
    while layer:
        found, following = set(), []
        for h in layer:
            for equation in equations.get(h, ()):
                for m in equation:
                    if m in seen:
                        continue
                    seen.add(m)
                    if m in hidden:
                        following.append(m)
                    else:
                        found.add(m)
        if found:
            return found
        layer = following
    return set()


_P = 2**61 - 1  # exact arithmetic modulo a large prime: the equations' coefficients are small integers


def solvable(hidden: set[str], parts_list) -> list[str]:
    """Hidden cells whose counts follow from the released ones: each equation "whole = sum of its parts",
    with released counts as constants, is reduced (Gauss-Jordan, sparse) over the hidden cells; a hidden
    cell is pinned when a reduced equation holds it alone."""
    order = {c: i for i, c in enumerate(sorted(hidden))}
    rows: dict[int, dict[int, int]] = {}  # reduced rows, by pivot column
    for whole, parts in parts_list:
        row: dict[int, int] = {}
        for c, coefficient in [(whole, 1)] + [(p, -1) for p in parts]:
            if c in order:
                i = order[c]
                row[i] = (row.get(i, 0) + coefficient) % _P
        row = {i: v for i, v in row.items() if v}
        for i in [i for i in sorted(row) if i in rows]:
            if i in row:
                _eliminate(row, rows[i], row[i])
        if not row:
            continue
        pivot = min(row)
        inverse = pow(row[pivot], _P - 2, _P)
        row = {i: v * inverse % _P for i, v in row.items()}
        for other in rows.values():
            if pivot in other:
                _eliminate(other, row, other[pivot])
        rows[pivot] = row
    names = sorted(hidden)
    return [names[i] for i, row in rows.items() if len(row) == 1]


def _eliminate(row: dict[int, int], pivot_row: dict[int, int], factor: int) -> None:
    for i, v in pivot_row.items():
        row[i] = (row.get(i, 0) - factor * v) % _P
        if not row[i]:
            del row[i]
