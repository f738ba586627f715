"""`make bench`: Tandem's benchmarks, on a throwaway database. A benchmark, not a test: it prints figures
and asserts nothing about time.

    python -m tests.bench.run [--rows N]

The database is DATABASE_URL's server when that is set (a new database, dropped afterwards), otherwise a
SQLite file in a temporary directory. Migrations are run first.
"""

import argparse
import os
import sys
import tempfile
from contextlib import contextmanager


@contextmanager
def throwaway_database(tmpdir: str):
    """Django set up with config.settings_test on a new, migrated database; yields a description of it."""
    os.environ["DJANGO_SETTINGS_MODULE"] = "config.settings_test"
    os.environ.setdefault("TANDEM_VAR_DIR", tmpdir)  # the file cache and broker folders, if used, stay out of var/
    import django

    django.setup()
    from django.db import connection

    db = connection.settings_dict
    if connection.vendor == "sqlite":
        db["TEST"]["NAME"] = os.path.join(tmpdir, "bench.sqlite3")
    else:
        db["TEST"]["NAME"] = f"bench_{db['NAME']}_{os.getpid()}"
    original = db["NAME"]
    connection.creation.create_test_db(verbosity=0, autoclobber=True, serialize=False)
    try:
        if connection.vendor == "sqlite":
            import sqlite3

            yield f"SQLite {sqlite3.sqlite_version} (a file)"
        else:
            with connection.cursor() as cursor:
                cursor.execute("SHOW server_version")
                version = cursor.fetchone()[0]
            yield f"{connection.display_name} {version} ({connection.settings_dict['NAME']})"
    finally:
        connection.creation.destroy_test_db(original, verbosity=0)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=30_000, help="rows in the generated staff file (default 30,000)")
    parser.add_argument("--responses", type=int, default=20_000, help="responses in the suppression benchmark")
    args = parser.parse_args(argv)
    from tests.bench import bench_suppression

    bench_suppression.run(responses=args.responses)
    with tempfile.TemporaryDirectory(prefix="tandem-bench-") as tmpdir, throwaway_database(tmpdir) as database:
        from tests.bench import bench_import

        bench_import.run(rows=args.rows, database=database)

        from tests.bench import bench_assign

        bench_assign.run(rows=args.rows, database=database)

        from tests.bench import bench_scrub

        bench_scrub.run(rows=args.rows, database=database)

        from tests.bench import bench_readiness

        bench_readiness.run(database=database)

        from tests.bench import bench_nudges

        bench_nudges.run(rows=args.rows, database=database)

        from tests.bench import bench_reports

        bench_reports.run(people=args.rows, database=database)
    return 0


if __name__ == "__main__":
    sys.exit(main())
