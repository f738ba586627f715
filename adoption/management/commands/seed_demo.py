"""Load the demo council (fictional Northmere Borough Council) into an empty database.

    manage.py seed_demo

Each app contributes a step (settings.DEMO_STEPS, run in order, sharing one context dict). Running
it again on a seeded database changes nothing and prints the sign-ins again.
"""

from django.conf import settings
from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils.module_loading import import_string

from organisation.demo import DEMO_ACCOUNTS, DEMO_PASSWORD
from organisation.models import StaffProfile


class Command(BaseCommand):
    help = "Load the demo council into an empty database (does nothing if staff already exist)."

    def handle(self, *args, verbosity: int, **options):
        if StaffProfile.objects.exists():
            self.stdout.write("The database already has staff: the demo council is not loaded again.")
        else:
            ctx: dict = {}
            # One transaction for every step: a seed that fails or is interrupted part-way leaves the
            # database empty (so running it again loads the demo), never half a council.
            with transaction.atomic():
                for path in settings.DEMO_STEPS:
                    if verbosity > 0:
                        self.stdout.write(f"Demo step: {path}")
                    import_string(path)(ctx)
            self.stdout.write(self.style.SUCCESS(f"Demo council loaded: {StaffProfile.objects.count():,} staff."))
        self.stdout.write(f"\nDemo sign-ins (password for all: {DEMO_PASSWORD})")
        for username, role, note in DEMO_ACCOUNTS:
            self.stdout.write(f"  {role:<32} {username:<28} {note}")
