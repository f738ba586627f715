"""The demo council's readiness history (a demo step, after the other apps' steps).

First a team set up after the surveys closed joins (organisation.demo.new_team_add: four people, in no
survey wave, so their readiness is "not enough data yet"). Then 90 days of history, worked out from the
records of each day (courses' completion dates, the pulse wave closed by then: see courses.demo and
surveys.demo for how those records were shaped) by the real snapshot service, so no score is made up.

The history is weekly, not daily: a snapshot every BACKFILL_EVERY days back to BACKFILL_DAYS - 1 days ago
(inside the 90-day trend window, so the first point of the chart is the one the change is measured from),
plus today's. Each backfilled day costs a whole readiness table, and 13 points tell the same story as 90
in about a sixth of the time (seed_demo stays under a minute). The daily Celery task fills in the days from now on.
"""

from datetime import timedelta

from django.utils import timezone

BACKFILL_DAYS = 90
BACKFILL_EVERY = 7


def seed(ctx: dict) -> None:
    from adoption import services
    from organisation.demo import new_team_add

    new_team_add(ctx)
    today = timezone.localdate()
    for offset in range(BACKFILL_DAYS - 1, 0, -BACKFILL_EVERY):
        services.snapshots_take(day=today - timedelta(days=offset), backfilled=True)
    services.snapshots_take()
    _report_schedule(ctx)


def _report_schedule(ctx: dict) -> None:
    """A scheduled report for the Scheduled reports page: the monthly PDF on the whole organisation, to the
    HR lead (a manager could not open a whole-organisation report, so is not offered)."""
    from adoption import services_reports
    from adoption.models import ReportSchedule
    from organisation.demo import DOMAIN

    hr = ctx["demo_users"]["hr@" + DOMAIN]
    schedule = ReportSchedule(name="Monthly progress for the leadership team", frequency="monthly", format="pdf")
    services_reports.schedule_save(actor=hr, schedule=schedule, recipients=[hr.profile])
