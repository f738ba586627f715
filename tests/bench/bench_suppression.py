"""Deciding a large wave's release: 20,000 responses (by default) from a council of about 25,000 staff in
300 departments over four levels, with the four staff attributes, one in eight without a grade band, and
a comment from about two in five. Times `suppression.release_for` (figures and comments, each checked at
the level of people), as the wave's close runs it. Pure: no database.

Figures: wall time, cells released of those offered, and what the people check hid.
"""

import random
import time

from surveys import suppression

SEGMENTS = ["work_pattern", "contract", "has_work_email", "grade_band"]


def council(responses: int, departments: int = 300, seed: int = 2026):
    rng = random.Random(seed)
    parent, names = {1: None}, {1: "Council"}
    levels = {1: 0}
    for d in range(2, departments + 1):
        p = rng.choice([x for x in parent if levels[x] < 3])
        parent[d], names[d], levels[d] = p, f"Department {d:03}", levels[p] + 1
    weights = [rng.paretovariate(1.2) for _ in parent]
    invited = []
    for _ in range(int(responses * 1.25)):
        frontline = rng.random() < 0.35
        invited.append({
            "department_id": rng.choices(list(parent), weights=weights)[0],
            "work_pattern": "frontline" if frontline else rng.choice(["office", "hybrid"]),
            "contract": rng.choices(["full-time", "part-time"], weights=[4, 1])[0],
            "has_work_email": (not frontline) or rng.random() < 0.3,
            "grade_band": "" if rng.random() < 0.125 else rng.choice(["Grades 1-3", "Grades 4-6", "Grades 7-9",
                                                                      "Grades 10-12", "Senior leadership"]),
        })
    answered = rng.sample(invited, responses)
    rows = [{"pk": i, **r} for i, r in enumerate(answered)]
    commenters = {r["pk"] for r in rows if rng.random() < 0.4}
    return suppression.Tree(parent=parent, names=names), invited, rows, commenters


def run(responses: int = 20_000) -> None:
    tree, invited, rows, commenters = council(responses)
    start = time.perf_counter()
    release = suppression.release_for(tree=tree, attributes=SEGMENTS, invited=invited, responses=rows,
                                      commenters=commenters, n=5, n_comments=10, segment_attributes=SEGMENTS)
    took = time.perf_counter() - start
    figures = release["figures"]
    print(f"\nDeciding a wave's release ({len(rows):,} responses, {len(tree.parent)} departments, "
          f"{len(invited):,} invited, one attribute at a time)")
    print(f"  release_for (figures and comments): {took:.1f} s")
    print(f"  figures: {len(figures['released']):,} of {len(figures['counts']):,} cells released; "
          f"comments: {len(release['comments']['released']):,}")
    for label, people in (("cell rules only", None), ("with the people check", rows)):
        r = [{**x, "department": x["department_id"]} for x in rows]
        inv = [{**x, "department": x["department_id"]} for x in invited]
        counts = suppression.count_cells(r, tree, SEGMENTS)
        population = suppression.count_cells(inv, tree, SEGMENTS)
        trace: list = []
        start = time.perf_counter()
        decided = suppression.decide(counts, population, tree, SEGMENTS, 5, trace=trace,
                                     people=r if people is not None else None)
        print(f"  figures, {label}: {len(decided.released):,} released in {time.perf_counter() - start:.1f} s; "
              f"{sum(why.startswith('people') for _, why in trace)} cells hidden by the people check")


if __name__ == "__main__":
    run()
