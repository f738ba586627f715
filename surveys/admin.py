"""Surveys in the Django admin (admins only): surveys, their sections and questions, and waves.

Responses, answers, participation and the ballot box (held answer sheets) are deliberately not registered:
the admin must never become a way to read answers one by one or pair them with people (DESIGN.md's threat model includes admin accounts).
What the anonymity promise rests on is read-only here: a wave's mode, thresholds and invitations (its
release, which counts hidden cells too, is not shown at all); a survey's mode once a wave has opened; and every question once a wave has opened (making a
question optional after people answered would let figures be told apart across questions).
"""

from django import forms
from django.contrib import admin

from organisation.admin import AuditedAdmin
from surveys import services
from surveys.models import Question, Section, Survey, Wave

_WAVE_FIXED = ["status", "mode", "min_group_size", "min_comment_group_size", "invited_count", "created_by"]


def _locked(survey: Survey | None) -> bool:
    return survey is not None and survey.pk is not None and services.survey_mode_locked(survey)


class SectionInline(admin.TabularInline):
    model = Section
    extra = 0

    def has_change_permission(self, request, obj=None):
        return not _locked(obj) and super().has_change_permission(request, obj)

    def has_add_permission(self, request, obj=None):
        return not _locked(obj) and super().has_add_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return not _locked(obj) and super().has_delete_permission(request, obj)


class SurveyAdminForm(forms.ModelForm):
    class Meta:
        model = Survey
        fields = ["title", "introduction", "mode"]

    def clean(self):
        data = super().clean()
        if self.instance.pk and data.get("mode") and data["mode"] != self.instance.mode:
            broken = services.optional_not_text(self.instance, mode=data["mode"])
            if broken:
                self.add_error("mode", broken + ". Make them required first.")
        return data


@admin.register(Survey)
class SurveyAdmin(AuditedAdmin):
    form = SurveyAdminForm
    list_display = ["title", "mode", "template_key", "created_at"]
    search_fields = ["title"]
    inlines = [SectionInline]
    readonly_fields = ["template_key", "created_by", "created_at"]

    def get_readonly_fields(self, request, obj=None):
        fields = list(super().get_readonly_fields(request, obj))
        return fields + ["mode"] if _locked(obj) else fields

    def has_delete_permission(self, request, obj=None):
        return not (obj is not None and obj.waves.exists()) and super().has_delete_permission(request, obj)


class QuestionAdminForm(forms.ModelForm):
    class Meta:
        model = Question
        fields = ["survey", "section", "order", "text", "help_text", "type", "required", "choices", "dimension", "values",
                  "max_length"]

    def clean(self):
        data = super().clean()
        survey = data.get("survey")
        if survey is not None and data.get("section") is not None and data["section"].survey_id != survey.pk:
            self.add_error("section", "Choose a section of the same survey.")
        if survey is not None and _locked(survey):
            # Adding a question to, or moving one into, a survey whose questions are fixed.
            self.add_error("survey", "A wave of this survey has opened, so its questions can no longer be changed.")
        if (survey is not None and survey.mode == Survey.Mode.ANONYMOUS and not data.get("required", True)
                and data.get("type") != Question.Type.TEXT):
            self.add_error("required", "In an anonymous survey only free-text questions can be optional.")
        return data


@admin.register(Question)
class QuestionAdmin(AuditedAdmin):
    form = QuestionAdminForm
    list_display = ["text", "survey", "section", "type", "dimension", "required"]
    list_filter = ["type", "dimension", "survey"]
    search_fields = ["text"]
    list_select_related = ["survey", "section"]
    filter_horizontal = ["values"]

    def has_change_permission(self, request, obj=None):
        return not (obj is not None and _locked(obj.survey)) and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return not (obj is not None and _locked(obj.survey)) and super().has_delete_permission(request, obj)


@admin.register(Wave)
class WaveAdmin(AuditedAdmin):
    list_display = ["name", "survey", "status", "opens_at", "closes_at", "mode", "invited_count"]
    list_filter = ["status"]
    list_select_related = ["survey"]
    filter_horizontal = ["departments"]
    readonly_fields = _WAVE_FIXED
    # The release holds every cell's response count, hidden ones too: never shown, not even to admins.
    exclude = ["released"]

    def get_readonly_fields(self, request, obj=None):
        if obj is not None and obj.status != Wave.Status.SCHEDULED:
            # Once open, nothing about a wave changes here (opening and closing now: the survey's page).
            return [f.name for f in Wave._meta.fields if f.name not in {"id", "released"}] + ["departments"]
        return _WAVE_FIXED

    def has_delete_permission(self, request, obj=None):
        return (obj is None or obj.status == Wave.Status.SCHEDULED) and super().has_delete_permission(request, obj)

    def save_model(self, request, obj, form, change):
        if not change:
            obj.created_by = request.user
        super().save_model(request, obj, form, change)
