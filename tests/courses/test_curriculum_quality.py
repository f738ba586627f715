"""Knowledge checks a learner cannot pass blind: the shipped curriculum's right answers must not sit
in one position, be the longest option, or (pick-all) always have the same number, more often than
chance allows (courses.curriculum_quality). The checker itself is tested on made-up questions, so it
is known to flag a biased set and to pass a fair one."""

import itertools
import random
import textwrap

import pytest
from django.conf import settings
from django.core.management import call_command

from courses.curriculum import module_folders, parse_module
from courses.curriculum_quality import answer_pattern_warnings, at_least
from tests.courses.conftest import write_small_module


def shipped_questions() -> list[dict]:
    questions = []
    for folder in module_folders(settings.BASE_DIR / "curriculum"):
        module, _ = parse_module(folder, known_values=set())  # values are not what is checked here
        questions += [q for lesson in module.lessons for q in lesson.questions]
    return questions


def test_the_shipped_checks_cannot_be_passed_blind():
    questions = shipped_questions()
    assert len(questions) > 50
    assert answer_pattern_warnings(questions) == []


def single(right: int, texts: list[str]) -> dict:
    return {"type": "single", "options": [{"text": t, "correct": i == right} for i, t in enumerate(texts)]}


def pick_all(right: int, of: int) -> dict:
    return {"type": "multiple", "options": [{"text": f"Option {i}", "correct": i < right} for i in range(of)]}


def test_the_right_answer_always_first_is_flagged():
    questions = [single(0, ["Alpha", "Bravo", "Chaos", "Delta"]) for _ in range(12)]
    warnings = answer_pattern_warnings(questions)
    assert any(w.startswith("The right answer is option 1 in 12 of 12") for w in warnings), warnings


def test_the_right_answer_always_last_is_flagged_when_the_numbers_of_options_differ():
    questions = [single(n - 1, [f"Same{i}" for i in range(n)]) for n in (2, 3, 4, 5) * 4]
    warnings = answer_pattern_warnings(questions)
    assert any(w.startswith("The right answer is the last option in 16 of 16") for w in warnings), warnings


def test_the_right_answer_always_longest_is_flagged_wherever_it_is():
    questions = [single(i % 4, ["The much longer right answer" if j == i % 4 else "Short" for j in range(4)])
                 for i in range(12)]
    assert answer_pattern_warnings(questions) == [
        "The right answer is the longest option in 12 of 12 single-answer questions (about 3 by chance; p = 6e-08)."]


def test_a_fair_set_is_not_flagged():
    """Every position equally often, lengths unrelated to rightness, pick-alls of different shapes."""
    rng = random.Random(16)
    questions = []
    for i in range(40):
        texts = [" ".join(["word"] * rng.randint(3, 12)) for _ in range(4)]
        questions.append(single(i % 4, texts))
    questions += [pick_all(right, 4) for right in (1, 2, 3, 4, 2, 1)]
    assert answer_pattern_warnings(questions) == []


def test_a_few_coincidences_are_not_flagged():
    """Five of 12 four-option questions right first happens by chance about 1 time in 6: not flagged."""
    questions = [single(0 if i < 5 else 1 + i % 3, ["Alpha", "Bravo", "Chaos", "Delta"]) for i in range(12)]
    assert answer_pattern_warnings(questions) == []


@pytest.mark.parametrize(("shapes", "expected"), [
    ([(3, 4)] * 5, "Every one of the 5 pick-all questions has 3 right options: vary the number."),
    ([(3, 4)] * 34 + [(2, 4)] * 6, "34 of the 40 pick-all questions have 3 right options of 4: vary the number."),
    ([(3, 4)] * 3 + [(2, 4)] * 2, None),
    ([(3, 4)] * 2, None),  # too few to judge
])
def test_pick_all_questions_of_one_shape_are_flagged(shapes, expected):
    warnings = answer_pattern_warnings([pick_all(right, of) for right, of in shapes])
    assert warnings == ([expected] if expected else [])


def test_the_exact_tail_matches_a_binomial_one():
    from math import comb

    for n, k in itertools.product((1, 5, 12), range(0, 13)):
        if k <= n:
            assert at_least([0.25] * n, k) == pytest.approx(
                sum(comb(n, i) * 0.25**i * 0.75 ** (n - i) for i in range(k, n + 1)))


def test_the_loader_command_warns_and_still_loads(db, tmp_path, capsys):
    folder = write_small_module(tmp_path)
    for number in range(4, 9):  # five more lessons whose right answer is first and longest
        (folder / f"0{number}-extra-{number}.md").write_text(textwrap.dedent(f"""\
            ---
            title: Extra {number}
            minutes: 2
            check:
              - question: Which is right?
                options:
                  - text: The right answer, which is long
                    correct: true
                    explanation: Because.
                  - text: Wrong
                    correct: false
                    explanation: Because not.
                  - text: Also wrong
                    correct: false
                    explanation: Because not.
            ---
            Text.
            """), encoding="utf-8")
    call_command("load_curriculum", str(folder))
    out, err = capsys.readouterr()
    assert "1 new" in out
    assert "warning: The right answer is the longest option in" in err
