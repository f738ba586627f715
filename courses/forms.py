"""Forms for courses. Learning: the confidence question and the knowledge check."""

from django import forms

CONFIDENCE_CHOICES = [
    (1, "1 – Not at all confident"),
    (2, "2 – A little confident"),
    (3, "3 – Fairly confident"),
    (4, "4 – Confident"),
    (5, "5 – Very confident"),
]


class LearningConfidenceForm(forms.Form):
    """'How confident are you to ...?' from 1 to 5, asked at the start and the end of a module."""

    confidence = forms.TypedChoiceField(
        choices=CONFIDENCE_CHOICES, coerce=int, widget=forms.RadioSelect,
        error_messages={"required": "Choose how confident you feel, from 1 to 5",
                        "invalid_choice": "Choose how confident you feel, from 1 to 5"},
    )

    def __init__(self, *args, question: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["confidence"].label = question


class LearningCheckForm(forms.Form):
    """A lesson's knowledge check as posted: the one-time token and `question-<id>` -> option ids.
    The ids themselves are checked by the service (a foreign or made-up id is tampering: 400), so
    this form only collects them."""

    PREFIX = "question-"

    token = forms.CharField(max_length=64)

    def __init__(self, data, **kwargs):
        super().__init__(data, **kwargs)
        self.answers = {key.removeprefix(self.PREFIX): data.getlist(key) for key in data if key.startswith(self.PREFIX)}

    def chosen(self) -> dict[int, set[int]]:
        """The answers as ids: call only once the service has checked them (so they are numbers)."""
        return {int(q): {int(o) for o in options} for q, options in self.answers.items()}

    def ticked(self) -> set[int]:
        """Every option id ticked, to tick them again when the form is shown with an error."""
        return {option for options in self.chosen().values() for option in options}


class CertificateVerifyForm(forms.Form):
    """Anyone checking a printed certificate types its verification code."""

    code = forms.CharField(
        label="Verification code", max_length=30,
        help_text="It is printed on the certificate, for example 3FA94C1B07DE.",
        error_messages={"required": "Enter the verification code from the certificate"},
    )

    def clean_code(self) -> str:
        code = "".join(self.cleaned_data["code"].split()).replace("-", "").upper()
        if not code.isalnum():
            raise forms.ValidationError("A verification code has only letters and numbers")
        return code
