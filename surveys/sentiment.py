"""Sentiment and themes of free-text comments, by word lists a reader can check:

- **Themes** are found by matching a small lexicon (THEMES) of words and short phrases, written as lemmas,
  against the comment's words reduced to lemmas by `lemma()` (plain rules for simple English endings:
  plurals, -ing, -ed, possessives, with a short list of irregular words). A comment may have several
  themes or none. Word lists miss what is said in other words and can mislabel, and the page says so.
- **Sentiment** is VADER's compound score (-1 to 1) with a lexicon adjusted for what staff write about AI
  at work (WORRY_WORDS): in plain VADER "security" is positive, so "Job security. People are talking about
  it in the depot." scored as positive, and "replace us", "cuts" or "redundancies" carried little weight.
  Phrases VADER cannot see as one word ("job security", "replace us") are joined into one token before
  scoring (WORRY_PHRASES), so only the phrase carries the worry, not each word.

Plain functions over texts; they know nothing of cells. Callers pass only the comments of a cell the
wave's comments release has released (surveys.selectors_results), so a theme count or a mean is never
about fewer people than the comment threshold. Measured against a labelled set of comments in
tests/surveys/data/labelled_comments.py (tests/surveys/test_sentiment_agreement.py prints the agreement).
"""

import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache

from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

# VADER's own cut-offs for its compound score (-1 to 1).
POSITIVE_FROM = 0.05
NEGATIVE_TO = -0.05
SENTIMENTS = ["Positive", "Neutral", "Negative"]

# Common English words that carry no meaning of their own (surveys.scrub uses them too: a capitalised
# common word is not a name).
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
# Words; a hyphen or slash splits ("time-saving" is "time saving"), an apostrophe does not ("don't").
_WORD = re.compile(r"[a-z0-9]+(?:'[a-z]+)?", re.IGNORECASE)


# --- Lemmas -------------------------------------------------------------------------------------------------

# Words the rules below would get wrong, and irregular forms the lexicon needs.
IRREGULAR = {
    "people": "person", "staff": "staff", "data": "data", "news": "news", "less": "less", "unless": "unless",
    "process": "process", "access": "access", "business": "business", "bus": "bus", "this": "this",
    "his": "his", "its": "its", "us": "us", "yes": "yes", "always": "always", "sometimes": "sometimes",
    "was": "be", "were": "be", "is": "be", "are": "be", "been": "be", "being": "be", "has": "have",
    "had": "have", "does": "do", "did": "do", "done": "do", "went": "go", "gone": "go", "made": "make",
    "took": "take", "taken": "take", "told": "tell", "felt": "feel", "thought": "think", "lost": "lose",
    "left": "left", "during": "during", "thing": "thing", "nothing": "nothing", "something": "something",
    "anything": "anything", "everything": "everything", "morning": "morning", "evening": "evening",
    "bias": "bias", "biased": "bias", "focus": "focus", "focused": "focus", "focusing": "focus",
    "analysis": "analysis", "basis": "basis", "crisis": "crisis", "gdpr": "gdpr", "it": "it",
    "pasting": "paste", "pasted": "paste", "monitoring": "monitor", "monitored": "monitor",
    "guided": "guide", "guiding": "guide", "needed": "need", "needing": "need", "wasting": "waste",
    "wasted": "waste", "hanging": "hang", "meeting": "meeting", "meetings": "meeting", "planning": "planning", "children": "child", "boring": "boring", "housing": "housing",
    "redundancies": "redundancy", "overstretched": "overstretched", "stretched": "stretched",
    "understaffed": "understaffed", "consuming": "consume", "taught": "teach", "paid": "pay",
}
_VOWELS = set("aeiouy")


def _needs_e(stem: str) -> bool:
    """Whether a stem left by taking off -ing or -ed lost a silent e ("sav" of "saving" is "save")."""
    if stem.endswith(("c", "v", "u", "dg", "rg", "ang", "eng", "at", "iz", "is", "ud", "id")) and not stem.endswith(
            ("eat", "oat", "ait", "oid", "aid")):
        return True
    if stem.endswith(("bl", "pl", "tl", "dl", "gl", "kl", "fl", "zl")):
        return True
    if len(stem) >= 2 and stem[-1] in "rs" and stem[-2] in "aiou" and (len(stem) < 3 or stem[-3] not in _VOWELS):
        return True  # share, require, ignore, lose, close, use
    vowels = sum(ch in _VOWELS for ch in stem)
    # make, take, hope, write, come, time: a short stem with one vowel before its last consonant
    return (len(stem) <= 4 and vowels == 1 and stem[-1] not in _VOWELS | set("wxy")
            and len(stem) >= 2 and stem[-2] in _VOWELS)


def _undouble(stem: str) -> str | None:
    """'cutt' of 'cutting' is 'cut'; 'stopp' is 'stop' (not for -ll, -ss, -zz: 'fill', 'miss')."""
    if len(stem) >= 3 and stem[-1] == stem[-2] and stem[-1] not in _VOWELS | set("lsz"):
        return stem[:-1]
    return None


def lemma(word: str) -> str:
    """The dictionary form of an English word, by rules for simple endings: plurals and third person
    (worries, cuts, processes), -ing and -ed (worrying, worried, cutting, replaced), possessives; a short
    list of irregular words. Not a full lemmatiser: it only needs to give every form of a lexicon word
    the same lemma."""
    w = word.lower().replace("\u2019", "'").rstrip("'")
    if w.endswith("'s"):
        w = w[:-2]
    if w in IRREGULAR:
        return IRREGULAR[w]
    if len(w) <= 3 or not w.isalpha():
        return w
    if w.endswith(("ies", "ied")) and len(w) > 4:
        return w[:-3] + "y"
    if w.endswith("ing") and any(ch in _VOWELS for ch in w[:-3]) and len(w) >= 5:
        stem = w[:-3]
        if stem.endswith("y"):
            return stem
        return _undouble(stem) or (stem + "e" if _needs_e(stem) else stem)
    if w.endswith("ed") and any(ch in _VOWELS for ch in w[:-2]) and not w.endswith("eed"):
        stem = w[:-2]
        if stem.endswith("i"):
            return stem[:-1] + "y"
        return _undouble(stem) or (stem + "e" if _needs_e(stem) else stem)
    if w.endswith(("sses", "ches", "shes", "xes", "zzes")):
        return w[:-2]
    if w.endswith("s") and not w.endswith(("ss", "us", "is", "'s")):
        return w[:-1]
    return w


def lemmas(text: str) -> list[str]:
    """The lemmas of a comment's words, in order (scrub markers left out)."""
    text = _SCRUB_MARKER.sub(" ", text).replace("\u2019", "'")
    return [lemma(w) for w in _WORD.findall(text)]


# --- Themes --------------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Theme:
    slug: str
    label: str
    terms: tuple[str, ...]  # lemmas, or phrases of lemmas separated by spaces, matched as whole words


# What council staff say about AI at work, grouped as a council would discuss it. Each term is written as
# its lemmas (tests/surveys/test_sentiment.py checks that `lemma` leaves every term as written), so
# "worried about my job" matches "job" and "cutting posts" matches "cut post". Broad words that would
# tag every comment ("AI", "tool", "time" on its own) are left out; phrases carry them instead.
THEMES = (
    Theme("job-security", "Job security", (
        "job", "job security", "redundancy", "redundant", "replace us", "replace person", "replace staff",
        "replace by", "replacement", "cut post", "cut job", "job cut", "lose post", "post go", "headcount",
        "restructure", "lose my role", "our role", "my role", "take over", "out of work", "livelihood",
        "unemployment", "staff cut", "cut staff", "fewer staff", "fewer person", "need us", "replace",
        "the cut", "budget cut", "lose staff", "job be safe", "job safe")),
    Theme("workload", "Workload and time", (
        "workload", "no time", "enough time", "save time", "time save", "more time", "less time",
        "spare time", "free up", "time consume", "waste time", "take time", "time to", "busy", "stretched",
        "overstretched", "understaffed", "short staff", "capacity", "cover", "backlog", "paperwork", "admin",
        "form", "copy and paste", "pressure", "overtime", "caseload", "repetitive", "routine", "extra work",
        "more work", "add work", "double work", "stress", "burnout", "hour", "quick", "quicker", "faster",
        "efficient", "productivity", "deadline", "minute", "boring", "tedious", "summarise", "train time",
        "own time", "save me", "save us", "save hour", "save a lot", "flat out")),
    Theme("training", "Training and skills", (
        "train", "learn", "course", "module", "skill", "upskill", "practise",
        "practice", "workshop", "session", "e learn", "video", "show us", "how to use", "teach", "guide",
        "confidence", "confident", "digital skill", "get to grip")),
    Theme("trust-accuracy", "Trust and accuracy", (
        "trust", "accurate", "accuracy", "inaccurate", "wrong", "mistake", "error", "check", "double check",
        "hallucinate", "make up", "make thing up", "reliable", "unreliable", "rely", "blame", "correct",
        "nonsense", "fact", "proofread", "get it wrong", "sound confident", "rubbish")),
    Theme("data-privacy", "Data and privacy", (
        "data", "privacy", "private", "personal information", "personal detail", "confidential",
        "gdpr", "data protection", "sensitive", "data security", "cyber", "leak", "breach",
        "information we put", "where the information go", "case note", "record")),
    Theme("fairness", "Fairness and inclusion", (
        "fair", "fairly", "fairness", "unfair", "unfairly", "bias", "discriminate", "discrimination", "equal",
        "equality", "everyone the same", "not everyone", "left behind", "leave behind", "not online", "digital exclusion",
        "disability", "disable", "accessible", "accessibility", "language", "translation", "translate",
        "dyslexia", "dyslexic")),
    Theme("leadership", "Leadership and communication", (
        "manager", "management", "leadership", "leader", "senior", "director", "explain", "communicate",
        "communication", "consult", "consultation", "listen", "plan", "strategy", "honest", "transparent",
        "transparency", "update", "involve", "nobody ask", "no one ask", "tell us",
        "top down", "union", "brief", "rumour", "shape", "have a say")),
    Theme("tools-access", "Tools and access", (
        "laptop", "tablet", "phone", "device", "computer", "pc", "wifi", "wi fi", "signal", "login", "log in",
        "password", "licence", "license", "access", "system", "software", "copilot", "app", "equipment",
        "kit", "broadband", "connection", "it support", "desktop")),
    Theme("residents", "Residents and services", (
        "resident", "tenant", "customer", "public", "citizen", "service user", "family", "caller", "client",
        "carer", "vulnerable", "person we", "child", "adult", "care", "council tax", "query",
        "enquiry", "repair", "housing")),
    Theme("human-decisions", "People making decisions", (
        "decision", "decide", "human", "judgement", "judgment", "sign off", "final say", "oversight",
        "in the loop", "computer say no", "real person", "accountable", "accountability",
        "speak to a person", "talk to a person", "someone check")),
)
THEMES_BY_SLUG = {t.slug: t for t in THEMES}


# Idioms that use a theme's word for something else ("To be fair, ..." is not about fairness), as lemmas.
IDIOMS = ("to be fair", "in all fairness", "fair enough")


def _term_in(term: str, joined: str) -> bool:
    return f" {term} " in joined


@lru_cache(maxsize=20_000)
def comment_themes(text: str) -> tuple[Theme, ...]:
    """The themes whose terms a comment uses, in THEMES order (none if it uses none)."""
    joined = " " + " ".join(lemmas(text)) + " "
    for idiom in IDIOMS:
        joined = joined.replace(f" {idiom} ", " . ")
    return tuple(t for t in THEMES if any(_term_in(term, joined) for term in t.terms))


def theme_counts(texts: Iterable[str]) -> list[tuple[Theme, int]]:
    """How many comments touch each theme (a comment counts once per theme), most common first; themes no
    comment touches are left out."""
    counts: Counter = Counter()
    for text in texts:
        counts.update(comment_themes(text))
    order = {t: i for i, t in enumerate(THEMES)}
    return sorted(counts.items(), key=lambda tn: (-tn[1], order[tn[0]]))


# --- Sentiment ----------------------------------------------------------------------------------------------

# Words staff use about AI at work, with the VADER valence (-4 to 4) we give them. VADER's own lexicon is
# built from social media, where "security" and "secure" are good news and "replace", "redundancy" or
# "stretched" mean little; here they are worries. Scores sit on VADER's scale: "worried" is -1.2 and
# "worry" -1.9 in VADER, "unfair" -2.1.
WORRY_WORDS = {
    "concerned": -1.5, "concern": -1.3, "concerns": -1.3, "concerning": -1.5, "uneasy": -1.5,
    "apprehensive": -1.5, "wary": -1.2, "sceptical": -1.2, "skeptical": -1.2, "dread": -2.0,
    "replace": -1.5, "replaced": -1.8, "replacing": -1.5, "replacement": -1.2,
    "redundancy": -2.2, "redundancies": -2.2, "redundant": -2.0, "cuts": -1.8, "cutting": -1.2,
    "headcount": -1.0, "restructure": -1.2, "restructuring": -1.2, "stretched": -1.5, "overstretched": -1.8,
    "understaffed": -1.8, "overloaded": -1.8, "exhausted": -1.8, "burnout": -2.2, "rumours": -1.2,
    "rumour": -1.2, "gossip": -1.0, "nobody": -0.8, "inaccurate": -1.5, "unreliable": -1.8,
    "hallucinate": -1.5, "hallucinates": -1.5, "hallucinations": -1.5, "jargon": -0.8, "rushed": -1.2,
    "imposed": -1.2, "deskilled": -1.5, "surveillance": -1.5, "monitored": -1.0, "snooping": -1.5,
    "leak": -1.5, "leaked": -1.8, "breach": -1.8, "biased": -1.8, "excluded": -1.8,
    # The worry phrases below, joined into one token each (WORRY_PHRASES).
    "job_security": -1.8, "replace_us": -2.2, "job_losses": -2.2, "left_behind": -1.8, "cost_cutting": -1.8,
    "lose_jobs": -2.2, "out_of_work": -2.0, "no_cover": -1.5, "no_time": -1.2, "not_enough": -1.0,
    "no_one": -0.8, "dont_want": -0.8, "made_up": -1.5, "should_have_been": -1.0,
    # Words VADER reads as feeling that here are mostly names of services or things: social care, care
    # packages; a shared device or drive; a topic ("fairness") rather than a verdict on it; "treat" as in
    # "treat everyone the same" (VADER's +1.7 is for "a treat").
    "care": 0.0, "shared": 0.0, "fairness": 0.0, "treat": 0.0, "no_comment": 0.0, "would_like": 0.0, "free_tools": 0.0,
    "to_be_fair": 0.0,
    # Dismissive or critical words VADER lacks or reads the other way ("fad" is +0.9 in VADER).
    "fad": -1.0, "gimmick": -1.2, "hype": -0.8, "slow": -1.0,
}
# Phrases VADER sees word by word, joined before scoring so the phrase carries its worry (and "security"
# in "job security" is not read as good news). Matched on lemmas' surface forms, case-insensitively.
WORRY_PHRASES = [
    (re.compile(r"\bjob[\s-]+security\b", re.IGNORECASE), "job_security"),
    (re.compile(r"\b(?:replace|replaces|replacing|replaced)\s+(?:us|me|staff|people|jobs|posts)\b",
                re.IGNORECASE), "replace_us"),
    (re.compile(r"\b(?:job|post)s?\s+(?:losses|cuts|going|disappearing)\b", re.IGNORECASE), "job_losses"),
    # VADER would read "not" as turning the next three words round ("I do not want them left behind"
    # becomes good news): not wanting something is a reluctance here.
    (re.compile(r"\b(?:do\s+not|don't|dont|don\u2019t)\s+want\b", re.IGNORECASE), "dont_want"),
    (re.compile(r"\b(?:lose|lost|losing)\s+(?:our|my|their|your)?\s*(?:jobs?|posts?)\b", re.IGNORECASE),
     "lose_jobs"),
    (re.compile(r"\bleft\s+behind\b", re.IGNORECASE), "left_behind"),
    (re.compile(r"\bcost[\s-]+cutting\b", re.IGNORECASE), "cost_cutting"),
    (re.compile(r"\bout\s+of\s+(?:a\s+)?(?:work|job)\b", re.IGNORECASE), "out_of_work"),
    (re.compile(r"\bno\s+cover\b", re.IGNORECASE), "no_cover"),
    (re.compile(r"\bno\s+time\b", re.IGNORECASE), "no_time"),
    (re.compile(r"\bnot\s+enough\b", re.IGNORECASE), "not_enough"),
    (re.compile(r"\bno\s+one\b", re.IGNORECASE), "no_one"),
    (re.compile(r"\b(?:made|makes|make|making)\s+(?:things\s+|stuff\s+)?up\b", re.IGNORECASE), "made_up"),
    (re.compile(r"\bshould\s+have\s+been\b", re.IGNORECASE), "should_have_been"),
    (re.compile(r"\bno\s+comments?\b", re.IGNORECASE), "no_comment"),
    (re.compile(r"\b(?:would|i'd|we'd)\s+like\b", re.IGNORECASE), "would_like"),
    (re.compile(r"\bfree\s+(?:tools?|versions?|apps?|accounts?)\b", re.IGNORECASE), "free_tools"),
    (re.compile(r"\b(?:to\s+be\s+fair|in\s+all\s+fairness|fair\s+enough)\b", re.IGNORECASE), "to_be_fair"),
]


@lru_cache(maxsize=1)
def _analyser() -> SentimentIntensityAnalyzer:
    analyser = SentimentIntensityAnalyzer()  # loads its own copy of the lexicon, once per process
    analyser.lexicon.update(WORRY_WORDS)
    return analyser


def _with_phrases_joined(text: str) -> str:
    for pattern, token in WORRY_PHRASES:
        text = pattern.sub(token, text)
    return text


@lru_cache(maxsize=20_000)
def score(text: str) -> float:
    """The compound score of a comment by VADER with the worry words of this domain: -1 (most negative)
    to 1 (most positive)."""
    return round(_analyser().polarity_scores(_with_phrases_joined(text))["compound"], 3)


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
