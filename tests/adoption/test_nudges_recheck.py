"""Re-checking at send time (issue 13): a queued reminder whose reason has gone by the time a sender claims
it (the person turned the rule off or left, the module was finished, the survey answered or closed) is
marked skipped with why, not sent; the check reads the database a fixed number of times a batch."""

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext

from adoption import services_nudges as services
from adoption.models import NudgeOptOut, NudgeSettings, Outbox
from courses.models import Enrolment, Module
from surveys.models import Participation
from tests.adoption.test_nudges_services import enrol, wave_for
from tests.factories import make_staff

THU = date(2026, 12, 3)
FAR = datetime(2099, 1, 8, 17, 0, tzinfo=ZoneInfo("Europe/London"))  # a wave still open whenever this runs
pytestmark = pytest.mark.django_db


@pytest.fixture
def safe(db):
    return Module.objects.create(slug="using-ai-safely", title="Using AI safely at work", summary="s",
                                 confidence_question="q", published=True)


def _status(profile, rule=None):
    rows = Outbox.objects.filter(profile=profile, **({"rule": rule} if rule else {}))
    return [(r.status, r.skip_reason) for r in rows]


def test_rows_whose_reason_has_gone_are_skipped_with_why_and_the_rest_are_sent(org, safe):
    finished, opted, leaver, keeps = (make_staff(org.finance, first=n) for n in ("Fin", "Opt", "Lea", "Kee"))
    for p in (finished, opted, leaver, keeps):
        enrol(p, safe, date(2026, 12, 7))
    services.nudges_plan(today=THU)
    assert Outbox.objects.filter(status="queued").count() == 4
    # Between planning and sending:
    Enrolment.objects.filter(profile=finished).update(status=Enrolment.Status.COMPLETED)
    NudgeOptOut.objects.create(profile=opted, rule="due-soon")
    leaver.active = False
    leaver.save(update_fields=["active"])

    result = services.outbox_send(ids=sorted(Outbox.objects.values_list("id", flat=True)))
    assert [m.to for m in mail.outbox] == [[keeps.user.email]]
    assert len(result.not_needed) == 3 and result.failed == result.retry == []
    assert _status(finished) == [("skipped", services.SKIP_MODULE)]
    assert _status(opted) == [("skipped", services.SKIP_OPTED_OUT)]
    assert _status(leaver) == [("skipped", services.SKIP_LEFT)]
    assert _status(keeps) == [("sent", "")]
    # Skipped rows are final: a duplicated task sends nothing and the sweep does not pick them up.
    assert services.outbox_send(ids=list(Outbox.objects.values_list("id", flat=True))).sent == []
    assert services.queued_ids() == []
    assert len(mail.outbox) == 1


def test_a_mandatory_modules_reminder_is_sent_even_after_opting_out(org, safe):
    NudgeSettings.objects.create(pk=1, mandatory_modules=["using-ai-safely"])
    enrol(org.staff.profile, safe, date(2026, 12, 7))
    services.nudges_plan(today=THU)
    NudgeOptOut.objects.create(profile=org.staff.profile, rule="due-soon")
    services.outbox_send(ids=list(Outbox.objects.values_list("id", flat=True)))
    assert _status(org.staff.profile) == [("sent", "")]


def test_survey_reminders_are_skipped_once_answered_or_closed(org):
    answers, closed_for, still = (make_staff(org.finance, first=n) for n in ("Ans", "Clo", "Sti"))
    wave = wave_for([answers, still], closes=FAR)
    other = wave_for([closed_for], closes=FAR)
    services.nudges_plan(today=THU)
    assert Outbox.objects.filter(status="queued", rule="survey-open").count() == 3
    Participation.objects.filter(wave=wave, profile=answers).update(responded=True)
    other.status = other.Status.CLOSED
    other.save(update_fields=["status"])

    services.outbox_send(ids=list(Outbox.objects.values_list("id", flat=True)))
    assert _status(answers) == [("skipped", services.SKIP_WAVE)]
    assert _status(closed_for) == [("skipped", services.SKIP_WAVE)]
    assert _status(still) == [("sent", "")]


def test_an_inactivity_reminder_is_skipped_when_nothing_is_left_to_do(org, safe):
    profile = make_staff(org.finance, first="Ina")
    enrolment = enrol(profile, safe, date(2027, 3, 1))
    row = Outbox.objects.create(profile=profile, rule="inactive", subject="learning", period="since-2026-10-01",
                                planned_on=THU, why="because", to=profile.user.email, email_subject="s",
                                text="t", html="h")
    assert services.reasons_gone([row.pk]) == {}
    enrolment.status = Enrolment.Status.COMPLETED
    enrolment.save(update_fields=["status"])
    assert services.reasons_gone([row.pk]) == {row.pk: services.SKIP_NOTHING_TO_DO}


def test_the_recheck_reads_a_fixed_number_of_times_a_batch(org, safe):
    def queries(n):
        Outbox.objects.all().delete()
        Enrolment.objects.all().delete()
        for i in range(n):
            enrol(make_staff(org.finance, first=f"P{n}-{i}"), safe, date(2026, 12, 7))
        services.nudges_plan(today=THU)
        ids = list(Outbox.objects.values_list("id", flat=True))
        assert len(ids) == n
        with CaptureQueriesContext(connection) as ctx:
            services.reasons_gone(ids)
        return len(ctx.captured_queries)

    assert queries(2) == queries(12) == 5
