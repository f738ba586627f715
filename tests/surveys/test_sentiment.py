"""Sentiment (VADER) and themes of comments, and the per-department summary adoption/ reads: only over
comment cells the wave's comments release released."""

import pytest

from surveys import selectors, sentiment
from surveys import selectors_results as results
from surveys.models import Answer, Question
from tests.factories import make_department, make_staff
from tests.surveys.test_results_seed import make_pulse, run_wave


def test_scores_run_from_negative_to_positive():
    good = sentiment.score("This is great, I love how much time it saves.")
    bad = sentiment.score("This is awful and I am worried it will cost jobs.")
    flat = sentiment.score("The module is on the intranet.")
    assert -1 <= bad < flat < good <= 1
    assert (sentiment.label(good), sentiment.label(bad), sentiment.label(flat)) == ("Positive", "Negative", "Neutral")


def test_mean_score_of_no_comments_is_none():
    assert sentiment.mean_score([]) == (None, 0)
    assert sentiment.mean_score(["   "]) == (None, 0)
    mean, count = sentiment.mean_score(["Great!", "Terrible."])
    assert count == 2 and mean == pytest.approx((sentiment.score("Great!") + sentiment.score("Terrible.")) / 2, abs=0.001)


def test_themes_are_shared_two_word_phrases_without_stop_words():
    texts = [
        "I worry about my job security and we need more training time.",
        "Job security is my main worry.",
        "More training time, please! And job security.",
        "I think the training was fine.",
    ]
    assert sentiment.themes(texts) == [("job security", 3), ("training time", 2)]


def test_a_comment_counts_once_however_often_it_repeats_a_phrase():
    assert sentiment.themes(["job security, job security, job security", "nothing here"]) == []
    assert sentiment.themes(["job security, job security", "job security"]) == [("job security", 2)]


def test_punctuation_and_stop_words_break_phrases():
    # "training, time" is not "training time"; "worry about security" has a stop word between.
    assert sentiment.themes(["Training, time.", "Training; time!"]) == []
    assert sentiment.themes(["worry about security", "worry about security"]) == []


def test_scrub_markers_are_not_themes():
    texts = ["Ask [name removed] about it", "Tell [name removed] please", "[email removed] [email removed]"]
    assert sentiment.themes(texts) == []


def test_hyphenated_words_stay_whole():
    assert sentiment.themes(["part-time staff need support", "Part-time staff miss out"]) == [("part-time staff", 2)]


def test_themes_keep_the_most_common_first_and_stop_at_top():
    texts = ["staff room", "staff room", "staff room", "job security", "job security", "open plan"]
    assert sentiment.themes(texts) == [("staff room", 3), ("job security", 2)]
    assert sentiment.themes(texts, top=1) == [("staff room", 3)]


# --- Per department, for adoption/ ----------------------------------------------------------------------

@pytest.fixture
def comment_wave(org):
    """Sent to Finance and Environment's teams; everyone who answers writes a comment. Finance 12, Waste 12,
    Parks 12 and Street Cleaning 3: under the comment threshold of 10, so hidden (with its next-smallest
    sibling)."""
    org.street = make_department("ENV-STREET", "Street Cleaning", org.environment)
    finance = [org.staff.profile] + [make_staff(org.finance) for _ in range(11)]
    waste = [org.frontline.profile] + [make_staff(org.waste, with_email=False) for _ in range(11)]
    parks = [make_staff(org.parks) for _ in range(12)]
    street = [make_staff(org.street) for _ in range(3)]
    return run_wave(make_pulse(), finance + waste + parks + street, comment_share=1.0,
                    departments=[org.finance, org.waste, org.parks, org.street])


def _texts(wave, departments):
    return list(Answer.objects.filter(response__wave=wave, response__department__in=departments,
                                      question__type=Question.Type.TEXT).exclude(text="").values_list("text", flat=True))


@pytest.fixture
def finance_wave(org):
    """Sent to Finance only: its 12 writers are shown in every cell from Finance up to the organisation."""
    finance = [org.staff.profile] + [make_staff(org.finance) for _ in range(11)]
    return run_wave(make_pulse(), finance, comment_share=1.0, departments=[org.finance])


def test_sentiment_by_department_where_comments_are_released(org, finance_wave):
    rows = results.sentiment_by_department(finance_wave, [org.finance, org.resources, org.council])
    texts = _texts(finance_wave, [org.finance])
    for row in rows:
        assert not row["hidden"] and row["comments"] == 12 == len(texts)
        assert row["mean"] == sentiment.mean_score(texts)[0]


def test_sentiment_by_department_hides_what_the_release_hides(org, comment_wave):
    departments = [org.council, org.environment, org.waste, org.parks, org.street, org.resources, org.finance]
    rows = {r["department"]: r for r in results.sentiment_by_department(comment_wave, departments)}
    release = selectors.comments_release(comment_wave)
    assert rows[org.street]["hidden"] and isinstance(rows[org.street]["mean"], selectors.Suppressed)
    assert str(rows[org.street]["comments"]) .startswith("fewer than 10 responses")
    for d in departments:
        assert rows[d]["hidden"] == (not release.is_released(f"d{d.pk}")), d
    assert rows[org.council]["comments"] == 39 and not rows[org.council]["hidden"]


def test_sentiment_by_department_leaves_out_hidden_comments(org, finance_wave):
    hidden = Answer.objects.filter(response__wave=finance_wave, question__type=Question.Type.TEXT).exclude(text="").first()
    Answer.objects.filter(pk=hidden.pk).update(hidden=True)
    [row] = results.sentiment_by_department(finance_wave, [org.finance])
    assert row["comments"] == 11


def test_sentiment_by_department_before_closing_is_nothing(org):
    from tests.surveys.test_results_seed import open_wave

    wave = open_wave(make_pulse())
    [row] = results.sentiment_by_department(wave, [org.finance])
    assert row["mean"] is None and row["comments"] is None and row["hidden"]


def test_sentiment_by_department_query_count_is_fixed(org, comment_wave, django_assert_num_queries):
    departments = [org.finance, org.waste, org.environment, org.council, org.resources, org.parks]
    # the comments with their departments (the tree is stored with the release)
    with django_assert_num_queries(1):
        results.sentiment_by_department(comment_wave, departments)


def test_comments_page_themes_come_only_from_its_cell(org, finance_wave, comment_wave):
    page = results.comments_page(finance_wave, org.finance)
    assert page["released"] and page["count"] == 12
    texts = [c["text"] for block in page["questions"] for c in block["comments"]]
    assert page["themes"] == sentiment.themes(texts)
    assert results.comments_page(comment_wave, org.street)["released"] is False
