"""The shipped knowledge checks cannot be passed blind: the right answer is not given away by where it is
written or by being the longest (or shortest) option, and pick-all questions do not always have the same
number of right options. The limits are about two and a half standard deviations above chance for the
number of questions shipped, so an honest rewrite passes and a habit (always first, always longest) fails."""

from collections import Counter
from pathlib import Path

from django.conf import settings

from courses.curriculum import module_folders, parse_module

SHIPPED = Path(settings.BASE_DIR) / "curriculum"
MOST = 0.40  # the largest share of single-answer questions any one position or length rank may take


def shipped_questions():
    questions = []
    for folder in module_folders(SHIPPED):
        module, errors = parse_module(folder, known_values=set())
        assert not errors, errors
        for lesson in module.lessons:
            questions += [(f"{module.slug}/{lesson.slug}", q) for q in lesson.questions]
    return questions


def single_answers():
    singles = [(where, q["options"]) for where, q in shipped_questions() if q.get("type", "single") == "single"]
    assert len(singles) >= 20
    return singles


def test_the_right_answer_is_not_usually_in_one_place():
    singles = single_answers()
    positions = Counter(next(i for i, o in enumerate(options) if o["correct"]) for _, options in singles)
    for position, count in positions.items():
        assert count <= MOST * len(singles), f"option {position + 1} is right in {count} of {len(singles)}"


def test_the_right_answer_is_not_given_away_by_its_length():
    singles = single_answers()
    longest = shortest = 0
    for _, options in singles:
        lengths = [len(o["text"]) for o in options]
        right = len(next(o["text"] for o in options if o["correct"]))
        longest += right == max(lengths)
        shortest += right == min(lengths)
    assert longest <= MOST * len(singles), f"the right answer is the longest in {longest} of {len(singles)}"
    assert shortest <= MOST * len(singles), f"the right answer is the shortest in {shortest} of {len(singles)}"
    # Never longest is a giveaway too: a learner could rule the longest option out.
    assert longest >= 0.10 * len(singles), f"the right answer is the longest in only {longest} of {len(singles)}"


def test_pick_all_questions_vary_in_how_many_options_are_right():
    counts = Counter(sum(o["correct"] for o in q["options"])
                     for _, q in shipped_questions() if q.get("type") == "multiple")
    total = sum(counts.values())
    assert total >= 10
    assert len(counts) >= 3, f"pick-all questions have only {sorted(counts)} right options"
    assert max(counts.values()) <= 0.5 * total, f"number right per pick-all question: {dict(counts)}"
    assert counts[1] >= 1, "no pick-all question has just one right option"
