"""Clues that give a knowledge check's answers away, found across a whole curriculum.

Options are shown shuffled (courses.option_order), but an author's habits still show: the right
answer written first (which the authoring preview and any printout still show), the right answer
the longest option, or pick-all questions that always have the same number of right options (so
"tick all but the odd one out" passes). Each habit is tested against chance:

- for single-answer questions, the number whose right answer sits at a given position (counted from
  the start and from the end) and the number whose right answer is the longest option, each against
  the chance of 1 in the question's number of options; the count is flagged when a count that high
  or higher has a chance below ALPHA (an exact one-sided test over questions with different numbers
  of options: a Poisson binomial distribution);
- for pick-all questions (at least three of them), flagged when every one has the same number of
  right options, or when more than SAME_SHAPE_SHARE of them share one shape (say 3 right of 4).

Pure functions over the parsed questions (courses.curriculum.ParsedLesson.questions): the loader
reports these as warnings, and a test holds the shipped curriculum to them.
"""

from collections import Counter
from collections.abc import Iterable

ALPHA = 0.01
SAME_SHAPE_SHARE = 0.75


def at_least(probabilities: list[float], observed: int) -> float:
    """P(X >= observed) where X is the number of successes of independent trials with these chances."""
    distribution = [1.0]
    for p in probabilities:
        following = [0.0] * (len(distribution) + 1)
        for successes, chance in enumerate(distribution):
            following[successes] += chance * (1 - p)
            following[successes + 1] += chance * p
        distribution = following
    return min(1.0, sum(distribution[observed:]))


def _ordinal(position: int) -> str:
    if position >= 0:
        return f"option {position + 1}"
    return "the last option"


def answer_pattern_warnings(questions: Iterable[dict]) -> list[str]:
    """Warnings (sentences) about answers that can be guessed without reading. `questions` are dicts
    as in the curriculum files: {"type": "single"|"multiple", "options": [{"text", "correct"}, ...]}."""
    questions = list(questions)
    single = [q for q in questions if q.get("type", "single") == "single"]
    multiple = [q for q in questions if q.get("type") == "multiple"]
    warnings = []
    if single:
        sizes = [len(q["options"]) for q in single]
        right = [next(i for i, o in enumerate(q["options"]) if o["correct"]) for q in single]
        # From the end too ("the last option"), when the numbers of options differ (else it is the same test).
        for position in [*range(max(sizes)), *([-1] if len(set(sizes)) > 1 else [])]:
            chances = [1 / n if -n <= position < n else 0.0 for n in sizes]
            hits = sum(position in (r, r - n) for r, n in zip(right, sizes, strict=True))
            expected = sum(chances)
            p = at_least(chances, hits)
            if hits > expected and p < ALPHA:
                warnings.append(f"The right answer is {_ordinal(position)} in {hits} of {len(single)} single-answer "
                                f"questions (about {expected:.0f} by chance; p = {p:.2g}).")
        longest = sum(_right_is_longest(q) for q in single)
        chances = [1 / n for n in sizes]
        p = at_least(chances, longest)
        if longest > sum(chances) and p < ALPHA:
            warnings.append(f"The right answer is the longest option in {longest} of {len(single)} single-answer "
                            f"questions (about {sum(chances):.0f} by chance; p = {p:.2g}).")
    if len(multiple) >= 3:
        counts = Counter(sum(o["correct"] for o in q["options"]) for q in multiple)
        shapes = Counter((sum(o["correct"] for o in q["options"]), len(q["options"])) for q in multiple)
        (right, size), most = shapes.most_common(1)[0]
        if len(counts) == 1:
            warnings.append(f"Every one of the {len(multiple)} pick-all questions has {right} right options: "
                            "vary the number.")
        elif most > SAME_SHAPE_SHARE * len(multiple):
            warnings.append(f"{most} of the {len(multiple)} pick-all questions have {right} right options of {size}: "
                            "vary the number.")
    return warnings


def _right_is_longest(question: dict) -> bool:
    lengths = [len(" ".join(o["text"].split())) for o in question["options"]]
    right = next(i for i, o in enumerate(question["options"]) if o["correct"])
    return all(length < lengths[right] for i, length in enumerate(lengths) if i != right)
