"""Which survey figures may be shown: decided once per wave, when it closes, for every table the
product offers, so that no hidden figure can be recovered by subtraction.

Cells. A cell is a group of responses: a *scope* (the whole organisation, a department with everything
beneath it, or a department's own staff who sit in no child team) narrowed by up to two *filters*
(attribute = value, e.g. work pattern = frontline). Every figure, chart, heatmap cell, filter result
and export the product shows is one of these cells.

Partitions. The cells fit together in two ways, and both are checked:
- the tree: a department = its own staff + each child department (for every filter);
- an attribute: a cell = the sum of that cell split by one more attribute's values (while at most two
  filters are in use).
Parts whose invited population is zero are left out (everyone knows nobody is there).

Rules, checked as a property by the tests over every partition (DESIGN.md):
1. every released cell has at least N responses;
2. in every partition of a released cell, the hidden parts are none, or at least two with a hidden
   total of at least N;
3. a hidden cell whose parts are all released is a disclosure, so it never happens.
Cells under N are hidden first; then, until nothing changes, a partition breaking rule 2 hides its
next-smallest released part (ties by name), and one breaking rule 3 hides its smallest part. Cells with
zero responses (from a non-empty population) count as hidden.

The same function, with the comment threshold and the number of people who wrote a comment, decides
which cells' comments may be shown.
"""

from collections import Counter, defaultdict
from dataclasses import dataclass
from itertools import combinations

ORG = "org"


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

    def children(self) -> dict[int | None, list[int]]:
        out: dict[int | None, list[int]] = defaultdict(list)
        for d, p in self.parent.items():
            out[p].append(d)
        for v in out.values():
            v.sort(key=lambda d: (self.names.get(d, ""), d))
        return out

    def ancestors_and_self(self, d: int) -> list[int]:
        chain = []
        while d is not None:
            chain.append(d)
            d = self.parent.get(d)
        return chain


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


def _cells_for(row: dict, tree: Tree, attributes: list[str], max_filters: int) -> list[str]:
    """Every cell a person (a response or an invitee) belongs to."""
    d = row["department"]
    scopes = [ORG, f"d{d}!"] + [f"d{a}" for a in tree.ancestors_and_self(d)]
    values = [(a, str(row[a])) for a in attributes if row.get(a) not in (None, "")]
    keys = []
    for k in range(0, max_filters + 1):
        for combo in combinations(values, k):
            for s in scopes:
                keys.append(cell_key(s, combo))
    return keys


def count_cells(rows, tree: Tree, attributes: list[str], max_filters: int = 2) -> Counter:
    counts: Counter = Counter()
    for row in rows:
        counts.update(_cells_for(row, tree, attributes, max_filters))
    return counts


def partitions(population: Counter, tree: Tree, attributes: list[str], max_filters: int = 2):
    """(whole, [parts]) for every partition the product offers, over cells with population > 0, in a
    fixed order."""
    kids = tree.children()
    has_children = {d for d in tree.parent if kids.get(d)}
    values_of: dict[str, set[str]] = defaultdict(set)
    filters_of: dict[str, tuple] = {}
    scope_of: dict[str, str] = {}
    for key in population:
        scope, *pairs = key.split("|")
        f = tuple(tuple(p.split("=", 1)) for p in pairs)
        filters_of[key], scope_of[key] = f, scope
        for a, v in f:
            values_of[a].add(v)
    out = []
    for key in sorted(population):
        scope, f = scope_of[key], filters_of[key]
        # Tree partitions.
        if scope == ORG:
            parts = [cell_key(f"d{r}", f) for r in kids.get(None, [])]
            out.append((key, [p for p in parts if population.get(p)]))
        elif not scope.endswith("!") and int(scope[1:]) in has_children:
            d = int(scope[1:])
            parts = [cell_key(f"d{d}!", f)] + [cell_key(f"d{c}", f) for c in kids[d]]
            out.append((key, [p for p in parts if population.get(p)]))
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


def decide(responses: Counter, population: Counter, tree: Tree, attributes: list[str], n: int,
           max_filters: int = 2) -> Release:
    """Which cells may be shown. `responses` and `population` are counts per cell (count_cells)."""
    cells = {k for k, v in population.items() if v > 0}
    count = {k: responses.get(k, 0) for k in cells}
    hidden = {k for k in cells if count[k] < n}
    parts_list = partitions(Counter({k: population[k] for k in cells}), tree, attributes, max_filters)

    def order(k):  # smallest first, ties by name
        return (count[k], k)

    changed = True
    while changed:
        changed = False
        for whole, parts in parts_list:
            if not parts:
                continue
            hidden_parts = [p for p in parts if p in hidden]
            if whole not in hidden:
                if hidden_parts and (len(hidden_parts) == 1 or sum(count[p] for p in hidden_parts) < n):
                    candidates = sorted((p for p in parts if p not in hidden), key=order)
                    hidden.add(candidates[0] if candidates else whole)
                    changed = True
            elif not hidden_parts and len(parts) > 1:
                hidden.add(min(parts, key=order))
                changed = True
            elif not hidden_parts and len(parts) == 1:
                hidden.add(parts[0])  # the only part is the hidden cell itself under another name
                changed = True
    return Release(n=n, counts=count, released=cells - hidden)
