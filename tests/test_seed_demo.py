"""`manage.py seed_demo` loads the whole demo council once, with the unevenness the dashboards need."""

import pytest
from django.core.management import call_command
from django.db.models import Count, Q

from organisation.models import Department, StaffProfile
from surveys import selectors
from surveys.models import Participation, Wave


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        call_command("seed_demo", verbosity=0)
        yield
        call_command("flush", interactive=False, verbosity=0)


@pytest.mark.django_db
def test_demo_council_shape(demo):
    staff = StaffProfile.objects.count()
    assert 1900 <= staff <= 2100
    assert 35 <= Department.objects.count() <= 45
    frontline = StaffProfile.objects.filter(work_pattern="frontline").count() / staff
    no_email = StaffProfile.objects.filter(has_work_email=False).count() / staff
    part_time = StaffProfile.objects.filter(contract="part-time").count() / staff
    assert 0.28 < frontline < 0.40 and 0.20 < no_email < 0.32 and 0.15 < part_time < 0.25


@pytest.mark.django_db
def test_demo_surveys_show_the_people_directorate_barrier(demo):
    pulse = Wave.objects.filter(survey__template_key="ai-readiness-pulse", status="closed").order_by("opens_at").last()
    people = selectors.adkar_means(pulse, Department.objects.get(code="PEO"))
    assert people["barrier"] == "desire"
    assert selectors.adkar_means(pulse, Department.objects.get(code="RES"))["barrier"] is None
    assert Wave.objects.filter(status="open").count() == 1 and Wave.objects.filter(status="closed").count() == 3


@pytest.mark.django_db
def test_demo_frontline_take_part_less(demo):
    rates = Participation.objects.values("work_pattern").annotate(
        n=Count("pk"), r=Count("pk", filter=Q(responded=True)))
    by = {row["work_pattern"]: row["r"] / row["n"] for row in rates}
    assert by["frontline"] + 0.15 < by["office"]


@pytest.mark.django_db
def test_seed_demo_twice_changes_nothing(demo, capsys):
    before = StaffProfile.objects.count()
    call_command("seed_demo", verbosity=0)
    assert StaffProfile.objects.count() == before
    assert "already has staff" in capsys.readouterr().out


@pytest.mark.django_db
def test_demo_waves_release_nothing_that_isolates_fewer_than_n_people(demo):
    """The auditor of tests/surveys/people_auditor.py (no code shared with surveys.suppression) over every
    closed demo wave: no combination of released figures, or of released comment lists, singles out
    fewer than the threshold."""
    from surveys.models import Answer
    from tests.surveys import people_auditor

    waves = Wave.objects.filter(status="closed")
    assert waves.count() == 3
    for wave in waves:
        stored = wave.released
        attributes = stored["attributes"]
        parent = {int(d): p for d, p in stored["tree"]["parent"].items()}
        rows = [{"department": r["department_id"], **{a: r[a] for a in attributes}}
                for r in wave.responses.values("pk", "department_id", *attributes)]
        assert people_auditor.small_sets(rows, set(stored["figures"]["released"]), parent, stored["figures"]["n"]) == []
        wrote = Answer.objects.filter(response__wave=wave, question__type="text").exclude(text="").values("response_id")
        commenters = [{"department": r["department_id"]}
                      for r in wave.responses.filter(pk__in=wrote).values("department_id")]
        assert people_auditor.small_sets(commenters, set(stored["comments"]["released"]), parent,
                                         stored["comments"]["n"]) == []
        # Not vacuous: most department figures and some comment lists are shown.
        assert sum("|" not in k for k in stored["figures"]["released"]) >= 40
        assert stored["comments"]["released"]



@pytest.mark.django_db
def test_the_demo_tells_the_readiness_story(demo):
    """The readiness pages have something to show: a frontline directorate behind with Desire as its
    barrier, an office one ahead, a team with not enough data, and trends both ways beyond the noise."""
    from adoption import selectors as readiness

    table = readiness.readiness_table()
    readiness.add_changes(table)
    by_name = {r.name: r for r in table.rows}
    place, resources = by_name["Place"], by_name["Resources"]
    assert place.score < table.organisation.score < resources.score
    assert place.result.barrier is not None and place.result.barrier.element == "desire"
    assert any(r.score is None for r in table.rows), "a team with not enough data"
    directions = {r.change.direction for r in table.rows if r.change}
    assert {"up", "down"} <= directions


@pytest.mark.django_db
def test_demo_comments_do_not_repeat_word_for_word(demo):
    """A page of demo comments reads like different people: no comment is written twice in a wave, and
    they touch every theme the comments page offers."""
    from surveys import sentiment
    from surveys.models import Answer

    for wave in Wave.objects.all():
        texts = list(Answer.objects.filter(response__wave=wave, question__type="text").exclude(text="")
                     .values_list("text", flat=True))
        assert texts and len(texts) == len(set(texts)), wave.name
    every = Answer.objects.filter(question__type="text").exclude(text="").values_list("text", flat=True)
    assert {t.slug for t, _ in sentiment.theme_counts(every)} == {t.slug for t in sentiment.THEMES}
