"""The trend across waves: a wave's score for a group is set beside another wave's only where both waves
released that group's figures."""

import pytest

from surveys import selectors
from surveys import selectors_results as results
from tests.surveys.test_results import _people
from tests.surveys.test_results_seed import make_pulse, run_wave


@pytest.fixture
def waves(org):
    """Autumn: everyone answers (Finance 12: released). Spring: three of Finance answer (hidden)."""
    people = _people(org)
    survey = make_pulse()
    everyone = [p for group in people.values() for p in group]
    autumn = run_wave(survey, everyone, seed=1, name="Autumn", opened_days_ago=90)
    spring_people = [p for p in everyone if p not in people["finance"][3:]]
    spring = run_wave(survey, spring_people, seed=2, name="Spring")
    return autumn, spring


def _rows(page):
    return {row["wave"].name: row for row in page["trend"]}


def test_a_group_hidden_in_this_wave_shows_no_trend(org, waves):
    autumn, spring = waves
    finance = selectors.cell_key_for(org.finance)
    assert selectors.figures_release(autumn).is_released(finance)
    assert not selectors.figures_release(spring).is_released(finance)
    page = results.results_page(org.hr, spring, results.Group(org.finance))
    rows = _rows(page)
    assert rows["Autumn"]["hidden"] and rows["Spring"]["hidden"]  # Autumn's released figure is not set beside it
    assert all(c["hidden"] for row in rows.values() for c in row["cells"])


def test_a_group_hidden_in_another_wave_shows_only_this_wave(org, waves):
    autumn, _ = waves
    page = results.results_page(org.hr, autumn, results.Group(org.finance))
    rows = _rows(page)
    assert not rows["Autumn"]["hidden"] and rows["Spring"]["hidden"]
    assert str(rows["Spring"]["value"]).startswith("fewer than 5 responses")


def test_a_group_both_waves_released_shows_both(org, waves):
    autumn, spring = waves
    page = results.results_page(org.hr, spring, results.Group())
    rows = _rows(page)
    assert not rows["Autumn"]["hidden"] and not rows["Spring"]["hidden"]
    expected = selectors.dimension_means(autumn, "org")
    for cell in rows["Autumn"]["cells"]:
        assert cell["mean"] == round(expected[cell["dimension"]][0], 2)


def test_the_export_follows_the_same_rule(client, org, waves):
    from django.urls import reverse

    _, spring = waves
    client.force_login(org.hr)
    csv = client.get(reverse("surveys:results_csv", args=[spring.pk]), {"department": org.finance.pk}).content.decode()
    trend = csv.split("Trend across waves")[1]
    autumn_row = next(line for line in trend.splitlines() if line.startswith("Autumn"))
    assert "fewer than 5 responses" in autumn_row and not any(ch.isdigit() for ch in autumn_row.split(",", 1)[1]
                                                             .replace("fewer than 5 responses", ""))


def test_the_transparency_page_states_the_risk_across_waves(client, org):
    page = client.get("/transparency/").content.decode()
    assert "sets two waves side by side" in page and "7 &times; 3.43 &minus; 6 &times; 3.83 = 1" in page
    assert "trend across waves is shown only where both waves show that group" in page
