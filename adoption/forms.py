from django import forms

from adoption.models import ReadinessWeights


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
