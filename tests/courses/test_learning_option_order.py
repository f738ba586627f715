"""Knowledge-check options are shown in an order shuffled per learner and attempt: the same on a
reload, new at the next attempt, recorded with the answers as the learner saw them, and never
predictable from the authored order. Answers are still checked by option id."""

import re
from collections import Counter

import pytest

from courses.curriculum import load_curriculum
from courses.models import CheckAttempt, QuestionAnswer
from courses.option_order import option_order
from tests.clients import Client
from tests.courses.conftest import (
    answers_for,
    enrolment_of,
    fresh_token,
    lesson_url,
    lessons,
    start,
    submit,
    write_small_module,
)


@pytest.fixture
def started(client, org, small_module):
    client.force_login(org.staff)
    start(client, small_module)
    return enrolment_of(org.staff, small_module)


def shown(client, lesson) -> tuple[dict[int, list[int]], str]:
    """The option ids of each question in the order the page shows them, and the page's token."""
    page = client.get(lesson_url(lesson)).content.decode()
    order: dict[int, list[int]] = {}
    for question, option in re.findall(r'name="question-(\d+)" type="\w+" value="(\d+)"', page):
        order.setdefault(int(question), []).append(int(option))
    return order, re.search(r'name="token" value="([^"]+)"', page).group(1)


def test_the_order_is_the_same_on_a_reload_and_is_recorded_with_the_answers(client, small_module, started):
    second = lessons(small_module)[1]
    order, token = shown(client, second)
    again, _ = shown(client, second)
    assert order == again
    for question in second.questions.all():
        assert sorted(order[question.pk]) == sorted(question.options.values_list("pk", flat=True))
    submit(client, second, answers_for(second), token=token)
    attempt = CheckAttempt.objects.get(enrolment=started, lesson=second)
    assert attempt.number == 1
    assert {row["question"]: row["shown"] for row in attempt.answers} == order
    assert all(row["correct"] and row["try"] == 1 for row in attempt.answers)


def test_each_attempt_gets_a_new_order(client, small_module, started):
    second = lessons(small_module)[1]
    single = second.questions.get(type="single")
    orders = []
    for _ in range(6):
        order, token = shown(client, second)
        orders.append(tuple(order[single.pk]))
        submit(client, second, answers_for(second), token=token)
    assert len(set(orders)) > 1  # six attempts at three options all alike: about 1 in 7,800
    recorded = [tuple(next(r["shown"] for r in a.answers if r["question"] == single.pk))
                for a in CheckAttempt.objects.filter(enrolment=started, lesson=second).order_by("number")]
    assert recorded == orders


def test_two_tabs_record_the_order_each_one_showed(client, small_module, started):
    """Both tabs were opened before either was sent: the second one sent is attempt 2 but showed
    attempt 1's order, and that is what is recorded."""
    second = lessons(small_module)[1]
    order_a, token_a = shown(client, second)
    order_b, token_b = shown(client, second)
    assert order_a == order_b
    submit(client, second, answers_for(second), token=token_a)
    submit(client, second, answers_for(second, right=False), token=token_b)
    later = CheckAttempt.objects.get(enrolment=started, lesson=second, number=2)
    assert {row["question"]: row["shown"] for row in later.answers} == order_b
    assert [row["try"] for row in later.answers] == [2, 2]


def test_a_token_shown_for_another_lesson_is_refused(client, small_module, started):
    first, second, _ = lessons(small_module)
    token = fresh_token(client, first)
    response = submit(client, second, answers_for(second), token=token)
    assert response.status_code == 400
    assert not QuestionAnswer.objects.exists() and not CheckAttempt.objects.exists()


def test_learners_see_different_orders(client, org, small_module, started):
    second = lessons(small_module)[1]
    orders = set()
    for user in (org.staff, org.frontline, org.env_manager, org.hr, org.author):
        other = Client()
        other.force_login(user)
        start(other, small_module)
        order, _ = shown(other, second)
        orders.add(tuple(tuple(ids) for ids in order.values()))
    assert len(orders) > 1


def test_the_right_answer_lands_in_every_position_about_equally():
    """Authors tend to put the right answer first: over many learners it is first, second or third
    about a third of the time each (600 draws: 200 expected, a standard deviation of about 12)."""
    positions = Counter(
        option_order(learner_id=learner, question_id=42, attempt=1, option_ids=[7, 8, 9]).index(7)
        for learner in range(600))
    assert set(positions) == {0, 1, 2}
    assert all(150 <= n <= 250 for n in positions.values()), positions
    assert option_order(learner_id=5, question_id=42, attempt=1, option_ids=[7, 8, 9]) == \
        option_order(learner_id=5, question_id=42, attempt=1, option_ids=[7, 8, 9])


def test_showing_options_in_another_order_does_not_change_the_module_version(client, small_module, started, tmp_path):
    second = lessons(small_module)[1]
    submit(client, second, answers_for(second))
    version = small_module.version
    report = load_curriculum(write_small_module(tmp_path / "again"))
    small_module.refresh_from_db()
    assert report.unchanged == [small_module.slug] and small_module.version == version
    assert list(second.questions.get(type="single").options.values_list("order", flat=True)) == [0, 1, 2]


def test_feedback_lists_the_options_in_the_order_the_learner_saw_them(client, small_module, started):
    second = lessons(small_module)[1]
    multiple = second.questions.get(type="multiple")
    texts = dict(multiple.options.values_list("pk", "text"))
    plain = multiple.options.get(correct=False)
    answers = {**answers_for(second), f"question-{multiple.pk}": [str(plain.pk)]}
    submit(client, second, answers)
    order, token = shown(client, second)
    page = submit(client, second, answers, token=token).content.decode()  # the second try: all three listed
    listed = [text for text in re.findall(r"</strong> ([^<]+)</p>", page) if text in texts.values()]
    assert listed == [texts[pk] for pk in order[multiple.pk]]
