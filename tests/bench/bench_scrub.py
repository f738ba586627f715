"""Scrubbing comments against a large council's staff list: building the scrubber (what each submit with a
comment does: one query over the staff list, then sets of names) and scrubbing one comment with it.

Run by tests/bench/run.py (`make bench`) after the import benchmark, whose staff it uses; on its own,
`python -m tests.bench.bench_scrub [--rows N]` times the same with generated names and no database.
"""

import argparse
import random
import time

COMMENTS = [
    "I hope it takes some of the copying and pasting off our hands so we can spend more time with residents.",
    "Ask Morgan Reid or ring ext 4521: she knows how the rota works. MORGAN REID is great.",
    "Email jane dot doe at northmere dot gov dot uk or call 0044 7700 900 123, or x4521 in the office.",
    "Worried it will be another system that adds work rather than saving it. Will it treat everyone the same?",
    "Training time is the problem. We are already stretched and there is no cover, " * 8,  # a long one
]


def _names(rows: int, rng: random.Random):
    from organisation.demo import FIRST, LAST

    syllables = ["an", "bel", "cor", "dra", "el", "fen", "gor", "hal", "is", "jon", "kel", "lin", "mor", "nor",
                 "os", "pen", "quin", "ros", "sul", "tor", "ul", "van", "wil", "yar", "zel"]

    def made_up():
        return "".join(rng.choice(syllables) for _ in range(rng.randint(2, 3))).title()

    firsts = [rng.choice(FIRST) if rng.random() < 0.5 else made_up() for _ in range(rows)]
    lasts = [rng.choice(LAST) if rng.random() < 0.3 else made_up() for _ in range(rows)]
    numbers = [f"N{100000 + i}" for i in range(rows)]
    return firsts, lasts, numbers


def _per_comment(scrubber, repeat: int = 200) -> float:
    start = time.perf_counter()
    for _ in range(repeat):
        for text in COMMENTS:
            scrubber(text)
    return (time.perf_counter() - start) / (repeat * len(COMMENTS))


def run(rows: int, database: str | None = None) -> None:
    from surveys.scrub import Scrubber

    firsts, lasts, numbers = _names(rows, random.Random(2026))
    start = time.perf_counter()
    scrubber = Scrubber(first_names=firsts, last_names=lasts, staff_numbers=numbers)
    built = time.perf_counter() - start
    print(f"Scrubbing comments, {rows:,} generated staff names")
    print(f"  build the scrubber from the names: {built * 1000:.0f} ms")
    print(f"  scrub one comment: {_per_comment(scrubber) * 1e6:.0f} microseconds (mean over {len(COMMENTS)} comments)")
    if database:
        from organisation.models import StaffProfile
        from surveys.services.answering import _scrubber

        start = time.perf_counter()
        scrubber = _scrubber()
        built = time.perf_counter() - start
        print(f"  on {database}: {StaffProfile.objects.count():,} staff, query and build per submit: "
              f"{built * 1000:.0f} ms; one comment: {_per_comment(scrubber) * 1e6:.0f} microseconds")


def make_staff(rows: int) -> None:
    """`rows` staff with generated names, for a run on an empty database (bulk, one password hash)."""
    from organisation.models import Department, StaffProfile, User

    department = Department.objects.create(code="BENCH", name="Bench")
    firsts, lasts, numbers = _names(rows, random.Random(7))
    User.objects.bulk_create([User(username=n, first_name=f, last_name=la, password="!")
                              for f, la, n in zip(firsts, lasts, numbers, strict=True)], batch_size=2000)
    ids = dict(User.objects.values_list("username", "pk"))
    StaffProfile.objects.bulk_create([StaffProfile(user_id=ids[n], staff_number=n, department=department)
                                      for n in numbers], batch_size=2000)


if __name__ == "__main__":
    import sys
    import tempfile

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=30_000)
    parser.add_argument("--database", action="store_true", help="also time the per-submit query on a throwaway database")
    args = parser.parse_args()
    if not args.database:
        import os

        import django

        os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings_test")
        django.setup()
        run(args.rows)
        sys.exit(0)
    from tests.bench.run import throwaway_database

    with tempfile.TemporaryDirectory(prefix="tandem-bench-") as tmpdir, throwaway_database(tmpdir) as database:
        make_staff(args.rows)
        run(args.rows, database=database)
