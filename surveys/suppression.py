"""Which survey figures may be shown: decided once per wave, when it closes, for every table the
product offers, so that no combination of figures gives away fewer than N people's answers.

Cells. A cell is a group of responses: a *scope* (the whole organisation, a department with everything
beneath it, or a department's own staff who sit in no child team), narrowed by at most MAX_FILTERS
*filters* (attribute = value, e.g. work pattern = frontline). Every figure, chart, heatmap cell, filter
result and export the product shows is one of these cells.

The property (DESIGN.md, issue 10), at the level of people. M has a row per released cell and a column
per respondent. Every figure shown is a linear function of M x (x: each respondent's answers, one-hot),
so an attacker who knows who is in which cell learns exactly the row space of M. The release is safe
when no nonzero vector in that row space is supported on fewer than N respondents. `small_support_sets`
decides this exactly (arithmetic modulo a prime); tests/surveys/people_auditor.py checks it again with
code of its own.

Partitions. The cells also fit together in two ways, which the cell rules below use:
- the tree: a department with teams = its own staff + each team (for every filter);
- an attribute: a cell = the sum of that cell split by one more attribute's values (while fewer than
  MAX_FILTERS filters are in use). People with no value for an attribute (grade band and equality data
  are optional) are a part of their own, the value `BLANK`: never offered as a filter, but hidden or
  released like any other part, so the values shown never add up to the whole minus a few people.
Parts whose invited population is zero are left out (everyone knows nobody is there). Two names for the
same people (a split with one non-empty part: a department whose staff are all full-time, and its
full-time staff) are one cell to the rules, so they are always shown or hidden together.

Cell rules (DESIGN.md 1 to 3, kept as they are; 4 and 5 are heuristics that find most of what the
people check would, cheaply):
1. every released cell has at least N responses;
2. in every partition of a released cell, the hidden parts are none, or at least two with a hidden
   total of at least N;
3. a hidden cell whose parts are all released is a disclosure, so it never happens;
4. a released cell minus the released cells beneath it in the tree, looking through hidden levels, is
   nobody or at least N responses;
5. an attacker who solves every equation "whole = sum of its parts" with the released counts as
   constants (exact linear algebra, `solvable`) pins no hidden cell.
Cells under N are hidden first; then, until nothing changes, a partition breaking rule 2 hides its
next-smallest released part (DESIGN.md; ties by name; a part never shown goes first), one breaking rule 3
or 4 hides the part whose hiding forces least else, and a cell rule 5 could solve for hides the cheapest
released cell nearest it in the equations. Then the people check: each set of fewer than N people that
released figures isolate hides the least prominent of the cells whose combination isolates it, and the
rules run again, until the check finds nothing (hiding only ever shrinks the row space, so this ends).
Cells with zero responses (from a non-empty population) count as hidden. `trace` records why each cell
was hidden; it is kept out of the stored release on purpose (the reason would tell which groups are small).

One attribute at a time (MAX_FILTERS = 1), from what was measured on the demo council's Autumn wave
(1,315 responses; N = 5): with two attributes at once the cell rules released 673 of 2,834 cells, and
the people check found 547 sets of 1 to 4 people isolated by them; making it safe left 310 cells and
only 31 of the 52 department-level figures, in 43 s. With one attribute the cell rules release 309 of
668 cells and the safe release keeps 274, all 52 department-level figures among them, in about 1 s.

The same function, with the comment threshold and the people who wrote a comment, decides which cells'
comments may be shown; a cell's comments show only where its figures do.
"""

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from itertools import combinations

ORG = "org"
# One attribute at a time (DESIGN.md, from what was measured: see the docstring's last paragraph).
MAX_FILTERS = 1
BLANK = "?"  # the value of an attribute somebody has none for (never offered as a filter)


def cell_key(scope: str, filters: tuple[tuple[str, str], ...] = ()) -> str:
    """'org', 'd12' (department 12 and beneath), 'd12!' (its own staff only), plus '|attr=value' filters
    in attribute order. A value's '%' and '|' are escaped ('%25', '%7C'): a grade band is free text, and
    one holding a '|' would otherwise split the key into a filter that does not exist."""
    return scope + "".join(f"|{a}={_escape(v)}" for a, v in sorted(filters))


def _escape(value: str) -> str:
    return value.replace("%", "%25").replace("|", "%7C")


def _unescape(value: str) -> str:
    # Every '%' in an escaped value starts '%25' or '%7C', so undoing them in this order is exact.
    return value.replace("%7C", "|").replace("%25", "%")


def parse_key(key: str) -> tuple[str, tuple[tuple[str, str], ...]]:
    """A cell key's scope and filters, values as given to `cell_key` (attribute names hold no '=')."""
    scope, *pairs = key.split("|")
    return scope, tuple((a, _unescape(v)) for a, v in (p.split("=", 1) for p in pairs))


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


def count_cells(rows, tree: Tree, attributes: list[str], max_filters: int = MAX_FILTERS) -> Counter:
    counts: Counter = Counter()
    with_teams = {p for p in tree.parent.values() if p is not None}
    for row in rows:
        counts.update(_cells_for(row, tree, attributes, max_filters, with_teams))
    return counts


def _tree_parts(population, tree: Tree) -> dict[str, list[str]]:
    """Each cell's parts in the tree (same filters): the organisation into its top departments, a department
    with teams into its own staff and each team; parts with population > 0 only."""
    kids = tree.children()
    out: dict[str, list[str]] = {}
    for key in population:
        scope, f = parse_key(key)
        if scope == ORG:
            parts = [cell_key(f"d{r}", f) for r in kids.get(None, [])]
        elif not scope.endswith("!") and kids.get(int(scope[1:])):
            d = int(scope[1:])
            parts = [cell_key(f"d{d}!", f)] + [cell_key(f"d{c}", f) for c in kids[d]]
        else:
            continue
        out[key] = [p for p in parts if population.get(p)]
    return out


def partitions(population: Counter, tree: Tree, attributes: list[str], max_filters: int = MAX_FILTERS):
    """(whole, [parts]) for every partition the product offers, over cells with population > 0, in a
    fixed order."""
    in_tree = _tree_parts(population, tree)
    parsed = {key: parse_key(key) for key in population}
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
           max_filters: int = MAX_FILTERS, trace: list | None = None, people: list[dict] | None = None) -> Release:
    """Which cells may be shown. `responses` and `population` are counts per cell (count_cells); `people`,
    the responses themselves (department and attributes), for the check at the level of people (without
    it only the cell rules run). `trace`, if given, collects (cell, reason) as cells are hidden."""
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
    types = base_types(people, tree, attributes, max_filters) if people is not None else []

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
        if progress:
            continue
        # The release at the level of people: no combination of released figures isolates fewer than n.
        if people is None:
            break
        released = {k for c, ks in members.items() if c not in hidden for k in ks}
        chosen: set[str] = set()
        for _atoms, size, cells in small_support_sets(types, released, n):
            behind = {classes.find(k) for k in cells} - hidden
            if behind & chosen or not behind:
                continue  # hiding that cell changes this combination too: look again next round
            choice = cheapest(behind)
            chosen.add(choice)
            hide(choice, f"people: released figures combine to isolate {size}")
        if not chosen:
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


def release_for(*, tree: Tree, attributes: list[str], invited: list[dict], responses: list[dict], commenters: set,
                n: int, n_comments: int, segment_attributes: list[str]) -> dict:
    """A wave's whole release, from plain rows (each with `department_id` and the attributes; responses
    with `pk` too): figures over responses with threshold n, comments over the people who wrote one with
    the comment threshold, each safe at the level of people. As stored on the wave, with the tree it was
    decided on (results keep their shape if departments move or are renamed later)."""
    invited = [{**r, "department": r["department_id"]} for r in invited]
    responses = [{**r, "department": r["department_id"]} for r in responses]
    # Equality data is only on responses: its population is the responses themselves.
    population = count_cells(invited, tree, [a for a in attributes if a in segment_attributes])
    population.update({k: v for k, v in count_cells(responses, tree, attributes).items() if k not in population})
    figures = decide(count_cells(responses, tree, attributes), population, tree, attributes, n, people=responses)
    # Comments are offered for department cells only (selectors_results): their release is decided over
    # the tree alone, where sets of fewer than the comment threshold are few and quick to search.
    wrote = [r for r in responses if r["pk"] in commenters]
    comments = decide(count_cells(wrote, tree, [], 0), count_cells(invited, tree, [], 0), tree, [], n_comments,
                      max_filters=0, people=wrote)
    # A cell's comments show only where its figures do too (hiding more keeps the release safe).
    comments.released &= figures.released
    return {"attributes": attributes, "tree": tree.to_json(), "figures": figures.to_json(),
            "comments": comments.to_json()}


# --- The release at the level of people ------------------------------------------------------------

def base_types(rows, tree: Tree, attributes: list[str], max_filters: int = MAX_FILTERS) -> list[tuple[int, list[str]]]:
    """People who are in exactly the same cells (same department and the same value of every attribute),
    as (how many, their cells). A response is one of these; every figure is a sum over them."""
    with_teams = {p for p in tree.parent.values() if p is not None}
    groups: Counter = Counter()
    sample: dict[tuple, dict] = {}
    for row in rows:
        key = (row["department"], *(BLANK if row.get(a) in (None, "") else str(row[a]) for a in attributes))
        groups[key] += 1
        sample.setdefault(key, row)
    return [(w, _cells_for(sample[key], tree, attributes, max_filters, with_teams)) for key, w in groups.items()]


def small_support_sets(types: list[tuple[int, list[str]]], released: set[str], n: int, limit: int = 10**9):
    """Sets of people fewer than n that some combination of released figures isolates.

    M has a row per released cell and a column per person; what an attacker who knows who is in which
    cell can learn is exactly the row space of M. Its vectors are constant on *atoms* (people in exactly
    the same released cells), so a vector supported on fewer than n people lives on atoms smaller than n.
    Working over atoms (exact arithmetic modulo a prime):
    1. reduce M's rows with the atoms of n or more people first, so the rows left with a pivot among the
       small atoms span V0, every combination that is zero on all large atoms;
    2. a nonzero vector of V0 supported on a set S of small atoms exists exactly when the columns of V0's
       parity-check matrix H on S are dependent; so search for dependent sets of H's columns whose people
       add up to fewer than n, growing a set only through a row of H it leaves unbalanced (in a minimal
       dependent set every row of H is touched by none or by two or more of its columns), and only while
       it stays under n.
    Returns each such set as (its atoms, how many people, the released cells whose combination isolates
    it), an atom being the frozenset of released cells its people are in. An empty list means the release
    is safe at the level of people."""
    atoms: dict[frozenset, int] = defaultdict(int)
    for w, cells in types:
        atoms[frozenset(c for c in cells if c in released)] += w
    atoms.pop(frozenset(), None)  # in no released cell: nothing shown covers them
    order = sorted(atoms, key=lambda a: (atoms[a] < n, sorted(a)))  # large atoms first
    weight = [atoms[a] for a in order]
    first_small = next((i for i, w in enumerate(weight) if w < n), len(order))
    if first_small == len(order):
        return []
    column_of = {a: i for i, a in enumerate(order)}
    cells_rows: dict[str, list[int]] = defaultdict(list)
    for a, i in column_of.items():
        for c in a:
            cells_rows[c].append(i)
    # Each row carries its history (which released cells it combines) in columns past the atoms.
    width, names = len(order), sorted(cells_rows)
    pivots: dict[int, dict[int, int]] = {}
    for k, cell in enumerate(names):
        row = dict.fromkeys(cells_rows[cell], 1)
        row[width + k] = 1
        _reduce_into(pivots, row, width)
    # V0: the rows whose pivot is a small atom (zero on every large atom).
    v0 = {p: {i: v for i, v in r.items() if i < width} for p, r in pivots.items() if p >= first_small}
    if not v0:
        return []
    # H, column by column (small atoms touched by V0): a pivot's column is minus its row off the pivot;
    # a free atom's column is its own unit vector (its row of H is itself and the pivots it meets).
    columns: dict[int, dict[int, int]] = {}
    for p, r in v0.items():
        columns[p] = {f: (-v) % _P for f, v in r.items() if f != p}
        for f in r:
            if f != p:
                columns.setdefault(f, {})[f] = 1
    members: dict[int, list[int]] = defaultdict(list)  # each row of H: the columns touching it
    for j, col in columns.items():
        for f in col:
            members[f].append(j)
    top = width + len(names)

    def add_column(basis: dict[int, dict[int, int]], j: int) -> dict[int, int] | None:
        """Reduce H's column j into the reduced columns of a set (in place); if it is a combination of
        them, the coefficients over the set's columns of a combination that is zero (a vector of V0)."""
        row = dict(columns[j])
        row[top + j] = 1
        _reduce_into(basis, row, top)
        if row and not any(i < top for i in row):
            return {i - top: v for i, v in row.items()}
        return None

    def cells_behind(vector: dict[int, int]) -> set[str]:
        """The released cells whose combination gives this vector of V0 (it is fixed by its pivots)."""
        total: dict[int, int] = {}
        for p, c in vector.items():
            if p in v0:
                for i, v in pivots[p].items():
                    if i >= width:
                        total[i] = (total.get(i, 0) + c * v) % _P
        return {names[i - width] for i, v in total.items() if v}

    found, seen = [], set()

    def grow(s: list[int], total: int, basis: dict[int, dict[int, int]], most: int):
        if len(found) >= limit:
            return
        touched: Counter = Counter()
        for j in s:
            touched.update(columns[j].keys())
        lone = [f for f, k in touched.items() if k == 1]
        if lone:
            # Some column must balance this row: branch on the row with fewest ways to do so.
            f = min(lone, key=lambda f: len(members[f]))
            candidates = members[f]
        else:
            candidates = sorted({j for f in touched for j in members[f]})
        for j in candidates:
            if j <= s[0] or j in s or total + weight[j] >= n:
                continue
            key = frozenset((*s, j))
            if key in seen:
                continue
            seen.add(key)
            branch = {p: dict(r) for p, r in basis.items()}
            vector = add_column(branch, j)
            if vector is not None:
                found.append(([order[k] for k in (*s, j)], total + weight[j], cells_behind(vector)))
            elif len(s) + 1 < most:
                grow([*s, j], total + weight[j], branch, most)

    # The fewest atoms first: most combinations that give people away are small, and a round of hiding
    # needs only some of them; the search goes deeper only when the shallower one finds nothing.
    for most in range(1, n):
        seen.clear()
        for j in sorted(columns):
            basis: dict[int, dict[int, int]] = {}
            vector = add_column(basis, j)
            if vector is not None:
                if most == 1:
                    found.append(([order[j]], weight[j], cells_behind(vector)))
            elif most > 1:
                grow([j], weight[j], basis, most)
        if found or most >= len(columns):
            break
    return found


def _reduce_into(pivots: dict[int, dict[int, int]], row: dict[int, int], width: int) -> None:
    """Reduce a sparse row against fully reduced rows (keyed by pivot column) and, if anything is left
    in its first `width` columns, add it as a new pivot row, normalised and cleared from the other rows
    (Gauss-Jordan). Columns from `width` on are carried along (a row's history), never pivots."""
    for i in sorted(i for i in row if i in pivots):
        if i in row:
            _eliminate(row, pivots[i], row[i])
    if not any(i < width for i in row):
        return
    pivot = min(row)
    inverse = pow(row[pivot], _P - 2, _P)
    for i in row:
        row[i] = row[i] * inverse % _P
    for other in pivots.values():
        if pivot in other:
            _eliminate(other, row, other[pivot])
    pivots[pivot] = row
