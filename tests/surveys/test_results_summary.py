"""What a results page opens with: the summary (response rate, ADKAR means, barrier point, change since
the previous wave), the heatmap's colours relative to the organisation, and long department tables shown
a directorate at a time. Every figure comes through the release: a hidden group stays hidden, and a change
is given only where both waves released the group."""

import re

import pytest
from django.urls import reverse

from surveys import selectors
from surveys import selectors_results as results
from surveys.models import Question
from tests.surveys.test_results import _people
from tests.surveys.test_results_seed import make_pulse, run_wave

FEWER = str(selectors.Suppressed(5))


# --- The heatmap's colour: a pure function of a mean and its reference ----------------------------------------

@pytest.mark.parametrize(("mean", "reference", "expected"), [
    (3.40, 3.40, "0"),
    (3.49, 3.40, "0"), (3.31, 3.40, "0"),          # less than 0.1 either way
    (3.50, 3.40, "p1"), (3.30, 3.40, "m1"),        # 0.1 exactly is a step (not lost to 0.09999...)
    (3.69, 3.40, "p1"), (3.11, 3.40, "m1"),        # 0.29
    (3.70, 3.40, "p2"), (3.10, 3.40, "m2"),        # 0.3
    (3.99, 3.40, "p2"), (2.81, 3.40, "m2"),        # 0.59
    (4.00, 3.40, "p3"), (2.80, 3.40, "m3"),        # 0.6
    (5.00, 1.00, "p3"), (1.00, 5.00, "m3"),
    (4.62, 4.58, "0"),                             # the old absolute bands made every mean here one blue
])
def test_relative_heat_steps_at_stated_boundaries(mean, reference, expected):
    assert results.relative_heat(mean, reference) == expected


def test_relative_heat_without_a_reference_or_a_mean_is_uncoloured():
    assert results.relative_heat(None, 3.4) == "none"
    assert results.relative_heat(3.4, None) == "none"


def test_the_key_names_every_step_in_order():
    assert [code for code, _ in results.HEAT_KEY] == ["m3", "m2", "m1", "0", "p1", "p2", "p3"]


# --- Long department tables, a directorate at a time ------------------------------------------------------------

def _row(label, depth, own=False):
    return {"scope": f"d{label}{'!' if own else ''}", "label": label, "depth": depth}


def test_a_short_table_is_shown_whole():
    rows = [_row("Council", 0)] + [_row(f"D{i}", 1) for i in range(11)]
    assert results.by_directorate(rows) is None


def test_a_long_table_under_one_council_folds_teams_under_each_directorate():
    rows = ([_row("Council", 0), _row("Council", 1, own=True), _row("Place", 1), _row("Place", 2, own=True)]
            + [_row(f"P{i}", 2) for i in range(6)] + [_row("P5a", 3)]
            + [_row("People", 1)] + [_row(f"Q{i}", 2) for i in range(4)] + [_row("Chief executive", 1)])
    split = results.by_directorate(rows)
    assert [r["label"] for r in split["lead"]] == ["Council", "Council", "Place", "People", "Chief executive"]
    assert [s["label"] for s in split["sections"]] == ["Place", "People"]  # no teams: nothing to fold
    place = split["sections"][0]["rows"]
    assert [r["label"] for r in place] == ["Place", "P0", "P1", "P2", "P3", "P4", "P5", "P5a"]
    assert [r["depth"] for r in place] == [0, 0, 0, 0, 0, 0, 0, 1]  # depth from beneath the directorate
    assert sum(len(s["rows"]) for s in split["sections"]) + len(split["lead"]) == len(rows)  # every row once


def test_several_top_departments_are_the_directorates():
    rows = [_row("A", 0)] + [_row(f"A{i}", 1) for i in range(7)] + [_row("B", 0)] + [_row(f"B{i}", 1) for i in range(7)]
    split = results.by_directorate(rows)
    assert [r["label"] for r in split["lead"]] == ["A", "B"]
    assert [len(s["rows"]) for s in split["sections"]] == [7, 7]


# --- A change between two waves: beyond its margin of error, or "about the same" ---------------------------------

def test_a_change_is_called_one_only_beyond_its_margin():
    wide = results.change_between(results.Spread(3.4, 1.2, 8), results.Spread(3.7, 1.2, 8))
    assert wide["direction"] == "same" and wide["difference"] == pytest.approx(0.3) and wide["margin"] > 0.3
    narrow = results.change_between(results.Spread(3.4, 0.8, 400), results.Spread(3.7, 0.8, 400))
    assert narrow["direction"] == "up" and narrow["margin"] < 0.3
    down = results.change_between(results.Spread(3.7, 0.8, 400), results.Spread(3.4, 0.8, 400))
    assert down["direction"] == "down" and down["difference"] == pytest.approx(-0.3)


# --- The summary selector -------------------------------------------------------------------------------------

@pytest.fixture
def waves(org):
    """Autumn: everyone answers. Spring: only three of Finance's twelve (Finance hidden). Summer: everyone."""
    people = _people(org)
    survey = make_pulse()
    everyone = [p for group in people.values() for p in group]
    autumn = run_wave(survey, everyone, seed=1, name="Autumn", opened_days_ago=180)
    spring_people = [p for p in everyone if p not in people["finance"][3:]]
    spring = run_wave(survey, spring_people, seed=2, name="Spring", opened_days_ago=90)
    summer = run_wave(survey, everyone, seed=3, name="Summer", opened_days_ago=1)
    return autumn, spring, summer


def test_the_summary_of_the_organisation_gives_rate_means_barrier_and_change(org, waves):
    autumn, spring, _ = waves
    page = results.results_page(org.hr, spring, results.Group())
    s = page["summary"]
    assert not s["hidden"] and s["adkar"]
    assert s["rate"] == page["rate"] and not s["rate"]["hidden"]
    exact = selectors.adkar_means(spring)
    assert [c["dimension"] for c in s["elements"]] == [d for d in Question.ADKAR if d in exact["means"]]
    for c in s["elements"]:
        assert c["mean"] == round(exact["means"][c["dimension"]][0], 2)
    assert s["barrier"] == exact["barrier"] == page["barrier"]  # the barrier rule on exact means
    if s["barrier"]:
        assert s["barrier_mean"] == exact["means"][s["barrier"]][0]
    assert s["previous"] == autumn and not s["previous_hidden"]
    before = selectors.dimension_means(autumn, "org")
    assert len(s["changes"]) == len(s["elements"])
    for change in s["changes"]:
        assert change["then"] == round(before[change["dimension"]][0], 2)
        assert change["now"] == round(exact["means"][change["dimension"]][0], 2)
        assert change["n_then"] == before[change["dimension"]][1]


def test_a_hidden_group_has_a_hidden_summary(org, waves):
    _, spring, _ = waves
    assert not selectors.figures_release(spring).is_released(selectors.cell_key_for(org.finance))
    s = results.results_page(org.hr, spring, results.Group(org.finance))["summary"]
    assert s["hidden"] and s["rate"]["hidden"] and all(c["hidden"] for c in s["elements"])
    assert s["barrier"] is None and s["barrier_mean"] is None and s["changes"] == []
    assert str(s["rate"]["value"]) == FEWER


def test_no_change_where_the_previous_wave_hid_the_group(org, waves):
    _, spring, summer = waves
    s = results.results_page(org.hr, summer, results.Group(org.finance))["summary"]
    assert not s["hidden"] and s["previous"] == spring
    assert s["previous_hidden"] and s["changes"] == []


def test_the_first_wave_has_nothing_to_compare_with(org, waves):
    autumn, _, _ = waves
    s = results.results_page(org.hr, autumn, results.Group(org.finance))["summary"]
    assert s["previous"] is None and s["changes"] == [] and not s["hidden"]


def test_the_summary_page_shows_released_figures_only(client, org, waves):
    autumn, spring, summer = waves
    client.force_login(org.hr)
    html = client.get(reverse("surveys:results", args=[spring.pk]), {"department": org.finance.pk}).content.decode()
    summary = html.split('id="summary"', 1)[1].split('id="contents-heading"', 1)[0]
    assert FEWER in summary and "data-cell" not in summary
    assert not re.search(r"\d\.\d", summary)  # no mean of a hidden group, rounded or not
    html = client.get(reverse("surveys:results", args=[summer.pk]), {"department": org.finance.pk}).content.decode()
    summary = html.split('id="summary"', 1)[1].split('id="contents-heading"', 1)[0]
    assert "Not compared" in summary and "Since Spring" in summary and "data-wave" not in summary
    html = client.get(reverse("surveys:results", args=[spring.pk])).content.decode()
    summary = html.split('id="summary"', 1)[1].split('id="contents-heading"', 1)[0]
    assert "Since Autumn" in summary and summary.count(f'data-wave="{autumn.pk}"') == 5
    for href in ("#response-rate", "#scores", "#answers", "#departments", "#trend"):
        assert f'href="{href}"' in html and f'id="{href[1:]}"' in html


def test_a_manager_compares_departments_with_their_own_group(client, org, waves):
    _, spring, _ = waves
    page = results.results_page(org.env_manager, spring, results.Group(org.environment))
    assert page["heat_reference"] == "group" and page["comparison"] is None
    reference = {c["dimension"]: c["mean"] for c in page["scores"]}
    for row in page["rows"]:
        for c in row["cells"]:
            assert c["heat"] == ("none" if c["hidden"] else results.relative_heat(c["mean"], reference[c["dimension"]]))


def test_hr_compares_departments_with_the_organisation(org, waves):
    _, spring, _ = waves
    page = results.results_page(org.hr, spring, results.Group(org.environment))
    assert page["heat_reference"] == "organisation"
    reference = {c["dimension"]: c["organisation"]["mean"] for c in page["comparison"]}
    shaded = [c for row in page["rows"] for c in row["cells"] if not c["hidden"]]
    assert shaded and all(c["heat"] == results.relative_heat(c["mean"], reference[c["dimension"]]) for c in shaded)


def test_a_long_department_table_folds_teams_by_directorate_and_shows_only_released_figures(client, org):
    """Eight more teams in Environment (six people each) make the table long: the directorates are listed,
    their teams folded in <details> (no script needed), and every figure is still a released cell."""
    from tests.factories import make_department, make_staff

    people = _people(org)
    for i in range(8):
        team = make_department(f"ENV-T{i}", f"Team {i}", org.environment)
        people[f"team{i}"] = [make_staff(team) for _ in range(6 if i else 2)]  # Team 0 is too small to show
    wave = run_wave(make_pulse(), [p for group in people.values() for p in group], seed=5)
    page = results.results_page(org.hr, wave, results.Group())
    split = page["row_sections"]
    assert split is not None and len(page["rows"]) > results.LONG_TABLE
    assert [s["label"] for s in split["sections"]] == ["Environment", "Resources"]
    client.force_login(org.hr)
    html = client.get(reverse("surveys:results", args=[wave.pk])).content.decode()
    assert html.count('<details class="govuk-details govuk-!-margin-bottom-3">') == 4  # two directorates, response rate and heatmap
    assert "Teams in Environment: scores" in html
    region = html.split('id="results"', 1)[1]
    assert set(re.findall(r'data-cell="([^"]+)"', region)) <= selectors.figures_release(wave).released
    for attrs, text in re.findall(r"<td([^>]*)>(.*?)</td>", region, flags=re.S):
        assert "data-cell" in attrs or text.strip() == FEWER
    assert FEWER in html.split("Teams in Environment: scores", 1)[1]  # Team 0, hidden, in its folded table
