"""An auditor of the release at the level of people, written apart from surveys.suppression (it shares
no code with it): from the raw rows and the released cell keys alone it builds M, the released cells'
membership of respondents, and looks for a nonzero vector in M's row space supported on fewer than n
respondents (DESIGN.md's property). Two ways, both exact (arithmetic modulo a prime other than the
product's):

- `small_sets`: over atoms (respondents in exactly the same released cells). A set S of atoms carries
  such a vector exactly when the kernel of M, restricted to S's columns, has rank below |S|. Sets of
  atoms smaller than n in total are grown from each atom, only through kernel vectors they meet (a
  smallest dependent set meets each kernel vector in none or at least two of its atoms), so every
  smallest dependent set is reached.
- `brute_force`: for tiny organisations, every set of fewer than n respondents, straight from the
  definition: the set carries such a vector exactly when dropping its columns lowers M's rank.
"""

from itertools import combinations
from urllib.parse import unquote

Q = 1_000_000_007


def in_cell(row: dict, key: str, parent: dict) -> bool:
    scope, *pairs = key.split("|")
    for pair in pairs:
        attribute, value = pair.split("=", 1)
        value = unquote(value)  # a value's '%' and '|' are escaped in a key (every '%' starts '%25' or '%7C')
        mine = row.get(attribute)
        if ("?" if mine in (None, "") else str(mine)) != value:
            return False
    if scope == "org":
        return True
    own = scope.endswith("!")
    d = int(scope[1:].rstrip("!"))
    if own:
        return row["department"] == d
    x, seen = row["department"], set()
    while x is not None and x not in seen:
        if x == d:
            return True
        seen.add(x)
        x = parent.get(x)
    return False


def matrix(rows: list[dict], released, parent: dict) -> list[list[int]]:
    return [[1 if in_cell(r, key, parent) else 0 for r in rows] for key in sorted(released)]


def _reduced(m: list[list[int]], cols: int) -> tuple[list[list[int]], list[int]]:
    """Reduced row echelon form of m (Gauss-Jordan modulo Q) and its pivot columns."""
    a = [[v % Q for v in row] for row in m]
    pivots: list[int] = []
    for c in range(cols):
        r = len(pivots)
        p = next((i for i in range(r, len(a)) if a[i][c]), None)
        if p is None:
            continue
        a[r], a[p] = a[p], a[r]
        inv = pow(a[r][c], Q - 2, Q)
        a[r] = [v * inv % Q for v in a[r]]
        for i in range(len(a)):
            if i != r and a[i][c]:
                f = a[i][c]
                a[i] = [(x - f * y) % Q for x, y in zip(a[i], a[r], strict=True)]
        pivots.append(c)
    return a, pivots


def rank(vectors: list[list[int]]) -> int:
    return len(_reduced(vectors, len(vectors[0]) if vectors else 0)[1])


def kernel(m: list[list[int]], cols: int) -> list[list[int]]:
    """A basis of {x : m x = 0}, each vector as a list over the columns."""
    a, pivots = _reduced(m, cols)
    basis = []
    for f in (c for c in range(cols) if c not in pivots):
        x = [0] * cols
        x[f] = 1
        for i, p in enumerate(pivots):
            x[p] = (-a[i][f]) % Q
        basis.append(x)
    return basis


def small_sets(rows: list[dict], released, parent: dict, n: int) -> list[tuple[list[tuple], int]]:
    """Sets of atoms, fewer than n respondents in all, that some combination of released cells isolates."""
    keys = sorted(released)
    atoms: dict[tuple, int] = {}
    for r in rows:
        signature = tuple(in_cell(r, k, parent) for k in keys)
        if any(signature):
            atoms[signature] = atoms.get(signature, 0) + 1
    names = list(atoms)
    m = [[1 if a[i] else 0 for a in names] for i in range(len(keys))]
    basis = kernel(m, len(names))
    small = [j for j, a in enumerate(names) if atoms[a] < n]
    # Which kernel vectors touch each small atom (its column of K, as the rows where it is nonzero).
    touching = {j: {i for i, x in enumerate(basis) if x[j]} for j in small}
    found, tried = [], set()

    def dependent(s):
        return rank([[x[j] for j in s] for x in basis]) < len(s) if basis else True

    def grow(s, total):
        key = frozenset(s)
        if key in tried:
            return
        tried.add(key)
        if dependent(s):
            found.append(([names[k] for k in s], total))
            return
        # In a smallest dependent set every kernel vector meets none or at least two of its atoms: if one
        # meets exactly one atom of s, another atom meeting it must join; otherwise any atom that shares a
        # kernel vector with s may.
        counts: dict[int, int] = {}
        for j in s:
            for i in touching[j]:
                counts[i] = counts.get(i, 0) + 1
        once = [i for i, c in counts.items() if c == 1]
        rows = [min(once, key=lambda i: sum(i in touching[j] for j in small))] if once else list(counts)
        for j in small:
            if j > s[0] and j not in key and total + atoms[names[j]] < n and any(i in touching[j] for i in rows):
                grow(s + [j], total + atoms[names[j]])

    for j in small:
        grow([j], atoms[names[j]])
    return found


def brute_force(rows: list[dict], released, parent: dict, n: int) -> list[tuple[int, ...]]:
    """Sets of fewer than n respondents isolated by the release (tiny organisations only)."""
    m = matrix(rows, released, parent)
    if not m:
        return []
    full = rank(m)
    out = []
    for size in range(1, n):
        for s in combinations(range(len(rows)), size):
            keep = [i for i in range(len(rows)) if i not in s]
            if rank([[row[i] for i in keep] for row in m]) < full:
                out.append(s)
    return out
