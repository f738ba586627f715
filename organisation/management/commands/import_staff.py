"""Import staff from the HR system's CSV export: the same checks and writes as the web page.

    manage.py import_staff FILE [--dry-run] [--complete [--leavers N]]

Every bad row is reported by line and column, and nothing is written unless every row is good.
"""

from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from organisation import importing
from organisation.models import StaffImport


class Command(BaseCommand):
    help = "Import staff from an HR system CSV export (see README for the columns)."

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path)
        parser.add_argument("--dry-run", action="store_true", help="Check the file and show what would change; write nothing.")
        parser.add_argument("--complete", action="store_true", help="The file lists every current member of staff: deactivate those not in it.")
        parser.add_argument("--leavers", type=int, default=None, metavar="N",
                            help="The number of leavers, to confirm a complete file that would deactivate more than "
                                 "STAFF_IMPORT_LEAVERS_CONFIRM_PERCENT of active staff.")

    def handle(self, *args, file: Path, dry_run: bool, complete: bool, leavers: int | None, verbosity: int, **options):
        try:
            raw = file.read_bytes()
        except OSError as e:
            raise CommandError(f"Cannot read {file}: {e.strerror}") from None
        try:
            text = importing.decode(raw, max_bytes=settings.STAFF_IMPORT_MAX_BYTES)
            plan = importing.build_plan(text, complete_file=complete)
        except importing.FileRejected as e:
            raise CommandError(str(e)) from None
        if plan.errors:
            for e in plan.errors:
                where = f"line {e['line']}" if e["line"] else "file"
                self.stderr.write(f"{file.name}: {where}: {e['column']} {e['message']}".replace("  ", " "))
            if plan.error_count > len(plan.errors):
                self.stderr.write(f"{file.name}: ... and {plan.error_count - len(plan.errors):,} more problem(s), not listed.")
            raise CommandError(f"{plan.error_count:,} problem(s) found; nothing was written.")
        summary = plan.summary()
        self.stdout.write(
            f"{summary['new_count']} new, {summary['updated_count']} updated, {summary['unchanged_count']} unchanged, "
            f"{summary['leaver_count']} leaver(s) to deactivate."
        )
        if verbosity > 1:
            for row, changes in plan.updated:
                self.stdout.write(f"  {row.staff_number}: " + "; ".join(f"{k} {a} -> {b}" for k, (a, b) in changes.items()))
        unconfirmed = not importing.leavers_typed_matches(leavers, leavers=len(plan.leavers), active=plan.active_count)
        if unconfirmed:
            warning = (f"This file would deactivate {len(plan.leavers):,} of {plan.active_count:,} active staff "
                       f"(more than {settings.STAFF_IMPORT_LEAVERS_CONFIRM_PERCENT}%). If that is right, run again "
                       f"with --leavers {len(plan.leavers)}.")
        if dry_run:
            if unconfirmed:
                self.stdout.write(warning)
            self.stdout.write("Dry run: nothing was written.")
            return
        if unconfirmed:
            raise CommandError(warning + " Nothing was written.")
        imp = StaffImport.objects.create(filename=file.name, content=text, complete_file=complete,
                                         row_count=len(plan.rows), status=StaffImport.Status.APPLYING)
        imp = importing.staff_import_apply(import_id=imp.pk, leavers_typed=leavers)
        if imp.status != StaffImport.Status.APPLIED:
            raise CommandError("The import could not be applied: " + "; ".join(e["message"] for e in imp.errors))
        self.stdout.write(self.style.SUCCESS("Import applied."))
