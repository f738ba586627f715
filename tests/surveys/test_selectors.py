"""Result reads go through the release: hidden cells come back as Suppressed, never as numbers."""

from datetime import timedelta

import pytest
from django.utils import timezone

from surveys import selectors, services
from surveys.models import Question, Wave
from tests.factories import make_staff
from tests.surveys.conftest import around_finance, make_wave


def run_wave(org, survey, answers_by_profile):
    wave = services.wave_open(wave_id=make_wave(survey).pk)
    for profile, (awareness, desire) in answers_by_profile.items():
        a = {q.pk: {"number": awareness if q.dimension == "awareness" else desire}
             for q in survey.questions.filter(type="agree5")}
        services.response_submit(profile=profile, wave=wave, answers=a)
    Wave.objects.filter(pk=wave.pk).update(closes_at=timezone.now() - timedelta(seconds=1))
    return services.wave_close(wave_id=wave.pk)


def test_means_barrier_and_suppression(org, survey):
    finance = [org.staff.profile] + [make_staff(org.finance) for _ in range(5)]
    resources, parks = around_finance(org)
    waste = [org.frontline.profile, make_staff(org.waste, with_email=False)]
    answers = dict.fromkeys(finance + resources, (4, 2))
    answers.update(dict.fromkeys(waste, (5, 5)))
    answers.update(dict.fromkeys(parks, (5, 2)))
    wave = run_wave(org, survey, answers)

    fin = selectors.adkar_means(wave, org.finance)
    assert fin == {"means": {"awareness": (4.0, 6), "desire": (2.0, 6)}, "barrier": "desire"}
    # Waste had 2 responses: hidden, and said so in words.
    hidden = selectors.adkar_means(wave, org.waste)
    assert isinstance(hidden, selectors.Suppressed) and str(hidden).startswith("fewer than 5 responses")
    # Parks (5) is hidden with it, so that Environment (7) minus Parks does not give Waste away.
    assert isinstance(selectors.adkar_means(wave, org.parks), selectors.Suppressed)
    env = selectors.adkar_means(wave, org.environment)
    # Means are exact, not rounded (the barrier rule compares the exact mean with 3).
    assert env["means"]["desire"][0] == pytest.approx((2 * 5 + 5 * 2) / 7, abs=1e-9)
    assert env["means"]["desire"][1] == 7
    whole = selectors.adkar_means(wave)
    assert whole["means"]["desire"][0] == pytest.approx((11 * 2 + 2 * 5 + 5 * 2) / 18, abs=1e-9)
    assert whole["means"]["desire"][1] == 18
    assert whole["barrier"] == "desire"


def test_nothing_is_shown_before_the_wave_closes(org, survey):
    wave = services.wave_open(wave_id=make_wave(survey).pk)
    q = survey.questions.filter(type=Question.Type.AGREE5).first()
    assert selectors.question_distribution(wave, "org", q) is None
    assert selectors.adkar_means(wave) is None


def test_distribution_counts_answers_in_a_released_cell(org, survey):
    people = [org.staff.profile] + [make_staff(org.finance) for _ in range(5)]
    resources, parks = around_finance(org)
    answers = {p: (4 if i % 2 else 5, 3) for i, p in enumerate(people)}
    answers.update(dict.fromkeys(resources + parks, (1, 1)))
    wave = run_wave(org, survey, answers)
    q = survey.questions.get(dimension="awareness")
    assert selectors.question_distribution(wave, selectors.cell_key_for(org.finance), q) == {4: 3, 5: 3}


def test_response_rates_only_for_groups_of_at_least_n(org, survey):
    people = [org.staff.profile] + [make_staff(org.finance) for _ in range(5)]
    wave = run_wave(org, survey, dict.fromkeys(people[:3], (4, 4)))
    rows = {r["group"]: r for r in selectors.participation_rates(wave, [org.finance, org.waste])}
    assert (rows[org.finance]["invited"], rows[org.finance]["responded"], rows[org.finance]["rate"]) == (6, 3, 50)
    assert isinstance(rows[org.waste]["rate"], selectors.Suppressed)


def test_barrier_point_is_the_first_element_at_or_below_three():
    means = {"awareness": (3.4, 9), "desire": (3.0, 9), "knowledge": (2.1, 9)}
    assert selectors.barrier_point(means) == "desire"
    assert selectors.barrier_point({"awareness": (4.0, 9)}) is None
    # Exactly 3 is a barrier; just above it is not, however it would round.
    assert selectors.barrier_point({"awareness": (3.004, 250)}) is None
    assert selectors.barrier_point({"awareness": (3.0, 250)}) == "awareness"


def test_a_grade_band_holding_a_bar_or_a_percent_sign_is_a_group_like_any_other(org, survey):
    """A grade band is free text from HR's import. One holding '|' (the cell key's separator) made closing
    the wave fail, so its results never showed and the tick stopped at it; one holding '%' or '=' must not
    be read as anything else either. Each band's cell counts its own people, and its figures, where shown,
    are theirs."""
    finance = [org.staff.profile] + [make_staff(org.finance) for _ in range(5)]
    resources, parks = around_finance(org)
    people = finance + resources + parks
    bands = ["SO1|SO2", "50%7C", "Band=3"]
    for i, p in enumerate(people):
        p.grade_band = bands[i % 3]
        p.save(update_fields=["grade_band"])
    wave = run_wave(org, survey, dict.fromkeys(people, (4, 2)))
    assert wave.status == Wave.Status.CLOSED
    release = selectors.figures_release(wave)
    q = survey.questions.get(dimension="awareness")
    for band in bands:
        key = selectors.cell_key_for(filters=[("grade_band", band)])
        assert release.counts[key] == selectors.cell_responses(wave, key).count() == len(people[bands.index(band)::3])
        if release.is_released(key):
            assert selectors.question_distribution(wave, key, q) == {4: release.counts[key]}
    # Staff who were invited and have no grade band answered nothing: that hidden 0 takes one more band with it
    # (the smaller, then by name), so two bands show.
    assert release.is_released(selectors.cell_key_for(filters=[("grade_band", "SO1|SO2")]))
    assert release.is_released(selectors.cell_key_for(filters=[("grade_band", "Band=3")]))
