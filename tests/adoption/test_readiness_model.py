"""The readiness model (adoption/readiness.py) on hand-built inputs.

Every expected value is worked out by hand here, as arithmetic on literal numbers, never by calling the
code under test. Default weights: learning 30, knowledge 20, ADKAR 25, participation 15, confidence 10
(total 100); the minimum group N is 10 throughout.
"""

import math
from datetime import date

import pytest

from adoption.readiness import (
    Inputs,
    barrier,
    biggest_lever,
    change,
    heat_bin,
    medians,
    readiness,
    trend_chart,
    why,
)

N = 10
WEIGHTS = {"learning": 30, "knowledge": 20, "adkar": 25, "participation": 15, "confidence": 10}
SINCE = date(2026, 9, 4)


def _adkar(responses=41, **means):
    """An ADKAR cell as the survey release gives it: {element: (mean, responses)}."""
    return {"means": {e: (m, responses) for e, m in means.items()}, "responses": responses}


# Every component present: 72% learning, 80% knowledge, ADKAR 3.2 of 5 with Desire at 2.6, 34% response
# rate, confidence +0.8.
FULL = Inputs(
    headcount=50,
    assigned=100, completed=72, overdue=5,
    scored=40, score_total=3200,  # 3200 / 40 = 80
    paired=20, uplift_total=16,  # 16 / 20 = +0.8
    adkar=_adkar(awareness=3.8, desire=2.6, knowledge=3.4, ability=3.2, reinforcement=3.0),
    invited=100, responded=34,
)

# Knowledge and participation missing; ADKAR 3.6 of 5 with no element at 3 or below; confidence -0.8.
PARTIAL = Inputs(
    headcount=20,
    assigned=50, completed=40,  # 80%
    scored=9, score_total=720,  # 9 < N: left out
    paired=10, uplift_total=-8,  # -8 / 10 = -0.8
    adkar=_adkar(12, awareness=4.0, desire=3.6, knowledge=3.4, ability=3.2, reinforcement=3.8),
)


def _value(inputs, key, weights=WEIGHTS, min_n=N):
    return readiness(inputs, weights, min_n).component(key)


# --- Components: value, n and the "left out" rule --------------------------------------------------------

def test_every_component_of_a_full_department():
    result = readiness(FULL, WEIGHTS, N)
    got = {c.key: (c.value, c.n) for c in result.components}
    assert got["learning"] == (pytest.approx(72 / 100 * 100), 100)
    assert got["knowledge"] == (pytest.approx(3200 / 40), 40)
    # Mean of the element means (3.8 + 2.6 + 3.4 + 3.2 + 3.0) / 5 = 3.2, then (3.2 - 1) / 4 x 100 = 55.
    assert got["adkar"] == (pytest.approx((3.2 - 1) / 4 * 100), 41)
    assert got["participation"] == (pytest.approx(34 / 100 * 100), 100)
    # 50 + 12.5 x 0.8 = 60.
    assert got["confidence"] == (pytest.approx(50 + 12.5 * 0.8), 20)
    assert [c.key for c in result.components] == ["learning", "knowledge", "adkar", "participation", "confidence"]
    assert result.missing == []
    assert result.headcount == 50


def test_component_inputs_in_plain_words():
    result = readiness(FULL, WEIGHTS, N)
    assert result.component("learning").inputs == "72 of 100 assigned modules completed (5 overdue)"
    assert result.component("knowledge").inputs == "average best score 80% over 40 modules with a knowledge-check score"
    assert result.component("adkar").inputs == "mean of 5 ADKAR elements 3.2 of 5 from 41 responses"
    assert result.component("participation").inputs == "34 of 100 invited members of staff responded"
    assert result.component("confidence").inputs == (
        "confidence rose by 0.8 on a 1-5 scale on average, from 20 ratings given before and after a module")
    named = Inputs(adkar=_adkar(awareness=3.0), invited=12, responded=6, wave_name="Pulse, Autumn 2026")
    result = readiness(named, WEIGHTS, N)
    assert result.component("adkar").inputs == "mean of 1 ADKAR element 3.0 of 5 from 41 responses (Pulse, Autumn 2026)"
    assert result.component("participation").inputs == "6 of 12 invited members of staff responded to Pulse, Autumn 2026"


@pytest.mark.parametrize(("inputs", "key", "n", "value"), [
    # Learning: n is assigned modules. 9 of them: left out; 10: 7 of 10 done = 70%.
    (Inputs(assigned=N - 1, completed=7), "learning", 9, None),
    (Inputs(assigned=N, completed=7), "learning", 10, 7 / 10 * 100),
    # Knowledge: n is modules with a score. 9: left out; 10 with total 650: 65.
    (Inputs(scored=N - 1, score_total=585), "knowledge", 9, None),
    (Inputs(scored=N, score_total=650), "knowledge", 10, 650 / 10),
    # Confidence: n is before-and-after pairs. 10 pairs, total +6: +0.6, 50 + 12.5 x 0.6 = 57.5.
    (Inputs(paired=N - 1, uplift_total=6), "confidence", 9, None),
    (Inputs(paired=N, uplift_total=6), "confidence", 10, 50 + 12.5 * 0.6),
    # Participation: n is the invited. 9 invited: left out (and n 0); 10 invited, 4 responded: 40%.
    (Inputs(invited=N - 1, responded=4), "participation", 0, None),
    (Inputs(invited=N, responded=4), "participation", 10, 4 / 10 * 100),
    (Inputs(invited=N, responded=None), "participation", 10, 0.0),
])
def test_a_component_needs_the_minimum_group(inputs, key, n, value):
    c = _value(inputs, key)
    assert c.n == n
    if value is None:
        assert c.value is None and not c.present and c.share == 0.0
    else:
        assert c.value == pytest.approx(value)


@pytest.mark.parametrize(("inputs", "key", "missing"), [
    (Inputs(), "learning", "no assigned modules yet"),
    (Inputs(assigned=9), "learning", "only 9 assigned modules, 10 needed"),
    (Inputs(), "knowledge", "no knowledge-check scores yet"),
    (Inputs(scored=9, score_total=900), "knowledge", "only 9 knowledge-check scores, 10 needed"),
    (Inputs(), "confidence", "no before-and-after ratings yet"),
    (Inputs(paired=3, uplift_total=3), "confidence", "only 3 before-and-after ratings, 10 needed"),
    (Inputs(), "adkar", "no closed survey wave has asked the ADKAR questions yet"),
    (Inputs(adkar={"means": {}, "responses": 0}, adkar_missing="no ADKAR answers in Autumn"), "adkar",
     "no ADKAR answers in Autumn"),
    (Inputs(), "participation", "no closed survey wave yet"),
    (Inputs(invited=9, responded=9, participation_missing="fewer than 10 staff were invited to Autumn"),
     "participation", "fewer than 10 staff were invited to Autumn"),
])
def test_why_a_component_is_left_out(inputs, key, missing):
    c = _value(inputs, key)
    assert c.value is None
    assert c.missing == missing


@pytest.mark.parametrize(("uplift_total", "expected"), [
    (0, 50.0),  # no change
    (12, 50 + 12.5 * 1.2),  # +1.2: 65
    (-12, 50 - 12.5 * 1.2),  # -1.2: 35
    (40, 100.0),  # +4: 50 + 50
    (-40, 0.0),  # -4: 50 - 50
    (48, 100.0),  # +4.8 would be 110: clamped
    (-48, 0.0),  # -4.8 would be -10: clamped
])
def test_confidence_maps_uplift_to_0_100(uplift_total, expected):
    c = _value(Inputs(paired=10, uplift_total=uplift_total), "confidence")
    assert c.value == pytest.approx(expected)


def test_adkar_is_the_mean_of_element_means_not_weighted_by_responses():
    # Awareness 3.4 from 30, Desire 2.2 from 10: the mean of means is (3.4 + 2.2) / 2 = 2.8, so
    # (2.8 - 1) / 4 x 100 = 45 (weighted by responses it would be (3.4 x 30 + 2.2 x 10) / 40 = 3.1, 52.5).
    adkar = {"means": {"awareness": (3.4, 30), "desire": (2.2, 10)}, "responses": 31}
    c = _value(Inputs(adkar=adkar), "adkar")
    assert c.value == pytest.approx((2.8 - 1) / 4 * 100)
    assert c.n == 31  # the cell's responses, not a sum over elements


@pytest.mark.parametrize(("mean", "expected"), [(1.0, 0.0), (5.0, 100.0), (3.0, 50.0), (4.2, (4.2 - 1) / 4 * 100)])
def test_adkar_maps_1_5_to_0_100(mean, expected):
    assert _value(Inputs(adkar=_adkar(desire=mean)), "adkar").value == pytest.approx(expected)


# --- Score and re-weighting ------------------------------------------------------------------------------

def test_score_with_every_component():
    result = readiness(FULL, WEIGHTS, N)
    expected = (30 * 72 + 20 * 80 + 25 * 55 + 15 * 34 + 10 * 60) / 100  # 62.45
    assert result.score == pytest.approx(expected)
    # Nothing missing: each share is the weight itself.
    assert {c.key: c.share for c in result.components} == pytest.approx(
        {"learning": 30, "knowledge": 20, "adkar": 25, "participation": 15, "confidence": 10})
    assert not result.reweighted


def test_missing_components_are_reweighted_away():
    result = readiness(PARTIAL, WEIGHTS, N)
    # Present: learning 80 (weight 30), ADKAR (3.6 - 1) / 4 x 100 = 65 (25), confidence 40 (10): 65 of 100.
    expected = (30 * 80 + 25 * 65 + 10 * 40) / (30 + 25 + 10)  # 68.08
    assert result.score == pytest.approx(expected)
    assert {c.key: c.share for c in result.components} == pytest.approx(
        {"learning": 30 / 65 * 100, "knowledge": 0.0, "adkar": 25 / 65 * 100, "participation": 0.0,
         "confidence": 10 / 65 * 100})
    assert [c.key for c in result.missing] == ["knowledge", "participation"]
    assert [c.key for c in result.present] == ["learning", "adkar", "confidence"]
    assert result.reweighted


def test_a_weight_of_zero_counts_for_nothing():
    weights = {"learning": 60, "knowledge": 40, "adkar": 0, "participation": 0, "confidence": 0}
    inputs = Inputs(assigned=10, completed=5, scored=10, score_total=900, paired=10, uplift_total=40)
    result = readiness(inputs, weights, N)
    # Confidence is 100 but weighs 0: (60 x 50 + 40 x 90) / 100 = 66.
    assert result.score == pytest.approx((60 * 50 + 40 * 90) / 100)
    assert result.component("confidence").share == 0.0
    # ADKAR and participation have no data but weigh nothing: not "missing", no re-weighting.
    assert result.missing == []
    assert not result.reweighted


def test_a_weight_left_out_of_the_configuration_is_zero():
    result = readiness(FULL, {"learning": 50, "knowledge": 50}, N)
    assert result.component("adkar").weight == 0
    assert result.score == pytest.approx((50 * 72 + 50 * 80) / 100)  # 76


def test_all_weights_zero_gives_no_score():
    assert readiness(FULL, dict.fromkeys(WEIGHTS, 0), N).score is None


# --- Not enough data -------------------------------------------------------------------------------------

def test_exactly_half_the_weight_gives_a_score():
    # Learning 30 + knowledge 20 = 50 of 100: exactly half.
    inputs = Inputs(assigned=10, completed=6, scored=10, score_total=700)
    result = readiness(inputs, WEIGHTS, N)
    assert result.score == pytest.approx((30 * 60 + 20 * 70) / 50)  # 64
    assert result.component("learning").share == pytest.approx(30 / 50 * 100)


def test_less_than_half_the_weight_gives_no_score():
    # Learning 30 + participation 15 = 45 of 100.
    inputs = Inputs(assigned=10, completed=6, invited=10, responded=5)
    result = readiness(inputs, WEIGHTS, N)
    assert result.score is None
    assert not result.reweighted
    assert all(c.share == 0.0 for c in result.components)


def test_half_of_a_non_100_total_weight():
    # Weights add up to 60 here: learning 30 alone is exactly half; knowledge 29 alone is not.
    weights = {"learning": 30, "knowledge": 29, "confidence": 1}
    assert readiness(Inputs(assigned=10, completed=6), weights, N).score == pytest.approx(60.0)
    assert readiness(Inputs(scored=10, score_total=700), weights, N).score is None


def test_not_enough_data_says_what_is_missing():
    inputs = Inputs(assigned=50, completed=40, scored=9, score_total=720, paired=10, uplift_total=-8)
    result = readiness(inputs, WEIGHTS, N)  # learning 30 + confidence 10 = 40 of 100
    assert result.score is None
    assert why(result) == [
        "Not enough data yet for a readiness score. Missing: knowledge checks: only 9 knowledge-check scores"
        ", 10 needed; readiness for change (ADKAR): no closed survey wave has asked the ADKAR questions yet; "
        "survey participation: no closed survey wave yet."
    ]
    assert biggest_lever(result, {"learning": 100.0}) is None


# --- Barrier ---------------------------------------------------------------------------------------------

@pytest.mark.parametrize(("means", "expected"), [
    # Exactly 3.0 is a barrier; Knowledge is lower but comes later.
    ({"awareness": 3.5, "desire": 3.0, "knowledge": 2.0}, ("desire", 3.0)),
    # 3.0001 is not, so Knowledge is the first at 3 or below.
    ({"awareness": 3.5, "desire": 3.0001, "knowledge": 2.0}, ("knowledge", 2.0)),
    # The first element wins over a much lower later one.
    ({"awareness": 2.9, "desire": 1.2, "reinforcement": 1.0}, ("awareness", 2.9)),
    ({"awareness": 3.1, "desire": 3.2, "knowledge": 3.3, "ability": 3.4, "reinforcement": 3.0}, ("reinforcement", 3.0)),
    # Every element above 3: no barrier.
    ({"awareness": 3.1, "desire": 3.0001, "knowledge": 4.0, "ability": 3.5, "reinforcement": 3.2}, None),
    # Absent elements are skipped: no Awareness or Desire figure, Knowledge at 2.8.
    ({"knowledge": 2.8, "ability": 2.1}, ("knowledge", 2.8)),
    ({}, None),
])
def test_barrier_is_the_first_element_at_3_or_below(means, expected):
    cell = {"means": {e: (m, 20 + i) for i, (e, m) in enumerate(means.items())}, "responses": 25}
    b = barrier(cell)
    if expected is None:
        assert b is None
    else:
        assert (b.element, b.mean) == expected
        assert b.responses == cell["means"][expected[0]][1]
        assert b.label == expected[0].capitalize()
        assert b.actions  # suggested actions for that element


def test_no_adkar_figure_no_barrier():
    assert barrier(None) is None
    assert barrier({}) is None
    assert readiness(Inputs(), WEIGHTS, N).barrier is None


def test_readiness_carries_the_barrier_and_means():
    result = readiness(FULL, WEIGHTS, N)
    assert (result.barrier.element, result.barrier.mean, result.barrier.responses) == ("desire", 2.6, 41)
    assert result.adkar_means["desire"] == (2.6, 41)


# --- Why sentences ---------------------------------------------------------------------------------------

def test_why_with_every_component_a_barrier_and_a_lever():
    result = readiness(FULL, WEIGHTS, N)
    # Gains, over a present weight of 100: learning 30 x (80 - 72) / 100 = 2.4; knowledge 20 x (85 - 80) / 100
    # = 1.0; participation 15 x (60 - 34) / 100 = 3.9; ADKAR and confidence are at or above their medians.
    lever = biggest_lever(result, {"learning": 80, "knowledge": 85, "adkar": 50, "participation": 60,
                                   "confidence": 60})
    assert why(result, lever) == [
        "Readiness 62 of 100: learning completed 72 (72 of 100 assigned modules done; weight 30); "
        "knowledge checks 80 (average score 80% over 40 modules; weight 20); "
        "readiness for change (ADKAR) 55 (3.2 of 5 from 41 responses; weight 25); "
        "survey participation 34 (34 of 100 invited responded; weight 15); "
        "confidence uplift 60 (+0.8 on 1-5 over 20 modules rated before and after; weight 10).",
        "Desire is the barrier point: 2.6 of 5 from 41 responses. It is the first ADKAR element at 3 or below, so start there.",
        "Survey participation at 34 is the lowest part.",
        "The biggest lever: raising survey participation from 34 to the organisation's median of 60 would "
        "raise readiness by about 4 points.",
    ]


def test_why_when_parts_are_left_out_and_there_is_no_barrier():
    result = readiness(PARTIAL, WEIGHTS, N)
    assert why(result) == [
        "Readiness 68 of 100: learning completed 80 (40 of 50 assigned modules done; weight 30); "
        "readiness for change (ADKAR) 65 (3.6 of 5 from 12 responses; weight 25); "
        "confidence uplift 40 (-0.8 on 1-5 over 10 modules rated before and after; weight 10).",
        "No ADKAR element is at 3 or below, so there is no barrier point.",
        "Confidence uplift at 40 is the lowest part.",
        "The knowledge checks part is left out (only 9 knowledge-check scores, 10 needed); the other parts are "
        "re-weighted to make up 100.",
        "The survey participation part is left out (no closed survey wave yet); the other parts are re-weighted to make "
        "up 100.",
    ]


def test_why_with_one_part_has_no_lowest_part():
    result = readiness(Inputs(assigned=20, completed=9), {"learning": 100}, N)
    # 9 / 20 = 45%; nothing else weighs anything, so nothing is missing and there is no ADKAR sentence.
    assert why(result) == ["Readiness 45 of 100: learning completed 45 (9 of 20 assigned modules done; weight 100)."]


def test_a_lever_under_one_point_is_not_mentioned():
    result = readiness(FULL, WEIGHTS, N)
    # Knowledge 20 x (82 - 80) / 100 = 0.4 points: too small to say.
    lever = biggest_lever(result, {"knowledge": 82})
    assert lever.gain == pytest.approx(20 * (82 - 80) / 100)
    assert not any("biggest lever" in s for s in why(result, lever))
    # Learning 30 x (78 - 72) / 100 = 1.8 points: said, rounded.
    lever = biggest_lever(result, {"learning": 78})
    assert why(result, lever)[-1] == ("The biggest lever: raising learning completed from 72 to the organisation's "
                                      "median of 78 would raise readiness by about 2 points.")
    # Learning 30 x (76 - 72) / 100 = 1.2 points: one point, singular.
    lever = biggest_lever(result, {"learning": 76})
    assert why(result, lever)[-1] == ("The biggest lever: raising learning completed from 72 to the organisation's "
                                      "median of 76 would raise readiness by about 1 point.")


# --- Biggest lever and medians ---------------------------------------------------------------------------

def test_biggest_lever_divides_by_the_present_weight():
    result = readiness(PARTIAL, WEIGHTS, N)  # present weight 30 + 25 + 10 = 65
    lever = biggest_lever(result, {"learning": 90, "knowledge": 99, "adkar": 70, "confidence": 60})
    # Learning 30 x (90 - 80) / 65 = 4.62; ADKAR 25 x (70 - 65) / 65 = 1.92; confidence 10 x (60 - 40) / 65
    # = 3.08; knowledge is left out here, so its median does not count.
    assert (lever.key, lever.value, lever.median) == ("learning", pytest.approx(80), 90)
    assert lever.gain == pytest.approx(30 * (90 - 80) / 65)
    assert lever.label == "Learning completed"


def test_the_lever_can_be_a_small_weight_far_behind():
    result = readiness(PARTIAL, WEIGHTS, N)
    # Confidence 10 x (90 - 40) / 65 = 7.69 beats learning 30 x (90 - 80) / 65 = 4.62.
    lever = biggest_lever(result, {"learning": 90, "confidence": 90})
    assert lever.key == "confidence"
    assert lever.gain == pytest.approx(10 * (90 - 40) / 65)


def test_no_lever_when_every_part_is_at_or_above_the_median():
    result = readiness(FULL, WEIGHTS, N)
    at_or_below = {"learning": 72, "knowledge": 80, "adkar": 50, "participation": 34, "confidence": 10}
    assert biggest_lever(result, at_or_below) is None
    assert biggest_lever(result, {}) is None


def test_a_zero_weight_part_is_never_the_lever():
    weights = {"learning": 60, "knowledge": 40, "confidence": 0}
    result = readiness(Inputs(assigned=10, completed=5, scored=10, score_total=900, paired=10, uplift_total=-40),
                       weights, N)
    assert biggest_lever(result, {"confidence": 100}) is None



def test_a_zero_weight_part_is_never_the_lowest_part():
    weights = {"learning": 60, "knowledge": 40, "confidence": 0}
    result = readiness(Inputs(assigned=10, completed=5, scored=10, score_total=900, paired=10, uplift_total=-40),
                       weights, N)
    # Confidence -4.0 maps to 0 but weighs nothing; of the parts that count, learning 5 / 10 = 50 is lowest.
    # Score (60 x 50 + 40 x 90) / 100 = 66.
    assert why(result) == [
        "Readiness 66 of 100: learning completed 50 (5 of 10 assigned modules done; weight 60); "
        "knowledge checks 90 (average score 90% over 10 modules; weight 40); "
        "confidence uplift 0 (-4.0 on 1-5 over 10 modules rated before and after; weight 0).",
        "Learning completed at 50 is the lowest part.",
    ]

def test_medians_over_departments_that_have_the_component():
    results = [
        readiness(Inputs(assigned=10, completed=5, scored=10, score_total=600), WEIGHTS, N),
        readiness(Inputs(assigned=10, completed=9, scored=10, score_total=800), WEIGHTS, N),
        readiness(Inputs(assigned=10, completed=7), WEIGHTS, N),
        readiness(Inputs(assigned=10, completed=8, paired=10, uplift_total=4), WEIGHTS, N),
    ]
    # Learning 50, 90, 70, 80: median (70 + 80) / 2 = 75. Knowledge 60, 80: 70. Confidence only 55.
    assert medians(results) == pytest.approx({"learning": 75.0, "knowledge": 70.0, "confidence": 50 + 12.5 * 0.4})


# --- The noise rule --------------------------------------------------------------------------------------

def test_a_change_just_beyond_the_noise_is_a_change():
    # 56 then, 62 now, 515 people each time: 1.96 x sqrt(0.56 x 0.44 / 515 + 0.62 x 0.38 / 515) = 5.996 points.
    margin = 100 * 1.96 * math.sqrt(0.56 * 0.44 / 515 + 0.62 * 0.38 / 515)
    c = change(56, 515, 62, 515, SINCE)
    assert c.margin == pytest.approx(margin)
    assert c.margin < 6
    assert c.delta == 6
    assert c.clear and c.direction == "up"
    assert str(c) == "Up 6 since 4 September 2026 (beyond the noise of ±6; n 515 then, 515 now)"


def test_a_change_just_within_the_noise_is_no_clear_change():
    # The same scores with 514 people: 1.96 x sqrt(0.56 x 0.44 / 514 + 0.62 x 0.38 / 514) = 6.002 points.
    margin = 100 * 1.96 * math.sqrt(0.56 * 0.44 / 514 + 0.62 * 0.38 / 514)
    c = change(56, 514, 62, 514, SINCE)
    assert c.margin == pytest.approx(margin)
    assert c.margin > 6
    assert not c.clear and c.direction == "none"
    assert str(c) == "No clear change since 4 September 2026 (+6, within the noise of ±6; n 514 then, 514 now)"


def test_a_fall_beyond_the_noise():
    c = change(62, 1200, 56, 1000, date(2026, 10, 1))
    margin = 100 * 1.96 * math.sqrt(0.62 * 0.38 / 1200 + 0.56 * 0.44 / 1000)  # 4.10
    assert c.margin == pytest.approx(margin)
    assert c.direction == "down"
    assert str(c) == "Down 6 since 1 October 2026 (beyond the noise of ±4; n 1,200 then, 1,000 now)"


def test_no_change_at_all_is_not_a_change_even_without_noise():
    # 100 both times: the margin is 0 and the difference 0, which is not beyond it.
    c = change(100, 50, 100, 50, SINCE)
    assert (c.delta, c.margin) == (0, 0)
    assert c.direction == "none"


@pytest.mark.parametrize("args", [(None, 10, 50, 10), (50, 10, None, 10), (50, 0, 60, 10), (50, 10, 60, 0)])
def test_no_change_without_two_scores_and_people(args):
    assert change(*args, SINCE) is None


# --- Heatmap bins ----------------------------------------------------------------------------------------

@pytest.mark.parametrize(("value", "expected"), [
    (20.0, "m3"),
    (35.0, "m3"),  # exactly 15 below
    (35.1, "m2"),
    (42.5, "m2"),  # exactly 7.5 below
    (42.6, "m1"),
    (47.4, "m1"),
    (47.5, "0"),  # exactly 2.5 below
    (50.0, "0"),
    (52.5, "0"),  # exactly 2.5 above
    (52.6, "p1"),
    (57.4, "p1"),
    (57.5, "p2"),  # exactly 7.5 above
    (64.9, "p2"),
    (65.0, "p3"),  # exactly 15 above
    (90.0, "p3"),
])
def test_heat_bin_around_the_organisation(value, expected):
    assert heat_bin(value, 50.0) == expected


def test_heat_bin_without_a_value():
    assert heat_bin(None, 50.0) == ""
    assert heat_bin(50.0, None) == ""
    assert heat_bin(0.0, 0.0) == "0"  # zero is a value, not a missing one


# --- Trend chart -----------------------------------------------------------------------------------------

def test_no_chart_without_two_scores():
    assert trend_chart([]) is None
    assert trend_chart([(date(2026, 9, 1), 50.0), (date(2026, 9, 2), None)]) is None


def test_chart_coordinates():
    series = [(date(2026, 9, 1), 50.0), (date(2026, 9, 5), None), (date(2026, 9, 11), 75.0),
              (date(2026, 9, 21), 25.0)]
    chart = trend_chart(series)
    # Plot area: x from 40 to 640 - 10 = 630 (590 wide) over 20 days; y from 10 to 240 - 30 = 210 (200 high).
    # 1 Sep: x 40, y 10 + 200 x (1 - 0.50) = 110; 11 Sep: x 40 + 590 x 10 / 20 = 335, y 10 + 200 x 0.25 = 60;
    # 21 Sep: x 630, y 10 + 200 x 0.75 = 160. The day without a score is left out.
    assert (chart.width, chart.height) == (640, 240)
    assert chart.points == "40.0,110.0 335.0,60.0 630.0,160.0"
    assert chart.dots == [(40.0, 110.0, "1 Sep: 50"), (335.0, 60.0, "11 Sep: 75"), (630.0, 160.0, "21 Sep: 25")]
    assert chart.y_ticks == [(210.0, "0"), (160.0, "25"), (110.0, "50"), (60.0, "75"), (10.0, "100")]
    assert chart.x_ticks == [(40.0, "1 Sep"), (630.0, "21 Sep")]
