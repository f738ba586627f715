"""Take today's readiness snapshots, or backfill the days that have none.

    manage.py readiness_snapshots              # today (a second run the same day changes nothing)
    manage.py readiness_snapshots --backfill 90  # each of the last 90 days without a snapshot
"""

from django.core.management.base import BaseCommand, CommandError

from adoption import services


class Command(BaseCommand):
    help = "Store today's readiness snapshot per department, or backfill missing days from the records."

    def add_arguments(self, parser):
        parser.add_argument("--backfill", type=int, metavar="DAYS",
                            help="Fill each of the last DAYS days that has no snapshot, from that day's records.")

    def handle(self, *args, backfill=None, **options):
        if backfill is not None:
            if not 1 <= backfill <= 3660:
                raise CommandError("--backfill takes a number of days from 1 to 3660.")
            written = services.snapshots_backfill(days=backfill)
            self.stdout.write(f"Backfilled {written:,} snapshots over the last {backfill} days.")
        else:
            written = services.snapshots_take()
            self.stdout.write(f"Stored {written:,} snapshots for today." if written
                              else "Today's snapshots were already stored: nothing changed.")
