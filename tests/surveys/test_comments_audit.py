"""Reading a wave's free-text comments is recorded in the audit log: who, which wave, which group."""

from django.urls import reverse

from organisation.models import AuditEvent
from tests.factories import make_staff
from tests.surveys.test_results_seed import make_pulse, run_wave


def _comment_wave(org, n):
    """A wave sent to Finance only, where everyone writes a comment."""
    finance = [org.staff.profile] + [make_staff(org.finance) for _ in range(n - 1)]
    return run_wave(make_pulse(), finance, comment_share=1.0, departments=[org.finance])


def test_reading_released_comments_is_audited(client, org):
    wave = _comment_wave(org, 12)
    client.force_login(org.res_manager)
    page = client.get(reverse("surveys:comments", args=[wave.pk]), {"department": org.finance.pk}).content.decode()
    assert page.count("tandem-comment__text") == 12
    event = AuditEvent.objects.get(action="survey comments viewed")
    assert event.actor == org.res_manager
    assert event.target == str(wave)
    assert event.detail == {"wave": wave.pk, "group": f"d{org.finance.pk}"}


def test_a_page_that_shows_no_comment_records_no_reading(client, org):
    wave = _comment_wave(org, 8)  # under the comment threshold of 10: nothing is shown
    client.force_login(org.hr)
    page = client.get(reverse("surveys:comments", args=[wave.pk]), {"department": org.finance.pk}).content.decode()
    assert "tandem-comment__text" not in page
    assert not AuditEvent.objects.filter(action="survey comments viewed").exists()
