"""Staff answering: a submit first marks the person's participation (locked row: a double click, second
tab or replay finds it already done), then, in a separate transaction, writes the answer sheet with no
person and no time; if that write fails the participation mark is undone.

The ballot box: an anonymous sheet is held (HeldResponse), and stored as a Response only in a shuffled
batch of at least the minimum group, or with all the others when the wave closes, so neither the order
nor the transaction it was stored in follows who sent it; a wave closes only with its box empty."""

import random

from django.db import transaction

from organisation.models import EqualityData, StaffProfile, User
from surveys.models import Answer, HeldResponse, Participation, Response, Survey, Wave
from surveys.scrub import Scrubber
from surveys.services.rules import EQUALITY_ATTRIBUTES, SEGMENT_ATTRIBUTES, thresholds


class AlreadyResponded(Exception):
    pass


class NotInvited(Exception):
    pass


class WaveNotOpen(Exception):
    pass


def _scrubber() -> Scrubber:
    """Built once per submit from everyone's names and staff numbers (three queries, names distinct)."""
    return Scrubber(first_names=User.objects.values_list("first_name", flat=True).distinct().order_by(),
                    last_names=User.objects.values_list("last_name", flat=True).distinct().order_by(),
                    staff_numbers=StaffProfile.objects.values_list("staff_number", flat=True).order_by())


def response_submit(*, profile: StaffProfile, wave: Wave, answers: dict[int, dict]) -> None:
    """Record one response. `answers` maps question id to {"number": int} / {"choices": [ids]} /
    {"text": str}, already validated by the form. Raises WaveNotOpen, NotInvited or AlreadyResponded.
    An anonymous sheet goes into the ballot box (held_responses_move stores it later); a named one is
    stored at once."""
    if wave.status != Wave.Status.OPEN:
        raise WaveNotOpen
    # 1. Mark participation (its own transaction; the row lock makes a second submit wait, then fail).
    with transaction.atomic():
        part = Participation.objects.select_for_update().filter(wave=wave, profile=profile).first()
        if part is None:
            raise NotInvited
        if part.responded:
            raise AlreadyResponded
        part.responded = True
        part.save(update_fields=["responded"])
    # 2. Write the answer sheet, with no link to the person (anonymous) and no time, in another transaction.
    try:
        _write_response(profile=profile, wave=wave, answers=answers)
    except Exception:
        Participation.objects.filter(pk=part.pk).update(responded=False)
        raise


def _answer_sheet(*, profile: StaffProfile, answers: dict[int, dict]) -> dict:
    """What is kept of a submit: the person's coarse segments and their answers, comments scrubbed."""
    equality = EqualityData.objects.filter(profile=profile).first()
    segments = {"department_id": profile.department_id, **{a: getattr(profile, a) for a in SEGMENT_ATTRIBUTES}}
    if equality is not None:
        segments.update({a: getattr(equality, a) for a in EQUALITY_ATTRIBUTES})
    clean_text = _scrubber() if any("text" in a for a in answers.values()) else None
    return {"segments": segments,
            "answers": [{"question": qid, "number": a.get("number"), "choices": a.get("choices", []),
                         "text": clean_text(a["text"]) if a.get("text") else ""} for qid, a in answers.items()]}


def _store(wave_id: int, sheet: dict, *, profile: StaffProfile | None, anonymous: bool) -> tuple[Response, list[Answer]]:
    """A Response and its Answers from an answer sheet, not yet saved."""
    response = Response(wave_id=wave_id, profile=profile, anonymous=anonymous, **sheet["segments"])
    return response, [Answer(response=response, question_id=a["question"], number=a["number"], choices=a["choices"],
                             text=a["text"]) for a in sheet["answers"]]


def _write_response(*, profile: StaffProfile, wave: Wave, answers: dict[int, dict]) -> None:
    sheet = _answer_sheet(profile=profile, answers=answers)
    with transaction.atomic():
        # Under the wave's lock (wave_close takes it too), so nothing joins the box, or the responses,
        # of a wave that has closed or is closing: its release counts every response exactly once.
        locked = Wave.objects.select_for_update().only("status", "mode", "min_group_size").get(pk=wave.pk)
        if locked.status != Wave.Status.OPEN:
            raise WaveNotOpen
        if locked.mode == Survey.Mode.NAMED:
            # Nothing to hide in a named survey (the response carries the person): stored at once.
            response, rows = _store(locked.pk, sheet, profile=profile, anonymous=False)
            response.save()
            Answer.objects.bulk_create(rows)
            return
        HeldResponse.objects.create(wave_id=locked.pk, sheet=sheet)
        if HeldResponse.objects.filter(wave_id=locked.pk).count() >= _batch_size(locked):
            # robust: if the broker is down, the sheet is already safe in the box and the person gets their
            # thanks, not an error page; beat's sweep stores it later. A lambda, not functools.partial: Django
            # logs a robust callback's failure by its __qualname__, which a partial lacks, so the logging
            # itself raised, the submit failed after its commit and its participation mark was undone.
            wave_id = locked.pk
            transaction.on_commit(lambda: _queue_move(wave_id), robust=True)


def _queue_move(wave_id: int) -> None:
    from surveys import tasks

    tasks.held_responses_move.delay(wave_id)


def _batch_size(wave: Wave) -> int:
    """The fewest held sheets stored together before the wave closes: its minimum group."""
    return wave.min_group_size or thresholds()[0]


def held_responses_move(*, wave_id: int, everything: bool = False) -> int:
    """Empty the wave's ballot box into the response tables, if it holds at least the wave's minimum group
    (or whatever it holds, with `everything`, as the wave closes). The sheets are shuffled, stored and
    deleted from the box in one transaction, so every response in a batch has the same transaction id and
    their physical order is random. Returns how many were moved; running it again moves nothing twice.

    Everything that writes a wave's box (a submit, a sweep, the close) holds the wave's row lock: two
    sweeps at once run one after the other (the second finds the box empty), and the locks are always
    taken in one order (wave, then box), so a sweep and a close cannot deadlock. On SQLite, write
    transactions are IMMEDIATE and run one at a time anyway."""
    with transaction.atomic():
        wave = Wave.objects.select_for_update().filter(pk=wave_id).only("min_group_size").first()
        if wave is None:
            return 0
        sheets = list(HeldResponse.objects.filter(wave_id=wave_id))
        if not sheets or (len(sheets) < _batch_size(wave) and not everything):
            return 0
        random.SystemRandom().shuffle(sheets)
        responses, answers = [], []
        for held_row in sheets:
            response, rows = _store(wave_id, held_row.sheet, profile=None, anonymous=True)
            responses.append(response)
            answers += rows
        Response.objects.bulk_create(responses)
        Answer.objects.bulk_create(answers)
        HeldResponse.objects.filter(pk__in=[h.pk for h in sheets]).delete()
    return len(sheets)


def held_responses_sweep() -> int:
    """Move every wave's held responses that make a batch (run every few minutes by Celery beat, in case a
    move queued after a submit was lost)."""
    wave_ids = HeldResponse.objects.values_list("wave_id", flat=True).distinct().order_by()
    return sum(held_responses_move(wave_id=pk) for pk in list(wave_ids))
