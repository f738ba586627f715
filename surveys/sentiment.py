"""Sentiment and themes of free-text comments: a VADER score per comment and the two-word phrases many
comments share ("job security", "training time").

Plain functions over texts; they know nothing of cells. Callers pass only the comments of a cell the
wave's comments release has released (surveys.selectors_results), so a theme or a mean is never about
fewer people than the comment threshold.
"""

import re
from collections import Counter
from collections.abc import Iterable
from functools import lru_cache

from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

# VADER's own cut-offs for its compound score (-1 to 1).
POSITIVE_FROM = 0.05
NEGATIVE_TO = -0.05

# Common English words that carry no theme, plus words staff use to frame a comment ("I think",
# "a lot of", "more ...") that would otherwise pair with every subject.
_STOP_WORDS = """
a about above after again against all also am an and any are aren't as at be because been before being
below between both but by can can't cannot could couldn't did didn't do does doesn't doing don't down
during each even ever every few for from further get gets getting give given go going got had hadn't has
hasn't have haven't having he he'd he'll he's her here here's hers herself him himself his how how's i
i'd i'll i'm i've if in into is isn't it it's its itself just know let's like lot lots make makes many
may me might more most much must mustn't my myself need needs no nor not now of off often on once one
only or other others ought our ours ourselves out over own please quite rather really same say see
shan't she she'd she'll she's should shouldn't so some something such than that that's the their
theirs them themselves then there there's these they they'd they'll they're they've thing things think
this those though through to too under until up upon us use used using very want was wasn't way we
we'd we'll we're we've well were weren't what what's when when's where where's whether which while
who who's whom why why's will with won't would wouldn't yes yet you you'd you'll you're you've your
yours yourself yourselves
"""
STOP_WORDS = frozenset(_STOP_WORDS.split())

# The markers surveys.scrub leaves in place of names, emails, phone numbers and staff numbers.
_SCRUB_MARKER = re.compile(r"\[[a-z ]+ removed\]", re.IGNORECASE)
_WORD = re.compile(r"[a-z][a-z'\u2019-]*[a-z]|[a-z]", re.IGNORECASE)
# Punctuation ends a phrase: "training, time" is not "training time".
_CLAUSE = re.compile(r"[.,;:!?()\[\]\"\u201c\u201d/\n]+|\s[-\u2013\u2014]+\s")


@lru_cache(maxsize=1)
def _analyser() -> SentimentIntensityAnalyzer:
    return SentimentIntensityAnalyzer()  # loads its lexicon once per process


@lru_cache(maxsize=20_000)
def score(text: str) -> float:
    """VADER's compound score for a comment: -1 (most negative) to 1 (most positive)."""
    return round(_analyser().polarity_scores(text)["compound"], 3)


def label(compound: float) -> str:
    if compound >= POSITIVE_FROM:
        return "Positive"
    if compound <= NEGATIVE_TO:
        return "Negative"
    return "Neutral"


def mean_score(texts: Iterable[str]) -> tuple[float | None, int]:
    """(mean compound score, number of comments); the mean is None when there are none."""
    scores = [score(t) for t in texts if t.strip()]
    if not scores:
        return None, 0
    return round(sum(scores) / len(scores), 3), len(scores)


def _phrases(text: str) -> set[str]:
    """The two-word phrases in a comment: neighbouring words with no stop word or punctuation between."""
    found = set()
    text = _SCRUB_MARKER.sub(".", text)
    for clause in _CLAUSE.split(text):
        run: list[str] = []
        for word in _WORD.findall(clause.lower().replace("\u2019", "'")):
            if word in STOP_WORDS or len(word) < 2:
                run = []
                continue
            if run and run[-1] != word:
                found.add(f"{run[-1]} {word}")
            run.append(word)
    return found


def themes(texts: Iterable[str], *, top: int = 10, min_comments: int = 2) -> list[tuple[str, int]]:
    """The two-word phrases most comments share, with how many comments use each (a comment counts once
    however often it repeats a phrase), most common first; phrases in fewer than `min_comments` comments
    are left out."""
    counts: Counter = Counter()
    for text in texts:
        counts.update(_phrases(text))
    common = [(p, n) for p, n in counts.items() if n >= min_comments]
    common.sort(key=lambda pn: (-pn[1], pn[0]))
    return common[:top]
