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


def test_worries_of_this_domain_are_negative():
    """Plain VADER reads "security" as good news; here job security is a worry."""
    for text in ["Job security. People are talking about it in the depot.",
                 "Will it replace us?", "With all the cuts I expect redundancies.",
                 "We are stretched already and there is no cover."]:
        assert sentiment.label(sentiment.score(text)) == "Negative", text
    assert sentiment.label(sentiment.score("A person must always make the final decision on care packages.")) == "Neutral"


@pytest.mark.parametrize(("word", "expected"), [
    ("worries", "worry"), ("worried", "worry"), ("worrying", "worry"), ("cuts", "cut"), ("cutting", "cut"),
    ("replaced", "replace"), ("replacing", "replace"), ("training", "train"), ("jobs", "job"),
    ("saving", "save"), ("using", "use"), ("used", "use"), ("planned", "plan"), ("changes", "change"),
    ("processes", "process"), ("decided", "decide"), ("involved", "involve"), ("updated", "update"),
    ("families", "family"), ("people", "person"), ("children", "child"), ("residents'", "resident"),
    ("council’s", "council"), ("staff", "staff"), ("data", "data"), ("us", "us"), ("access", "access"),
    ("planning", "planning"), ("need", "need"), ("avoided", "avoid"), ("thing", "thing"), ("bring", "bring"),
])
def test_lemma_of_simple_english_endings(word, expected):
    assert sentiment.lemma(word) == expected


def test_every_lexicon_term_is_written_as_its_lemmas():
    """Terms are matched against lemmas, so a term not in lemma form could never match."""
    for theme in sentiment.THEMES:
        for term in theme.terms:
            assert " ".join(sentiment.lemma(w) for w in term.split()) == term, (theme.slug, term)
    assert len({t.slug for t in sentiment.THEMES}) == len(sentiment.THEMES)


def _slugs(text):
    return [t.slug for t in sentiment.comment_themes(text)]


def test_themes_match_inflected_words_and_phrases():
    assert _slugs("They keep cutting posts.") == ["job-security"]
    assert _slugs("Worried they will replace us.") == ["job-security"]
    assert _slugs("I have been trained twice and still don't get it.") == ["training"]
    assert _slugs("Our data security is my concern.") == ["data-privacy"]  # not job security
    assert _slugs("Tablets in the depot have no signal.") == ["tools-access"]
    assert _slugs("Not sure yet.") == []


def test_idioms_are_not_themes():
    assert _slugs("To be fair, the session was clear.") == ["training"]
    assert _slugs("Fair enough.") == []
    assert sentiment.score("To be fair, the session was clear.") == sentiment.score("The session was clear.")


def test_themes_match_whole_words_only():
    assert _slugs("The platform is fine.") == []  # "form" is not in "platform"
    assert _slugs("Ask [name removed] in planning.") == []  # planning is a service, not a plan; markers ignored


def test_theme_counts_count_a_comment_once_per_theme_most_common_first():
    texts = ["job job job security", "Training time, and my job.", "More training please.", "Nothing."]
    counts = [(t.slug, n) for t, n in sentiment.theme_counts(texts)]
    assert counts == [("job-security", 2), ("training", 2), ("workload", 1)]


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
    texts = [c["text"] for c in page["comments"]]
    assert page["themes"] == sentiment.theme_counts(texts)
    assert sum(n for _, n in page["tones"]) == 12
    assert results.comments_page(comment_wave, org.street)["released"] is False


def test_comments_page_filters_by_theme_and_sentiment(org, finance_wave):
    everything = results.comments_page(finance_wave, org.finance)["comments"]
    page = results.comments_page(finance_wave, org.finance, theme="job-security", tone="Negative")
    assert page["comments"] and page["count"] == 12  # counts are of the whole cell, not the filtered list
    assert all(c["label"] == "Negative" and "job-security" in {t.slug for t in c["themes"]} for c in page["comments"])
    assert len(page["comments"]) == sum(1 for c in everything if c["label"] == "Negative"
                                         and "job-security" in {t.slug for t in c["themes"]})


def test_comment_order_is_fixed_by_the_seed_and_differs_between_seeds(org, finance_wave):
    def ids(seed):
        return [c["id"] for c in results.comments_page(finance_wave, org.finance, order_seed=seed)["comments"]]
    assert ids("a") == ids("a")
    assert len({tuple(ids(str(i))) for i in range(5)}) > 1
