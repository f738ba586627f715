"""Create or update modules from curriculum files (format: curriculum/FORMAT.md).

    manage.py load_curriculum [PATH]

PATH is the curriculum folder (default: curriculum/ in the project) or one module's folder. Every
file is checked first; any problem is reported with its file and line and nothing is loaded.
Answers that can be guessed without reading (courses.curriculum_quality) are warned about.
"""

from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from courses.curriculum import CurriculumError, load_curriculum


class Command(BaseCommand):
    help = "Load or update the AI-literacy modules from curriculum files."

    def add_arguments(self, parser):
        parser.add_argument("path", nargs="?", type=Path, default=settings.BASE_DIR / "curriculum")

    def handle(self, *args, path: Path, verbosity: int, **options):
        try:
            report = load_curriculum(path)
        except CurriculumError as e:
            for line in e.errors:
                self.stderr.write(line)
            raise CommandError(f"{len(e.errors)} problem(s) found; nothing was loaded.") from None
        for warning in report.warnings:  # loaded anyway: the author should look at these
            self.stderr.write(self.style.WARNING(f"warning: {warning}"))
        if verbosity > 0:
            for slug in report.created:
                self.stdout.write(f"  new: {slug}")
            for slug in report.updated:
                self.stdout.write(f"  new version: {slug}")
        self.stdout.write(self.style.SUCCESS(
            f"{len(report.created)} new, {len(report.updated)} updated, {len(report.unchanged)} unchanged."))
