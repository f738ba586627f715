from allauth.account.app_settings import EmailVerificationMethod
from allauth.account.forms import LoginForm
from django import forms
from django.conf import settings

from organisation.models import CouncilSettings, CouncilValue


class SignInForm(LoginForm):
    """allauth's sign-in, by work email or staff number. Email verification applies to email
    accounts only: staff without a work email have nothing to verify."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["login"].label = "Work email or staff number"
        self.fields["login"].widget.attrs.update({"autocomplete": "username", "placeholder": ""})
        self.fields["password"].widget.attrs.update({"placeholder": ""})
        self.fields.pop("remember", None)

    def _login_with_password(self, request, redirect_url, credentials):
        staff_number_account = self.user is not None and not self.user.email
        if staff_number_account:
            self._login.email_verification = EmailVerificationMethod.NONE
        response = super()._login_with_password(request, redirect_url, credentials)
        if staff_number_account:
            # allauth resets the expiry after login: shared devices keep the shorter idle limit.
            request.session.set_expiry(settings.STAFF_NUMBER_SESSION_IDLE)
        return response


class SignInCodeForm(forms.Form):
    staff_number = forms.CharField(label="Staff number", max_length=20)
    code = forms.CharField(
        label="Sign-in code", max_length=20, help_text="The code on the slip your manager gave you, like ABCD-EFGH."
    )


class ChoosePasswordForm(forms.Form):
    password1 = forms.CharField(label="Choose a password", widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
                                help_text="At least 10 characters. Not just numbers, and not a common password.")
    password2 = forms.CharField(label="Type the password again", widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}))

    def __init__(self, *args, user=None, **kwargs):
        self.user = user
        super().__init__(*args, **kwargs)

    def clean(self):
        from django.contrib.auth.password_validation import validate_password

        cleaned = super().clean()
        p1, p2 = cleaned.get("password1"), cleaned.get("password2")
        if p1 and p2 and p1 != p2:
            self.add_error("password2", "The two passwords do not match.")
        elif p1:
            try:
                validate_password(p1, self.user)
            except forms.ValidationError as e:
                self.add_error("password1", e)
        return cleaned


class StaffImportForm(forms.Form):
    file = forms.FileField(label="CSV file from the HR system")
    complete_file = forms.BooleanField(
        label="This file lists every current member of staff",
        required=False,
        help_text="Tick this to deactivate staff who are not in the file (leavers). Leave it unticked for a partial update.",
    )


class CouncilSettingsForm(forms.ModelForm):
    class Meta:
        model = CouncilSettings
        fields = ["name", "logo", "colour", "min_group_size", "min_comment_group_size", "trust_idp_mfa"]
        labels = {
            "name": "Council name",
            "colour": "Brand colour",
            "min_group_size": "Minimum reporting group",
            "min_comment_group_size": "Minimum group for comments",
            "trust_idp_mfa": "Trust Microsoft Entra ID's MFA",
        }


CouncilValueFormSet = forms.modelformset_factory(
    CouncilValue, fields=["name", "description", "order"], extra=2, can_delete=True
)
