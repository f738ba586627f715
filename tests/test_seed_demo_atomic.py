"""seed_demo runs every step in one transaction (apart from tests/test_seed_demo.py, whose module-wide demo
council would make the command skip)."""

import pytest
from django.core.management import call_command

from organisation.models import Department, StaffProfile


def _failing_step(ctx):
    raise RuntimeError("the machine was switched off")


@pytest.mark.django_db
def test_a_seed_that_fails_part_way_leaves_nothing_behind(settings):
    """Every step runs in one transaction: an interrupted seed can simply be run again."""
    settings.DEMO_STEPS = ["organisation.demo.seed", "tests.test_seed_demo_atomic._failing_step"]
    with pytest.raises(RuntimeError):
        call_command("seed_demo", verbosity=0)
    assert not StaffProfile.objects.exists() and not Department.objects.exists()


