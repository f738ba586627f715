"""Forms for reports: asking for one, and HR's schedules."""

from django import forms
from django.utils import timezone

from adoption.models import ReportFormat, ReportSchedule

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
        start, end = data.get("start"), data.get("end")
        today = timezone.localdate()
        if end and end > today:
            self.add_error("end", "The period cannot end after today.")
        elif start and end and start > end:
            self.add_error("start", "The period must start on or before the day it ends.")
        elif start and end and (end - start).days > 366 * 3:
            self.add_error("start", "The period can be at most three years.")
        return data


class ReportScheduleForm(forms.ModelForm):
    """HR's scheduled report. Recipients are chosen from those who may see the scope (the view passes
    them), so nobody is sent a link to a report they could not open."""

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
        self.eligible_for = None  # set by the view: scope -> the people who may see it

    def clean(self):
        data = super().clean()
        recipients, scope = data.get("recipients"), data.get("scope", False)
        if recipients and scope is not False and self.eligible_for is not None:
            allowed = set(self.eligible_for(scope).values_list("pk", flat=True))
            outside = [p for p in recipients if p.pk not in allowed]
            if outside:
                names = ", ".join(p.user.get_full_name() or p.user.username for p in outside)
                self.add_error("recipients", f"{names} cannot see {scope.name if scope else 'the whole organisation'}: "
                                             "choose HR, or managers of those departments.")
        return data
