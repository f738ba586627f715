"""Forms for running surveys (HR) and filtering results (HR and managers). The writes they lead to are in
surveys.services.

Departments offered are the user's own (organisation.scoping); a department id outside that scope never
reaches these forms (the view answers 404 first).
"""

from datetime import timedelta

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone

from organisation.models import CouncilSettings, CouncilValue, Department
from organisation.selectors import department_rows
from surveys import services
from surveys.models import Question, Section, Survey
from surveys.selectors_results import ATTRIBUTE_LABELS, ATTRIBUTES
from surveys.sentiment import SENTIMENTS, THEMES
from surveys.shipped import TEMPLATES
from surveys.suppression import MAX_FILTERS

_DATETIME = "%Y-%m-%dT%H:%M"


def add_service_errors(form: forms.Form, error: ValidationError) -> None:
    """Put a service's ValidationError on the form that led to it: beside the field it names, if the form
    has that field, else at the top (the error summary lists both)."""
    items = error.message_dict.items() if hasattr(error, "error_dict") else [(None, error.messages)]
    for name, messages in items:
        for message in messages:
            form.add_error(name if name in form.fields else None, message)


def department_choices(user, empty_label: str | None) -> list[tuple[str, str]]:
    """Visible departments in tree order, indented by depth so the tree reads in a plain select."""
    rows = [(str(d.pk), "\u2014 " * d.depth + d.name) for d in department_rows(user)]
    return ([("", empty_label)] if empty_label else []) + rows


MODE_HINTS = {
    Survey.Mode.ANONYMOUS: "Answers are kept with no link to the person. Results show only for groups of at "
                           "least the minimum size, after each wave closes.",
    Survey.Mode.NAMED: "Answers are kept with the person's name. HR can see each person's answers. Only for "
                       "questions that are not sensitive, such as feedback on a module.",
}


def template_hint(template: dict) -> str:
    questions = sum(len(s["questions"]) for s in template["sections"])
    minutes = template["minutes"]
    hint = f"{questions} questions, about {minutes} minute{'s' if minutes != 1 else ''}."
    return hint + (" Written to be named." if template["mode"] == Survey.Mode.NAMED else "")


# --- Surveys ----------------------------------------------------------------------------------------------

class SurveyCreateForm(forms.Form):
    template = forms.ChoiceField(
        label="Template", widget=forms.RadioSelect,
        choices=[(t["key"], t["title"]) for t in TEMPLATES],
        error_messages={"required": "Choose a template.", "invalid_choice": "Choose a template from the list."})
    title = forms.CharField(
        label="Title (optional)", required=False, max_length=200,
        help_text="What staff see at the top of the survey. Leave it empty to use the template's title.",
        error_messages={"max_length": "The title must be 200 characters or fewer."})
    mode = forms.ChoiceField(label="Anonymous or named", widget=forms.RadioSelect, choices=Survey.Mode.choices,
                             initial=Survey.Mode.ANONYMOUS, error_messages={"required": "Choose anonymous or named."})

    def template_options(self):
        """(value, label, hint) for each radio."""
        return [(t["key"], t["title"], template_hint(t)) for t in TEMPLATES]

    def mode_options(self):
        return [(value, label, MODE_HINTS[value]) for value, label in Survey.Mode.choices]


class SurveyCopyForm(forms.Form):
    title = forms.CharField(label="Title of the copy", max_length=200,
                            help_text="What staff see at the top of the survey.",
                            error_messages={"required": "Enter a title for the copy.",
                                            "max_length": "The title must be 200 characters or fewer."})


class SurveySettingsForm(forms.Form):
    title = forms.CharField(label="Title", max_length=200,
                            error_messages={"required": "Enter a title.",
                                            "max_length": "The title must be 200 characters or fewer."})
    introduction = forms.CharField(
        label="Introduction (optional)", required=False, max_length=2000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="What staff read before the first question: why you are asking and what happens next. "
                  "How their answers are kept is shown beneath it for you.",
        error_messages={"max_length": "The introduction must be 2,000 characters or fewer."})
    mode = forms.ChoiceField(label="Anonymous or named", widget=forms.RadioSelect, choices=Survey.Mode.choices,
                             error_messages={"required": "Choose anonymous or named."})

    def mode_options(self):
        return [(value, label, MODE_HINTS[value]) for value, label in Survey.Mode.choices]

    def __init__(self, *args, survey: Survey, **kwargs):
        kwargs.setdefault("initial", {"title": survey.title, "introduction": survey.introduction, "mode": survey.mode})
        super().__init__(*args, **kwargs)
        self.survey = survey
        self.mode_locked = services.survey_mode_locked(survey)
        if self.mode_locked:
            self.fields["mode"].disabled = True


# --- Sections and questions -------------------------------------------------------------------------------

class SectionForm(forms.Form):
    title = forms.CharField(label="Section title", max_length=200,
                            help_text="Staff see it above the section's questions, for example “About your work”.",
                            error_messages={"required": "Enter a title for the section.",
                                            "max_length": "The title must be 200 characters or fewer."})


class ChoiceLinesField(forms.CharField):
    """Choices typed one per line: blank lines and spaces around each are dropped."""

    widget = forms.Textarea(attrs={"rows": 5})

    def clean(self, value):
        value = super().clean(value)
        return [line.strip() for line in value.splitlines() if line.strip()]


TYPE_HINTS = {
    Question.Type.AGREE5: "Strongly disagree to strongly agree. The only type that is scored, so the only one that "
                          "can measure a dimension or a value. Write it as a statement staff can agree with.",
    Question.Type.SCALE10: "0 (lowest) to 10 (highest), for example how confident someone feels.",
    Question.Type.SINGLE: "Staff choose one of the choices you write.",
    Question.Type.MULTIPLE: "Staff tick any of the choices you write. A choice that starts “None of these” "
                            "cannot be ticked with another.",
    Question.Type.TEXT: "Staff write in their own words. Names, emails, phone numbers and staff numbers are removed "
                        "before it is kept, and comments show only for groups of at least the comment minimum.",
}


class QuestionForm(forms.Form):
    """A question's settings, checked as services.question_errors checks them (so each error shows beside
    its field); the write is services.question_add or question_change."""

    section = forms.ChoiceField(label="Section", error_messages={"required": "Choose a section.",
                                                                 "invalid_choice": "Choose a section of this survey."})
    text = forms.CharField(label="Question", max_length=500, widget=forms.Textarea(attrs={"rows": 3}),
                           error_messages={"required": "Enter the question.",
                                           "max_length": "The question must be 500 characters or fewer."})
    help_text = forms.CharField(label="Hint (optional)", required=False, max_length=300,
                                help_text="A line under the question to help staff answer it.",
                                error_messages={"max_length": "The hint must be 300 characters or fewer."})
    type = forms.ChoiceField(label="Type of answer", widget=forms.RadioSelect, choices=Question.Type.choices,
                             error_messages={"required": "Choose the type of answer.",
                                             "invalid_choice": "Choose a type of answer from the list."})
    choices = ChoiceLinesField(label="Choices", required=False, max_length=5000,
                               help_text="For “Choose one” and “Choose any” only: one choice on each "
                                         "line, at least two.",
                               error_messages={"max_length": "The choices must be 5,000 characters or fewer in all."})
    required = forms.ChoiceField(label="Must staff answer it?", widget=forms.RadioSelect,
                                 choices=[("yes", "Yes, an answer is needed"), ("no", "No, it can be left blank")],
                                 error_messages={"required": "Choose whether staff must answer it."})
    dimension = forms.ChoiceField(label="Dimension it measures", required=False,
                                  choices=[("", "None")] + list(Question.Dimension.choices),
                                  help_text="Agreement questions only. ADKAR elements feed each department's "
                                            "readiness; the barrier point is the first element scored 3 or less.",
                                  error_messages={"invalid_choice": "Choose a dimension from the list."})
    values = forms.ModelMultipleChoiceField(
        label="Council values it measures (optional)", required=False, queryset=CouncilValue.objects.all(),
        widget=forms.CheckboxSelectMultiple, help_text="Agreement questions only.",
        error_messages={"invalid_choice": "Choose values from the list.",
                        "invalid_pk_value": "Choose values from the list."})

    def __init__(self, *args, survey: Survey, question: Question | None = None, **kwargs):
        if question is not None:
            kwargs.setdefault("initial", {
                "section": str(question.section_id), "text": question.text, "help_text": question.help_text,
                "type": question.type, "choices": "\n".join(c["text"] for c in question.choices),
                "required": "yes" if question.required else "no", "dimension": question.dimension,
                "values": list(question.values.all()),
            })
        super().__init__(*args, **kwargs)
        self.survey = survey
        self.sections = list(survey.sections.order_by("order", "pk"))
        self.fields["section"].choices = [(str(s.pk), s.title) for s in self.sections]
        self.has_values = bool(self.fields["values"].queryset.exists())
        if not self.has_values:
            del self.fields["values"]
        if survey.mode == Survey.Mode.ANONYMOUS:
            self.fields["required"].help_text = ("This survey is anonymous: only free-text questions can be left "
                                                 "blank, so that every figure counts the same people.")

    def type_options(self):
        return [(value, label, TYPE_HINTS[value]) for value, label in Question.Type.choices]

    def required_options(self):
        return [(value, label, "") for value, label in self.fields["required"].choices]

    def clean(self):
        data = super().clean()
        if "type" in data and "required" in data and "choices" in data and "dimension" in data:
            errors = services.question_errors(
                survey=self.survey, type=data["type"], required=data["required"] == "yes", choices=data["choices"],
                dimension=data["dimension"], values=list(data.get("values") or []))
            for name, messages in errors.items():
                for message in messages:
                    self.add_error(name if name in self.fields else None, message)
        return data

    def question(self) -> dict:
        """The cleaned question, as services.question_add and question_change take it."""
        data = self.cleaned_data
        return {"text": data["text"], "help_text": data["help_text"], "type": data["type"],
                "required": data["required"] == "yes", "choices": data["choices"], "dimension": data["dimension"],
                "values": list(data.get("values") or [])}

    def chosen_section(self) -> Section:
        return next(s for s in self.sections if str(s.pk) == self.cleaned_data["section"])


# --- Waves ------------------------------------------------------------------------------------------------

class WaveForm(forms.Form):
    name = forms.CharField(label="Name", max_length=100, help_text="For example, Spring 2026.",
                           error_messages={"required": "Enter a name for the wave.",
                                           "max_length": "The name must be 100 characters or fewer."})
    opens = forms.ChoiceField(label="When does it open?", widget=forms.RadioSelect,
                              choices=[("now", "Now"), ("later", "At a time you choose")],
                              error_messages={"required": "Choose when the wave opens."})
    opens_at = forms.DateTimeField(
        label="Opens at", required=False, input_formats=[_DATETIME, "%Y-%m-%d %H:%M"],
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format=_DATETIME),
        help_text="UK time. Staff are invited when it opens.",
        error_messages={"invalid": "Enter a real date and time."})
    closes_at = forms.DateTimeField(
        label="Closes at", input_formats=[_DATETIME, "%Y-%m-%d %H:%M"],
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format=_DATETIME),
        help_text="UK time. Results show only after the wave closes.",
        error_messages={"required": "Enter when the wave closes.", "invalid": "Enter a real date and time."})
    population = forms.ChoiceField(label="Who is it sent to?", widget=forms.RadioSelect,
                                   choices=[("all", "Everyone in the organisation"), ("departments", "Chosen departments")],
                                   error_messages={"required": "Choose who the wave is sent to."})
    departments = forms.MultipleChoiceField(label="Departments", required=False, widget=forms.CheckboxSelectMultiple)
    include_subdepartments = forms.BooleanField(label="Include the teams beneath them", required=False, initial=True)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.department_rows = department_rows(user)
        self.fields["departments"].choices = [(str(d.pk), d.name) for d in self.department_rows]

    def clean(self):
        data = super().clean()
        now = timezone.now()
        opens_at = now if data.get("opens") == "now" else data.get("opens_at")
        if data.get("opens") == "later":
            if opens_at is None and "opens_at" not in self.errors:
                self.add_error("opens_at", "Enter when the wave opens.")
            elif opens_at is not None and opens_at <= now:
                self.add_error("opens_at", "The opening time must be in the future. Choose \u201cNow\u201d to open it now.")
        closes_at = data.get("closes_at")
        if closes_at is not None and opens_at is not None:
            if closes_at <= now:
                self.add_error("closes_at", "The closing time must be in the future.")
            elif closes_at <= opens_at:
                self.add_error("closes_at", "The closing time must be after the opening time.")
            elif closes_at - opens_at < timedelta(hours=1):
                self.add_error("closes_at", "Leave at least an hour between opening and closing.")
        data["opens_at"] = opens_at
        chosen = []
        if data.get("population") == "departments":
            chosen = list(Department.objects.filter(pk__in=data.get("departments") or []))
            if not chosen:
                self.add_error("departments", "Choose at least one department.")
        data["chosen_departments"] = chosen
        if not self.errors:
            self._check_population_size(chosen, data.get("include_subdepartments", False))
        return data

    def schedule(self) -> dict:
        """The cleaned schedule, as services.wave_schedule and wave_reschedule take it."""
        data = self.cleaned_data
        return {"name": data["name"], "opens_at": data["opens_at"], "closes_at": data["closes_at"],
                "departments": data["chosen_departments"], "include_subdepartments": data["include_subdepartments"]}

    def _check_population_size(self, departments, include_subdepartments: bool) -> None:
        """A wave to fewer people than the minimum group could never show a result."""
        staff = services.staff_population(departments, include_subdepartments)
        n = max(3, CouncilSettings.load().min_group_size)
        count = staff.count()
        if count < n:
            field = "departments" if departments else None
            self.add_error(field, f"These departments have {count} active staff. Send the wave to at least {n} "
                                  "people, or no result could ever be shown.")


# --- Results filters --------------------------------------------------------------------------------------

class ResultsFilterForm(forms.Form):
    """A department (the user's own) and one staff attribute at a time (suppression.MAX_FILTERS)."""

    department = forms.ChoiceField(label="Department", required=False)

    def __init__(self, *args, user, choices: dict[str, list[tuple[str, str]]], hr: bool, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["department"].choices = department_choices(user, "The whole organisation" if hr else None)
        # Only the attributes selectors_results.filter_choices offers for this wave (others are left out).
        self.attributes = [a for a in ATTRIBUTES if a in choices]
        self.withheld = [ATTRIBUTE_LABELS[a] for a in ATTRIBUTES if a not in choices]
        for attribute in self.attributes:
            self.fields[attribute] = forms.ChoiceField(
                label=ATTRIBUTE_LABELS[attribute], required=False, choices=[("", "Any")] + choices[attribute],
                error_messages={"invalid_choice": f"Choose a {ATTRIBUTE_LABELS[attribute].lower()} from the list."})

    def clean(self):
        data = super().clean()
        if len([a for a in self.attributes if data.get(a)]) > MAX_FILTERS:
            raise ValidationError("Choose one of work pattern, contract, work email and grade band at a time: "
                                  "figures for two at once could be combined to single people out.")
        return data

    def filters(self) -> tuple[tuple[str, str], ...]:
        return tuple(sorted((a, self.cleaned_data[a]) for a in self.attributes if self.cleaned_data.get(a)))

    def attribute_fields(self):
        return [self[a] for a in self.attributes]


class CommentsFilterForm(forms.Form):
    """Which comments to read: a department's (no staff attributes: see surveys.selectors_results), narrowed
    to a theme or a sentiment. A value not offered is a field error, not a failure."""
    department = forms.ChoiceField(label="Department", required=False)
    theme = forms.ChoiceField(label="Theme", required=False,
                              choices=[("", "Any theme")] + [(t.slug, t.label) for t in THEMES],
                              error_messages={"invalid_choice": "Choose a theme from the list"})
    sentiment = forms.ChoiceField(label="Sentiment", required=False,
                                  choices=[("", "Any sentiment")] + [(s, s) for s in SENTIMENTS],
                                  error_messages={"invalid_choice": "Choose positive, neutral or negative"})

    def __init__(self, *args, user, hr: bool, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["department"].choices = department_choices(user, "The whole organisation" if hr else None)
