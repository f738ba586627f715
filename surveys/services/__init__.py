"""Writes for surveys, a module for each kind of work: `editing` (HR creating and changing surveys),
`running` (waves opening and closing, on time or by hand), `answering` (staff submitting, and the ballot
box), `comments` (HR hiding a comment), and `rules` (what a survey and a wave must satisfy, shared by
them). Every public name is importable from here, as `from surveys import services` callers expect.

The anonymity rules these keep (DESIGN.md):
- mode and thresholds are copied onto a wave when it opens and never change after; a survey's mode is
  fixed once any of its waves has opened;
- in an anonymous survey only free-text questions may be optional, so every figure counts the same
  people and none can be differenced across questions;
- a submit first marks the person's participation (locked row: a double click, second tab or replay
  finds it already done), then, in a separate transaction, writes the answer sheet with no person and
  no time; if that write fails the participation mark is undone;
- the ballot box: an anonymous sheet is held (HeldResponse), and stored as a Response only in a shuffled
  batch of at least the minimum group, or with all the others when the wave closes, so neither the order
  nor the transaction it was stored in follows who sent it; a wave closes only with its box empty;
- which cells may be shown is decided once, when the wave closes (surveys.suppression).
"""

from surveys.services.answering import (  # noqa: F401
    AlreadyResponded,
    NotInvited,
    WaveNotOpen,
    held_responses_move,
    held_responses_sweep,
    response_submit,
)
from surveys.services.comments import (  # noqa: F401
    comment_hide,
)
from surveys.services.editing import (  # noqa: F401
    CHOICE_MAX_LENGTH,
    MAX_CHOICES,
    EditGone,
    EditRefused,
    QuestionsLocked,
    SurveyInUse,
    choice_ids,
    question_add,
    question_change,
    question_errors,
    question_move,
    question_remove,
    section_add,
    section_change,
    section_move,
    section_remove,
    survey_copy,
    survey_create,
    survey_create_from_template,
    survey_delete,
    survey_settings_update,
)
from surveys.services.rules import (  # noqa: F401
    CHOICE_TYPES,
    EQUALITY_ATTRIBUTES,
    SEGMENT_ATTRIBUTES,
    optional_not_text,
    survey_check,
    survey_mode_locked,
    survey_problems,
    thresholds,
)
from surveys.services.running import (  # noqa: F401
    WaveNotReady,
    participation_for,
    release_compute,
    staff_population,
    wave_attributes,
    wave_cancel,
    wave_close,
    wave_close_now,
    wave_open,
    wave_open_now,
    wave_population,
    wave_reschedule,
    wave_schedule,
    waves_tick,
)
