"""Forms for editing modules in the Django admin, held to the rules of curriculum/FORMAT.md so an
edit made in the site cannot produce a module the file loader would refuse."""

from django import forms
from django.core.exceptions import ValidationError

from courses.models import Lesson, Module, Option, Question


class TextAsWritten(forms.ModelForm):
    """Saving unchanged text must not look like a change (it would be a new version and clear people's
    progress). Browsers send text areas with CRLF line endings: these become LF, as in the files.
    Fields in `keep_whitespace` are kept exactly as written, as the file loader keeps them."""

    keep_whitespace: tuple[str, ...] = ()

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in self.keep_whitespace:
            if name in self.fields:
                self.fields[name].strip = False

    def clean(self):
        cleaned = super().clean()
        for name, field in self.fields.items():
            if isinstance(field.widget, forms.Textarea) and isinstance(cleaned.get(name), str):
                cleaned[name] = cleaned[name].replace("\r\n", "\n").replace("\r", "\n")
        return cleaned


class LessonAdminForm(TextAsWritten):
    keep_whitespace = ("body",)

    class Meta:
        model = Lesson
        fields = ["module", "slug", "order", "title", "minutes", "body", "retired"]


class QuestionAdminForm(TextAsWritten):
    keep_whitespace = ("text",)

    class Meta:
        model = Question
        fields = ["lesson", "order", "text", "type"]


class OptionAdminForm(TextAsWritten):
    keep_whitespace = ("text", "explanation")

    class Meta:
        model = Option
        fields = ["question", "order", "text", "correct", "explanation"]


class ModuleAdminForm(TextAsWritten):
    class Meta:
        model = Module
        fields = ["slug", "title", "summary", "estimated_minutes", "audience", "values", "principles", "pass_mark",
                  "confidence_question", "order"]
        help_texts = {
            "principles": "Numbers of the AI Playbook principles the module serves, from 1 to 10, written like [1, 2].",
            "values": "Your council's values the module supports.",
        }

    def clean_principles(self):
        principles = self.cleaned_data.get("principles") or []
        if not isinstance(principles, list) or not all(
                isinstance(p, int) and not isinstance(p, bool) and 1 <= p <= 10 for p in principles):
            raise ValidationError("Write the principles as a list of numbers from 1 to 10, like [1, 2].")
        return principles


def _live_forms(formset):
    """The inline forms that will be saved: filled in and not marked for deletion."""
    return [f for f in formset.forms
            if getattr(f, "cleaned_data", None) and not f.cleaned_data.get("DELETE")]


class QuestionInlineFormSet(forms.BaseInlineFormSet):
    """A lesson's knowledge check: 1 to 3 questions."""

    def clean(self):
        super().clean()
        if any(self.errors):
            return
        count = len(_live_forms(self))
        if not 1 <= count <= 3:
            raise ValidationError(f"A lesson needs a knowledge check of 1 to 3 questions (this has {count}).")


class OptionInlineFormSet(forms.BaseInlineFormSet):
    """A question's options: at least two; 'choose one' has exactly one correct option, 'choose all
    that apply' at least one. (Every option's explanation is a required field.)"""

    def clean(self):
        super().clean()
        if any(self.errors):
            return
        live = _live_forms(self)
        correct = sum(bool(f.cleaned_data.get("correct")) for f in live)
        problems = []
        if len(live) < 2:
            problems.append(f"A question needs at least two options (this has {len(live)}).")
        if self.instance.type == Question.Type.SINGLE and correct != 1:
            problems.append(f"A 'choose one' question needs exactly one correct option (this has {correct}).")
        if self.instance.type == Question.Type.MULTIPLE and correct < 1:
            problems.append("A 'choose all that apply' question needs at least one correct option.")
        if problems:
            raise ValidationError(problems)
