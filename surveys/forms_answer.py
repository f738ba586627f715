"""The answer sheet for one survey, built from its questions: one field per question (`q<id>`), validated
exactly as `surveys.services.response_submit` expects its `answers`:

- agree5: 1-5; scale10: 0-10; anything else (or a missing required answer) is a field error;
- single / multiple: only that question's own choice ids (an id from another question is an error), and a
  choice whose text starts "None of these" cannot be ticked with any other;
- text: at most the question's `max_length` characters, counted as the page's character count does (a
  line break is one character), and only sent when something was written.

Unanswered optional questions are left out of the answers (anonymous surveys have only optional text).
"""

from dataclasses import dataclass, field

from django import forms

from surveys.models import Question, Section

AGREE5_CHOICES = [
    (1, "Strongly disagree"),
    (2, "Disagree"),
    (3, "Neither agree nor disagree"),
    (4, "Agree"),
    (5, "Strongly agree"),
]
SCALE10_CHOICES = [(n, f"{n} (lowest)" if n == 0 else f"{n} (highest)" if n == 10 else str(n)) for n in range(11)]
EXCLUSIVE_PREFIX = "none of these"


def is_exclusive(choice: dict) -> bool:
    return choice["text"].strip().lower().startswith(EXCLUSIVE_PREFIX)


class AnswerTextField(forms.CharField):
    """Free text as the browser's character count sees it: a form posts each line break as two
    characters (CR LF) while the count shows one, so count them as one here too."""

    def to_python(self, value):
        if isinstance(value, str):
            value = value.replace("\r\n", "\n").replace("\r", "\n")
        return super().to_python(value)


class ExclusiveMultipleChoiceField(forms.MultipleChoiceField):
    """Tick boxes where one answer ("None of these") rules out every other."""

    def __init__(self, *, exclusive: str | None, exclusive_text: str = "", **kwargs):
        super().__init__(**kwargs)
        self.exclusive = exclusive
        self.exclusive_text = exclusive_text

    def validate(self, value):
        super().validate(value)
        if self.exclusive and self.exclusive in value and len(value) > 1:
            raise forms.ValidationError(
                f"Select \u2018{self.exclusive_text}\u2019 on its own, or select the answers that apply",
                code="exclusive",
            )


def _field_for(question: Question) -> forms.Field:
    required = question.required
    if question.type == Question.Type.AGREE5:
        message = "Select how much you agree or disagree"
        return forms.TypedChoiceField(
            choices=AGREE5_CHOICES, coerce=int, empty_value=None, required=required, widget=forms.RadioSelect,
            error_messages={"required": message, "invalid_choice": message},
        )
    if question.type == Question.Type.SCALE10:
        message = "Select a number from 0 to 10"
        return forms.TypedChoiceField(
            choices=SCALE10_CHOICES, coerce=int, empty_value=None, required=required, widget=forms.RadioSelect,
            error_messages={"required": message, "invalid_choice": message},
        )
    choices = [(c["id"], c["text"]) for c in question.choices]
    if question.type == Question.Type.SINGLE:
        return forms.ChoiceField(
            choices=choices, required=required, widget=forms.RadioSelect,
            error_messages={"required": "Select an answer", "invalid_choice": "Select one of the answers listed"},
        )
    if question.type == Question.Type.MULTIPLE:
        exclusive = next((c for c in question.choices if is_exclusive(c)), None)
        return ExclusiveMultipleChoiceField(
            choices=choices, required=required, widget=forms.CheckboxSelectMultiple,
            exclusive=exclusive["id"] if exclusive else None, exclusive_text=exclusive["text"] if exclusive else "",
            error_messages={
                "required": f"Select the answers that apply, or \u2018{exclusive['text']}\u2019" if exclusive
                else "Select at least one answer",
                "invalid_choice": "Select only answers from the list",
            },
        )
    return AnswerTextField(
        required=required, max_length=question.max_length, strip=True, widget=forms.Textarea,
        error_messages={
            "required": "Enter your answer",
            "max_length": f"Your answer must be {question.max_length:,} characters or fewer",
        },
    )


@dataclass
class AnswerItem:
    """One question as the page shows it: its number on the page, and its bound field."""

    number: int
    question: Question
    field: forms.BoundField

    @property
    def kind(self) -> str:
        return self.question.type

    @property
    def first_id(self) -> str:
        """Where the error summary links to: the first radio or tick box, or the text box."""
        if self.question.type == Question.Type.TEXT:
            return self.field.auto_id
        return f"{self.field.auto_id}_0"

    @property
    def exclusive(self) -> str | None:
        return getattr(self.field.field, "exclusive", None)

    @property
    def required_message(self) -> str:
        """The error for a required question left unanswered, as the page's script shows it before
        moving to the next section (the server's check, on sending, is the one that counts)."""
        return self.field.field.error_messages["required"]

    @property
    def max_length_message(self) -> str:
        return self.field.field.error_messages.get("max_length", "") if self.kind == Question.Type.TEXT else ""


@dataclass
class AnswerSection:
    section: Section
    number: int = 1
    items: list[AnswerItem] = field(default_factory=list)


class SurveyAnswerForm(forms.Form):
    """The answers to every question of a survey, in the survey's order."""

    def __init__(self, data=None, *, questions):
        super().__init__(data)
        self.questions = list(questions)
        for question in self.questions:
            f = _field_for(question)
            f.label = question.text
            self.fields[self.field_name(question)] = f

    @staticmethod
    def field_name(question: Question) -> str:
        return f"q{question.pk}"

    def sections(self) -> list[AnswerSection]:
        """The questions grouped by section (questions must come ordered by section, then order)."""
        out: list[AnswerSection] = []
        for number, question in enumerate(self.questions, start=1):
            if not out or out[-1].section.pk != question.section_id:
                out.append(AnswerSection(question.section, number=len(out) + 1))
            out[-1].items.append(AnswerItem(number, question, self[self.field_name(question)]))
        return out

    def items_with_errors(self) -> list[AnswerItem]:
        return [item for s in self.sections() for item in s.items if item.field.errors]

    def answers(self) -> dict[int, dict]:
        """The validated answers in response_submit's format; call only after is_valid()."""
        out: dict[int, dict] = {}
        for question in self.questions:
            value = self.cleaned_data.get(self.field_name(question))
            if value in (None, "", []):
                continue
            if question.type in (Question.Type.AGREE5, Question.Type.SCALE10):
                out[question.pk] = {"number": value}
            elif question.type == Question.Type.SINGLE:
                out[question.pk] = {"choices": [value]}
            elif question.type == Question.Type.MULTIPLE:
                # In the question's own order, each once, however the browser sent them.
                out[question.pk] = {"choices": [c["id"] for c in question.choices if c["id"] in value]}
            else:
                out[question.pk] = {"text": value}
        return out
