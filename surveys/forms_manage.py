"""Forms for running surveys (HR) and filtering results (HR and managers). The writes they lead to are in
surveys.services.

Departments offered are the user's own (organisation.scoping); a department id outside that scope never
reaches these forms (the view answers 404 first).
"""

from datetime import timedelta

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone

from organisation.models import CouncilSettings, Department
from organisation.selectors import department_rows
from surveys import services
from surveys.models import Survey
from surveys.selectors_results import ATTRIBUTE_LABELS, ATTRIBUTES, MAX_FILTERS
from surveys.shipped import TEMPLATES

_DATETIME = "%Y-%m-%dT%H:%M"


def department_choices(user, empty_label: str | None) -> list[tuple[str, str]]:
    """Visible departments in tree order, indented by depth so the tree reads in a plain select."""
    rows = [(str(d.pk), "\u2014 " * d.depth + d.name) for d in department_rows(user)]
    return ([("", empty_label)] if empty_label else []) + rows


def template_hint(template: dict) -> str:
    questions = sum(len(s["questions"]) for s in template["sections"])
    mode = "Anonymous" if template["mode"] == Survey.Mode.ANONYMOUS else "Named"
    minutes = template["minutes"]
    return f"{mode}. {questions} questions, about {minutes} minute{'s' if minutes != 1 else ''}."


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

    def template_options(self):
        """(value, label, hint) for each radio."""
        return [(t["key"], t["title"], template_hint(t)) for t in TEMPLATES]


class SurveySettingsForm(forms.Form):
    title = forms.CharField(label="Title", max_length=200,
                            error_messages={"required": "Enter a title.",
                                            "max_length": "The title must be 200 characters or fewer."})
    mode = forms.ChoiceField(label="Anonymous or named", widget=forms.RadioSelect, choices=Survey.Mode.choices,
                             error_messages={"required": "Choose anonymous or named."})

    HINTS = {
        Survey.Mode.ANONYMOUS: "Answers are kept with no link to the person. Results show only for groups of at "
                               "least the minimum size, after each wave closes.",
        Survey.Mode.NAMED: "Answers are kept with the person's name. HR can see each person's answers.",
    }

    def mode_options(self):
        return [(value, label, self.HINTS[value]) for value, label in Survey.Mode.choices]

    def __init__(self, *args, survey: Survey, **kwargs):
        kwargs.setdefault("initial", {"title": survey.title, "mode": survey.mode})
        super().__init__(*args, **kwargs)
        self.survey = survey
        self.mode_locked = services.survey_mode_locked(survey)
        if self.mode_locked:
            self.fields["mode"].disabled = True


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
    """A department (the user's own) and at most two staff attributes."""

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
            raise ValidationError(f"Choose at most {MAX_FILTERS} of work pattern, contract, work email and grade band.")
        return data

    def filters(self) -> tuple[tuple[str, str], ...]:
        return tuple(sorted((a, self.cleaned_data[a]) for a in self.attributes if self.cleaned_data.get(a)))

    def attribute_fields(self):
        return [self[a] for a in self.attributes]


class CommentsFilterForm(forms.Form):
    department = forms.ChoiceField(label="Department", required=False)

    def __init__(self, *args, user, hr: bool, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["department"].choices = department_choices(user, "The whole organisation" if hr else None)
