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


# --- Council settings: one form per group of settings, each on its own page --------------------------------

class BrandingForm(forms.ModelForm):
    """The council's name, logo and colour. The colour must leave white text readable (CouncilSettings.clean)."""

    remove_logo = forms.BooleanField(label="Remove the logo", required=False)

    class Meta:
        model = CouncilSettings
        fields = ["name", "logo", "colour"]
        labels = {"name": "Council name", "logo": "Upload a new logo", "colour": "Brand colour"}
        help_texts = {
            "name": "Shown in the header of every page, on certificates, sign-in slips and emails.",
            "logo": "A PNG, JPEG or GIF image, shown in the header beside the council name. Leave empty to keep the current one.",
            "colour": "The header's background, as # and six hex digits, like #1d4f76. White text on it must have a "
                      "contrast of at least 4.5:1, so choose a dark colour.",
        }
        widgets = {"logo": forms.FileInput, "colour": forms.TextInput(attrs={"spellcheck": "false"})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if not self.instance.logo:
            del self.fields["remove_logo"]

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("remove_logo") and self.files.get(self.add_prefix("logo")):
            self.add_error("remove_logo", "Either upload a new logo or remove the logo, not both.")
        return cleaned


class ThresholdsForm(forms.ModelForm):
    """The smallest groups reported on (CouncilSettings.clean holds the rules)."""

    class Meta:
        model = CouncilSettings
        fields = ["min_group_size", "min_comment_group_size"]
        labels = {"min_group_size": "Minimum group", "min_comment_group_size": "Minimum group for comments"}
        help_texts = {
            "min_group_size": "No figure about fewer people than this is ever shown. At least 3; the usual choice is 5.",
            "min_comment_group_size": "Written comments are shown only for groups at least this large. "
                                      "At least the minimum group; the usual choice is 10.",
        }
        error_messages = {
            "min_group_size": {"required": "Enter the minimum group, a whole number of 3 or more.",
                               "invalid": "Enter the minimum group as a whole number, like 5."},
            "min_comment_group_size": {"required": "Enter the minimum group for comments, a whole number.",
                                       "invalid": "Enter the minimum group for comments as a whole number, like 10."},
        }
        widgets = {f: forms.TextInput(attrs={"inputmode": "numeric", "spellcheck": "false"})
                   for f in ("min_group_size", "min_comment_group_size")}


class SignInSettingsForm(forms.ModelForm):
    """Whether HR and admins signing in with the identity provider also need Tandem's authenticator code."""

    trust_idp_mfa = forms.TypedChoiceField(
        label="Trust the identity provider's MFA?",
        choices=[("yes", "Yes"), ("no", "No")],
        coerce=lambda v: v == "yes",
        widget=forms.RadioSelect,
        error_messages={"required": "Choose whether to trust the identity provider's MFA."},
    )

    class Meta:
        model = CouncilSettings
        fields = ["trust_idp_mfa"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.initial["trust_idp_mfa"] = "yes" if self.instance.trust_idp_mfa else "no"


class CouncilValueForm(forms.ModelForm):
    """One council value, in the council's own words."""

    class Meta:
        model = CouncilValue
        fields = ["name", "description"]
        labels = {"name": "Value", "description": "What it means (optional)"}
        help_texts = {
            "name": "A few words, like “Listening to residents”. Modules and survey questions are tagged with it.",
            "description": "A sentence or two in your council's words, shown with the value where a lesson lists your "
                           "council's values.",
        }
        widgets = {"description": forms.Textarea(attrs={"rows": 3})}
        error_messages = {"name": {"required": "Enter the value.",
                                   "unique": "Your council already has a value with this name."}}

    def clean_name(self):
        name = " ".join(self.cleaned_data["name"].split())
        same = CouncilValue.objects.filter(name__iexact=name).exclude(pk=self.instance.pk)
        if same.exists():
            raise forms.ValidationError("Your council already has a value with this name.")
        return name
