"""The courses step of `manage.py seed_demo`: loads the shipped curriculum (assignments and uneven
progress are added in courses.demo_progress)."""

from django.conf import settings

from courses.curriculum import load_curriculum


def seed(ctx: dict) -> None:
    load_curriculum(settings.BASE_DIR / "curriculum")
