"""A linear-algebra attacker: knows every released figure and every equation "a group = the sum of its
parts" that the product's tables imply, and solves for the hidden ones. A hidden cell is recoverable when
the equations pin it to one value (its unit vector lies in the row space over the hidden unknowns).
Exact arithmetic modulo a large prime (the coefficients are small integers)."""

P = 2**61 - 1


def recoverable(release, parts_offered) -> list[str]:
    hidden = sorted(k for k in release.counts if not release.is_released(k))
    index = {k: i for i, k in enumerate(hidden)}
    pivots: dict[int, dict[int, int]] = {}  # reduced row echelon form, rows keyed by pivot column
    for whole, parts in parts_offered:
        row: dict[int, int] = {}
        for key, coef in [(whole, 1)] + [(p, -1) for p in parts]:
            if key in index:
                row[index[key]] = (row.get(index[key], 0) + coef) % P
        row = {k: v for k, v in row.items() if v}
        _insert(pivots, row)
    return [hidden[c] for c, r in pivots.items() if len(r) == 1 and release.counts[hidden[c]] > 0]


def _subtract(row, pivot_row, factor):
    for k, v in pivot_row.items():
        row[k] = (row.get(k, 0) - factor * v) % P
        if row[k] == 0:
            del row[k]


def _insert(pivots, row):
    for col in [c for c in sorted(row) if c in pivots]:
        if col in row:
            _subtract(row, pivots[col], row[col])
    if not row:
        return
    lead = min(row)
    inverse = pow(row[lead], P - 2, P)
    row = {k: v * inverse % P for k, v in row.items()}
    for other in pivots.values():
        if lead in other:
            _subtract(other, row, other[lead])
    pivots[lead] = row
