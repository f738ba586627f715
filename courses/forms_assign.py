"""Forms for assigning modules and filtering team progress. Departments and staff offered are the user's
own (organisation.scoping); ids outside that scope never reach these forms (the view answers 404 first)."""

import re
from datetime import date

from django import forms
from django.utils import timezone

from courses.models import Assignment, Module
from courses.selectors.progress import STATE_LABELS, STATES
from courses.services.assignments import can_assign_to_managers
from organisation.scoping import visible_departments, visible_staff
from organisation.selectors import department_rows

_SPLIT = re.compile(r"[\s,;]+")


def department_choices(user, empty_label: str) -> list[tuple[str, str]]:
    """Visible departments in tree order, indented by depth so the tree reads in a plain select."""
    return [("", empty_label)] + [(str(d.pk), "\u2014 " * d.depth + d.name) for d in department_rows(user)]


class AssignForm(forms.Form):
    module = forms.ModelChoiceField(
        queryset=Module.objects.filter(published=True).order_by("order", "title"), empty_label="Choose a module",
        error_messages={"required": "Choose a module.", "invalid_choice": "Choose a module from the list."})
    target = forms.ChoiceField(label="Who must do it", widget=forms.RadioSelect,
                               error_messages={"required": "Choose who must do it."})
    department = forms.TypedChoiceField(coerce=int, required=False, empty_value=None, label="Department")
    include_subdepartments = forms.BooleanField(
        required=False, initial=True, label="Include the teams beneath it",
        help_text="Untick to assign it to the department's own staff only. New joiners get it too, either way.")
    staff_numbers = forms.CharField(
        required=False, label="Staff numbers", widget=forms.Textarea(attrs={"rows": 4}),
        help_text="One or more staff numbers, on separate lines or separated by commas.")
    due_date = forms.DateField(
        label="Due date", widget=forms.DateInput(attrs={"type": "date"}),
        help_text="People see it on their home page and in reminders.",
        error_messages={"required": "Enter a due date.", "invalid": "Enter a real date."})

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        targets = [(Assignment.Target.DEPARTMENT, "A department"), (Assignment.Target.STAFF, "Named staff")]
        if can_assign_to_managers(user):
            targets.insert(1, (Assignment.Target.MANAGERS, "All managers"))
        self.fields["target"].choices = targets
        self.fields["department"].choices = department_choices(user, "Choose a department")
        self.fields["staff"] = forms.ModelMultipleChoiceField(
            queryset=visible_staff(user).filter(active=True), required=False, widget=forms.MultipleHiddenInput)
        # People chosen before the form opened (?staff=id from a staff list), shown by name.
        chosen = self.data.getlist("staff") if self.is_bound else (self.initial.get("staff") or [])
        self.chosen_staff = list(self.fields["staff"].queryset.filter(pk__in=chosen).select_related("user")) if chosen else []

    def clean_due_date(self) -> date:
        due = self.cleaned_data["due_date"]
        if due < timezone.localdate():
            raise forms.ValidationError("The due date must be today or in the future.")
        return due

    def clean(self):
        data = super().clean()
        target = data.get("target")
        if target == Assignment.Target.DEPARTMENT:
            if data.get("department") is None:
                self.add_error("department", "Choose a department.")
            else:
                data["department"] = visible_departments(self.user).get(pk=data["department"])
        if target == Assignment.Target.STAFF:
            named = list(data.get("staff") or [])
            numbers = [n for n in _SPLIT.split(data.get("staff_numbers", "").strip()) if n]
            if numbers:
                found = {p.staff_number.upper(): p for p in visible_staff(self.user).filter(
                    active=True, staff_number__in={n.upper() for n in numbers} | set(numbers))}
                # The same answer whether the number exists elsewhere or not at all.
                missing = [n for n in numbers if n.upper() not in found]
                if missing:
                    self.add_error("staff_numbers", "No one in your departments has the staff number "
                                   + ", ".join(missing) + ". Check the numbers and try again.")
                named += [p for p in found.values() if p not in named]
            if not named and not self.has_error("staff_numbers"):
                self.add_error("staff_numbers", "Enter at least one staff number.")
            data["named_staff"] = named
        return data

    def service_kwargs(self) -> dict:
        data = self.cleaned_data
        return {
            "module": data["module"], "target": data["target"], "due_date": data["due_date"],
            "department": data.get("department"), "include_subdepartments": data.get("include_subdepartments", False),
            "staff": data.get("named_staff", []),
        }


class TeamFilterForm(forms.Form):
    """The team progress page's filters (GET). The department is checked against the user's scope by
    the view (404 outside it), so here it is only an id."""

    department = forms.TypedChoiceField(coerce=int, required=False, empty_value=None, label="Department")
    module = forms.ModelChoiceField(queryset=Module.objects.filter(published=True).order_by("order", "title"),
                                    required=False, empty_label="All modules", label="Module")
    # Overdue is explained where it is chosen, as on the page: a due date passed, not completed.
    state = forms.ChoiceField(
        choices=[("", "Everyone")] + [(s, "Overdue: due date passed, not completed" if s == "overdue" else STATE_LABELS[s])
                                      for s in STATES], required=False, label="Status")

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["department"].choices = department_choices(user, "All your departments")
