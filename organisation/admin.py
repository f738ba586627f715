from django.contrib import admin
from django.contrib.admin.utils import unquote
from django.contrib.auth.admin import UserAdmin

from organisation.models import (
    AuditEvent,
    CouncilSettings,
    CouncilValue,
    Department,
    StaffImport,
    StaffProfile,
    User,
)
from organisation.services import audit_record


class AuditedAdmin(admin.ModelAdmin):
    """Changes made in the admin to staff data are recorded in the audit log."""

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        audit_record(actor=request.user, action=f"{obj._meta.verbose_name} {'changed' if change else 'added'} in admin",
                     target=str(obj), detail={"fields": form.changed_data})

    def delete_model(self, request, obj):
        audit_record(actor=request.user, action=f"{obj._meta.verbose_name} deleted in admin", target=str(obj))
        super().delete_model(request, obj)

    def delete_queryset(self, request, queryset):
        # The list's "Delete selected" action skips delete_model: one event for each object.
        for obj in queryset:
            audit_record(actor=request.user, action=f"{obj._meta.verbose_name} deleted in admin", target=str(obj))
        super().delete_queryset(request, queryset)


@admin.register(User)
class TandemUserAdmin(UserAdmin, AuditedAdmin):
    list_display = ["username", "first_name", "last_name", "email", "is_active", "is_superuser"]

    def user_change_password(self, request, id, form_url=""):
        # Django saves the new password without save_model: record it here (a set password is a way in).
        response = super().user_change_password(request, id, form_url)
        if request.method == "POST" and response.status_code == 302 and response["Location"] != request.get_full_path():
            user = self.get_object(request, unquote(id))
            audit_record(actor=request.user, action="password set in admin", target=str(user))
        return response


@admin.register(Department)
class DepartmentAdmin(AuditedAdmin):
    list_display = ["name", "code", "parent"]
    search_fields = ["name", "code"]
    filter_horizontal = ["managers"]
    autocomplete_fields = ["parent"]


@admin.register(StaffProfile)
class StaffProfileAdmin(AuditedAdmin):
    list_display = ["staff_number", "user", "department", "work_pattern", "contract", "has_work_email", "active"]
    list_filter = ["work_pattern", "contract", "has_work_email", "active"]
    search_fields = ["staff_number", "user__first_name", "user__last_name", "user__email"]
    autocomplete_fields = ["user", "department", "line_manager"]
    list_select_related = ["user", "department"]


class CouncilValueInline(admin.TabularInline):
    model = CouncilValue
    extra = 0


@admin.register(CouncilSettings)
class CouncilSettingsAdmin(AuditedAdmin):
    def has_add_permission(self, request):
        return not CouncilSettings.objects.exists()

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(CouncilValue)
class CouncilValueAdmin(AuditedAdmin):
    list_display = ["name", "order"]


@admin.register(StaffImport)
class StaffImportAdmin(admin.ModelAdmin):
    list_display = ["filename", "created_at", "created_by", "status", "row_count"]
    readonly_fields = [f.name for f in StaffImport._meta.fields]

    def has_add_permission(self, request):
        return False


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin):
    list_display = ["at", "actor_label", "action", "target"]
    list_filter = ["action"]
    readonly_fields = ["actor", "actor_label", "action", "target", "detail", "at"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
