from django import forms

from adoption.models import NudgeSettings, Outbox, ReadinessWeights
from adoption.nudges import DIGEST, RULE_LABELS


class ReadinessWeightsForm(forms.ModelForm):
    class Meta:
        model = ReadinessWeights
        fields = ["learning", "knowledge", "adkar", "participation", "confidence"]
        widgets = {f: forms.NumberInput(attrs={"class": "govuk-input govuk-input--width-3", "inputmode": "numeric",
                                               "min": 0, "max": 100})
                   for f in fields}


class ReadinessFilterForm(forms.Form):
    """The organisation page's filter and sort (GET). Bad values give field errors, not a 500."""

    SORTS = [("tree", "Department tree"), ("name", "Name"), ("score", "Readiness"), ("learning", "Learning completed"),
             ("knowledge", "Knowledge checks"), ("adkar", "Readiness for change (ADKAR)"),
             ("participation", "Survey participation"), ("confidence", "Confidence uplift"), ("staff", "Staff")]
    directorate = forms.TypedChoiceField(required=False, coerce=int, empty_value=None, label="Directorate")
    sort = forms.ChoiceField(required=False, choices=SORTS, label="Sort by")
    order = forms.ChoiceField(required=False, choices=[("asc", "Lowest first"), ("desc", "Highest first")],
                              label="Order")

    def __init__(self, *args, directorates=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["directorate"].choices = [("", "All directorates")] + [(d.pk, d.name) for d in directorates]


class NudgeSettingsForm(forms.ModelForm):
    """HR's nudge rules. The mandatory modules are chosen from the published ones."""

    mandatory_modules = forms.MultipleChoiceField(
        required=False, widget=forms.CheckboxSelectMultiple, label="Mandatory modules",
        help_text="Reminders about these modules say they are mandatory and cannot be turned off.")

    class Meta:
        model = NudgeSettings
        fields = ["due_soon", "due_soon_days", "overdue", "overdue_every_days", "overdue_max_times", "survey_open",
                  "survey_closing", "survey_closing_days", "inactive", "inactive_weeks", "digest", "digest_weekday", "daily_hour", "weekly_cap",
                  "division", "mandatory_modules"]
        widgets = {f: forms.NumberInput(attrs={"class": "govuk-input govuk-input--width-3", "inputmode": "numeric"})
                   for f in ["due_soon_days", "overdue_every_days", "overdue_max_times", "survey_closing_days",
                             "inactive_weeks", "daily_hour", "weekly_cap"]}

    def __init__(self, *args, modules=(), **kwargs):
        super().__init__(*args, **kwargs)
        choices = [(m.slug, m.title) for m in modules]
        known = {slug for slug, _ in choices}
        # A mandatory module since unpublished stays listed, so saving the form does not drop it silently.
        choices += [(slug, slug) for slug in (self.instance.mandatory_modules or []) if slug not in known]
        self.fields["mandatory_modules"].choices = choices


class NudgePreferencesForm(forms.Form):
    """Which reminders a person gets: one checkbox a rule, ticked when on."""

    rules_on = forms.MultipleChoiceField(required=False, widget=forms.CheckboxSelectMultiple,
                                         choices=list(RULE_LABELS.items()), label="Send me reminders about")

    def __init__(self, *args, manager: bool = True, **kwargs):
        super().__init__(*args, **kwargs)
        if not manager:  # the weekly digest is only for people who manage a department
            self.fields["rules_on"].choices = [(r, label) for r, label in RULE_LABELS.items() if r != DIGEST]

    @property
    def rules_shown(self) -> set[str]:
        return {r for r, _ in self.fields["rules_on"].choices}


class OutboxFilterForm(forms.Form):
    status = forms.ChoiceField(required=False, choices=[("", "All")] + list(Outbox.Status.choices), label="Status")
