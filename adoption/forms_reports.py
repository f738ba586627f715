"""Forms for reports: asking for one, and HR's schedules."""

from django import forms

from adoption.models import ReportFormat, ReportSchedule
from adoption.services_reports import period_problem

ORGANISATION = "organisation"


def _scope_choices(departments, whole_organisation: bool) -> list[tuple[str, str]]:
    """The organisation (HR), then departments in tree order, indented by depth below the shallowest."""
    choices = [(ORGANISATION, "Whole organisation")] if whole_organisation else []
    top = min((getattr(d, "tree_depth", 0) for d in departments), default=0)
    for d in departments:
        indent = "\u2003" * (getattr(d, "tree_depth", 0) - top)
        choices.append((str(d.pk), f"{indent}{d.name}"))
    return choices


class ScopeField(forms.ChoiceField):
    def __init__(self, *, departments, whole_organisation: bool, **kwargs):
        self.departments = {str(d.pk): d for d in departments}
        super().__init__(choices=_scope_choices(departments, whole_organisation), **kwargs)

    def clean(self, value):
        value = super().clean(value)
        return None if value == ORGANISATION else self.departments[value]


class ReportRequestForm(forms.Form):
    """Scope (HR: the whole organisation or any department; a manager: their own departments), format and
    period. Bad dates and periods are field errors."""

    format = forms.ChoiceField(choices=ReportFormat.choices, initial=ReportFormat.PDF, widget=forms.RadioSelect,
                               label="Format")
    start = forms.DateField(label="From", widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
                            error_messages={"required": "Enter the first day of the period.",
                                            "invalid": "Enter the first day as a real date, for example 2026-11-01."})
    end = forms.DateField(label="To", widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
                          help_text="Figures are as they stood at the end of this day; 'completed in period' counts "
                                    "modules finished from the first day to this one.",
                          error_messages={"required": "Enter the last day of the period.",
                                          "invalid": "Enter the last day as a real date, for example 2026-11-30."})

    def __init__(self, *args, departments, whole_organisation: bool, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields = {"scope": ScopeField(departments=departments, whole_organisation=whole_organisation,
                                           label="Departments covered",
                                           help_text="A department's report includes every team beneath it."),
                       **self.fields}

    def clean(self):
        data = super().clean()
        end = data.get("end")
        problem = period_problem(data.get("start"), end) if end else None
        if problem is not None:
            self.add_error(*problem)
        return data


class ReportScheduleForm(forms.ModelForm):
    """HR's scheduled report. Recipients are offered from HR and managers (the view passes them); saving
    (services_reports.schedule_save) refuses, naming them, anyone who could not open the report."""

    recipients = forms.ModelMultipleChoiceField(queryset=None, widget=forms.CheckboxSelectMultiple,
                                                label="Send the link to",
                                                error_messages={"required": "Choose at least one person to send it to."})

    class Meta:
        model = ReportSchedule
        fields = ["name", "frequency", "format", "active"]
        widgets = {"frequency": forms.RadioSelect, "format": forms.RadioSelect}
        labels = {"name": "Name", "active": "On (untick to pause it)"}
        error_messages = {"name": {"required": "Enter a name for the schedule."}}

    def __init__(self, *args, departments, eligible, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields = {"name": self.fields["name"],
                       "scope": ScopeField(departments=departments, whole_organisation=True,
                                           label="Departments covered"),
                       **{k: v for k, v in self.fields.items() if k != "name"}}
        if self.instance.pk:
            self.initial["scope"] = str(self.instance.department_id) if self.instance.department_id else ORGANISATION
            # Not in Meta.fields (the service sets them), so the ModelForm would not fill them in itself.
            self.initial.setdefault("recipients", [p.pk for p in self.instance.recipients.all()])
        self.fields["recipients"].queryset = eligible
        self.fields["recipients"].label_from_instance = lambda p: (
            f"{p.user.get_full_name() or p.user.username} ({p.user.email})")
