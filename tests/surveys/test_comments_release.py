"""Comments are hidden wherever the figures of the same cell are hidden: in the release decided at close,
on the comments page and in the sentiment adoption/ reads, even for a release stored without that rule.

The council here: Housing with three teams, Lettings 12 (every one writes a comment), Repairs 20 (10 write
one) and Tenancy 2 (none). Figures (N=5) hide Tenancy and, to protect it, the next-smallest team,
Lettings. Comments (threshold 10) hide Tenancy and the next-smallest by writers, Repairs: on their own
they would release Lettings, whose figures are hidden."""

import random
import re

import pytest
from django.urls import reverse

from surveys import selectors, services, suppression
from surveys import selectors_results as results
from surveys.models import Answer, Participation, Question, Wave
from tests.factories import make_department, make_staff
from tests.surveys.test_results_seed import close, make_pulse, open_wave, random_answers


@pytest.fixture
def housing(org):
    housing = make_department("HOU", "Housing", org.council)
    teams = {name: make_department(f"HOU-{name[:3].upper()}", name, housing)
             for name in ("Lettings", "Repairs", "Tenancy")}
    return housing, teams


@pytest.fixture
def wave(org, housing):
    _, teams = housing
    writers = {"Lettings": (12, 12), "Repairs": (20, 10), "Tenancy": (2, 0)}
    people = [(make_staff(teams[name]), i < commenting)
              for name, (count, commenting) in writers.items() for i in range(count)]
    survey = make_pulse()
    wave = open_wave(survey, departments=[housing[0]])
    rng = random.Random(3)
    for i, (profile, writes) in enumerate(people):
        comment = f"Comment {i} from a colleague about training time" if writes else None
        services.response_submit(profile=profile, wave=wave, answers=random_answers(survey, rng, comment=comment))
    return close(wave)


def key(department) -> str:
    return selectors.cell_key_for(department)


def test_the_comment_decision_alone_would_release_a_cell_whose_figures_are_hidden(wave, housing):
    """The premise of the tests below: without the rule, Lettings' comments would be released. (If
    suppression.decide() changes so that this no longer holds, choose counts for which it does.)"""
    _, teams = housing
    lettings = key(teams["Lettings"])
    figures = selectors.figures_release(wave)
    assert not figures.is_released(lettings) and figures.counts[lettings] == 12
    raw = _comment_decision_alone(wave)
    assert raw.is_released(lettings)


def _comment_decision_alone(wave) -> suppression.Release:
    """The comments' decision as suppression.decide() makes it, before figures are taken into account."""
    tree = suppression.Tree.from_json(wave.released["tree"])
    attrs = wave.released["attributes"]
    fields = ["pk", "department_id", *services.SEGMENT_ATTRIBUTES, *services.EQUALITY_ATTRIBUTES]
    commenters = set(Answer.objects.filter(response__wave=wave, question__type=Question.Type.TEXT)
                     .exclude(text="").values_list("response_id", flat=True))
    rows = [{**r, "department": r["department_id"]} for r in wave.responses.values(*fields) if r["pk"] in commenters]
    population_rows = [{**r, "department": r["department_id"]} for r in
                       Participation.objects.filter(wave=wave).values("department_id", *services.SEGMENT_ATTRIBUTES)]
    population = suppression.count_cells(population_rows, tree, [a for a in attrs if a in services.SEGMENT_ATTRIBUTES])
    return suppression.decide(suppression.count_cells(rows, tree, attrs), population, tree, attrs,
                              wave.min_comment_group_size)


def test_the_stored_release_holds_comments_to_the_figures_cells(wave, housing):
    """As decided at close and stored (read raw: the selectors hold comments to figures again)."""
    figures, comments = set(wave.released["figures"]["released"]), set(wave.released["comments"]["released"])
    assert comments <= figures
    assert key(housing[1]["Lettings"]) not in comments
    assert key(housing[0]) in comments  # Housing's comments (Lettings' and Repairs') still show


def test_the_comments_page_hides_a_cell_whose_figures_are_hidden(client, org, wave, housing):
    client.force_login(org.hr)
    url = reverse("surveys:comments", args=[wave.pk])
    page = client.get(url, {"department": housing[1]["Lettings"].pk}).content.decode()
    assert "tandem-comment__text" not in page and "Comments from this group are not shown" in page
    assert "from a colleague" not in page
    shown = client.get(url, {"department": housing[0].pk}).content.decode()
    assert len(re.findall(r"tandem-comment__text", shown)) == 22


def _store_comments_without_the_rule(wave) -> Wave:
    """A release as an earlier version stored it, before comments were held to the figures' cells."""
    released = dict(wave.released)
    released["comments"] = _comment_decision_alone(wave).to_json()
    Wave.objects.filter(pk=wave.pk).update(released=released)
    wave.refresh_from_db()
    return wave


def test_pages_hide_comments_where_figures_are_hidden_even_if_the_stored_release_does_not(client, org, wave,
                                                                                           housing):
    wave = _store_comments_without_the_rule(wave)
    lettings = housing[1]["Lettings"]
    assert key(lettings) in wave.released["comments"]["released"]  # what was stored
    page = results.comments_page(wave, lettings, include_hidden=True)
    assert not page["released"] and "questions" not in page
    [row] = results.sentiment_by_department(wave, [lettings])
    assert row["hidden"] and isinstance(row["comments"], selectors.Suppressed)
    client.force_login(org.hr)
    html = client.get(reverse("surveys:comments", args=[wave.pk]), {"department": lettings.pk}).content.decode()
    assert "tandem-comment__text" not in html and "Comments from this group are not shown" in html
