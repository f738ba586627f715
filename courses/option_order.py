"""The order a knowledge check's options are shown in: shuffled per learner, question and attempt.

Authors write the right answer anywhere (often first), so options are never shown in authored order.
The order comes from a keyed hash (HMAC with SECRET_KEY) of the learner, the question and the attempt
number, so a reload shows the same order without storing it, a new attempt shows a new one, and
nobody can predict another learner's order. The order shown is recorded with the answers
(CheckAttempt.answers) when they are sent. Answers are checked by option id, never by position.
"""

import random

from django.utils.crypto import salted_hmac


def option_order(*, learner_id: int, question_id: int, attempt: int, option_ids: list[int]) -> list[int]:
    """`option_ids` in authored order, shuffled for this learner, question and attempt."""
    digest = salted_hmac("courses.option_order", f"{learner_id}:{question_id}:{attempt}", algorithm="sha256").digest()
    shuffled = list(option_ids)
    random.Random(int.from_bytes(digest[:16], "big")).shuffle(shuffled)  # noqa: S311 -- not for security
    return shuffled
