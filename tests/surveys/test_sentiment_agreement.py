"""How far the word lists (surveys.sentiment) agree with comments labelled by hand
(tests/surveys/data/labelled_comments.py). Run with -s to see the figures:

    pytest tests/surveys/test_sentiment_agreement.py -s

The thresholds are set just under what was measured, so a change to the lexicon that makes agreement
worse fails; LABELLED was used to tune the lexicon, HELD_OUT was not (its figures are the honest ones).
"""

from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

from surveys import sentiment
from tests.surveys.data.labelled_comments import HELD_OUT, LABELLED


def agreement(rows) -> dict:
    plain = SentimentIntensityAnalyzer()
    tone = plain_tone = 0
    per_theme = {t.slug: {"tp": 0, "fp": 0, "fn": 0} for t in sentiment.THEMES}
    for text, themes, label in rows:
        tone += sentiment.label(sentiment.score(text)) == label
        plain_tone += sentiment.label(plain.polarity_scores(text)["compound"]) == label
        found = {t.slug for t in sentiment.comment_themes(text)}
        for slug, c in per_theme.items():
            c["tp"] += slug in found and slug in themes
            c["fp"] += slug in found and slug not in themes
            c["fn"] += slug not in found and slug in themes
    tp, fp, fn = (sum(c[k] for c in per_theme.values()) for k in ("tp", "fp", "fn"))
    return {"n": len(rows), "sentiment": tone / len(rows), "plain_vader": plain_tone / len(rows),
            "precision": tp / (tp + fp), "recall": tp / (tp + fn), "per_theme": per_theme}


def report(name, a) -> None:
    print(f"\n{name}: {a['n']} comments; sentiment agreement {a['sentiment']:.2f} (plain VADER "
          f"{a['plain_vader']:.2f}); themes precision {a['precision']:.2f}, recall {a['recall']:.2f}")
    for slug, c in a["per_theme"].items():
        p = c["tp"] / (c["tp"] + c["fp"]) if c["tp"] + c["fp"] else float("nan")
        r = c["tp"] / (c["tp"] + c["fn"]) if c["tp"] + c["fn"] else float("nan")
        print(f"  {slug:<16} precision {p:.2f}  recall {r:.2f}  (labelled {c['tp'] + c['fn']})")


def test_the_labelled_set_covers_every_theme_and_sentiment():
    rows = LABELLED + HELD_OUT
    assert len(rows) >= 60
    slugs = {t.slug for t in sentiment.THEMES}
    assert all(themes <= slugs for _, themes, _ in rows)
    assert {s for _, themes, _ in LABELLED for s in themes} == slugs
    assert {label for _, _, label in LABELLED} == set(sentiment.SENTIMENTS)
    assert len({text for text, _, _ in rows}) == len(rows)


def test_agreement_on_the_comments_used_to_tune_the_lexicon():
    a = agreement(LABELLED)
    report("Tuning set", a)
    assert a["sentiment"] >= 0.7 and a["sentiment"] > a["plain_vader"]
    assert a["precision"] >= 0.9 and a["recall"] >= 0.9


def test_agreement_on_comments_written_after_tuning():
    a = agreement(HELD_OUT)
    report("Held out", a)
    assert a["sentiment"] >= 0.45
    assert a["precision"] >= 0.85 and a["recall"] >= 0.6
