"""Editing modules in the Django admin, for content authors (the "Content author" group) and admins.

The admin lets in only accounts with `is_staff`; of those, only authors and admins may see or change
modules, lessons and questions (the has_*_permission methods below, decided by organisation.roles).
Every save goes through courses.services.authoring so versions work exactly as for file loads:
a change to what staff see gives the module a new version and clears the changed lesson for people
part-way through. Publishing goes through the same service as the authoring pages (it refuses a
module with problems), so `published` is not a field here.
"""

from django.contrib import admin, messages
from django.urls import reverse
from django.utils.html import format_html

from courses.forms_authoring import (
    LessonAdminForm,
    ModuleAdminForm,
    OptionAdminForm,
    OptionInlineFormSet,
    QuestionAdminForm,
    QuestionInlineFormSet,
)
from courses.models import Lesson, Module, Option, Question
from courses.services import authoring
from organisation import roles
from organisation.admin import AuditedAdmin


class AuthorsOnly:
    """Authors and admins may view, add and change; decided by role, not by model permissions."""

    def has_module_permission(self, request):
        return roles.is_author(request.user)

    def has_view_permission(self, request, obj=None):
        return roles.is_author(request.user)

    def has_add_permission(self, request, obj=None):  # ModelAdmin passes (request), inlines (request, obj)
        return roles.is_author(request.user)

    def has_change_permission(self, request, obj=None):
        return roles.is_author(request.user)

    def has_delete_permission(self, request, obj=None):
        return roles.is_author(request.user)


def _preview_url(lesson: Lesson) -> str:
    return reverse("courses:authoring_preview", kwargs={"slug": lesson.module.slug, "lesson": lesson.slug})


def _preview_link(lesson: Lesson | None):
    if lesson is None or not lesson.pk:
        return "Save the lesson first."
    return format_html('<a href="{}">Preview as staff will see it</a>', _preview_url(lesson))


class VersionedAdmin(AuthorsOnly, AuditedAdmin):
    """Takes a snapshot of the module's content before a save and hands it to the authoring service
    after the inlines are saved, so the service can tell exactly what changed."""

    def module_id_of(self, obj) -> int | None:
        raise NotImplementedError

    def save_model(self, request, obj, form, change):
        obj._content_before = authoring.content_snapshot(self.module_id_of(obj))  # as it stands before the save
        super().save_model(request, obj, form, change)

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        obj = form.instance
        result = authoring.module_content_saved(
            module_id=self.module_id_of(obj), before=obj._content_before, actor=request.user,
            created=isinstance(obj, Module) and not change)
        if result.bumped:
            messages.info(request, f"“{result.module.title}” is now version {result.module.version}. "
                                   "People part-way through must redo the lessons that changed.")

    def delete_model(self, request, obj):
        module_id = self.module_id_of(obj)
        before = authoring.content_snapshot(module_id)
        super().delete_model(request, obj)
        authoring.module_content_saved(module_id=module_id, before=before, actor=request.user)

    def get_actions(self, request):
        # Deleting many at once would skip the versioning in delete_model.
        actions = super().get_actions(request)
        actions.pop("delete_selected", None)
        return actions


# --- Modules --------------------------------------------------------------------------------------

class LessonInline(AuthorsOnly, admin.TabularInline):
    model = Lesson
    form = LessonAdminForm
    fields = ["order", "title", "slug", "minutes", "retired", "preview"]
    readonly_fields = ["slug", "preview"]
    extra = 0
    show_change_link = True
    ordering = ["order", "pk"]

    @admin.display(description="Preview")
    def preview(self, obj):
        return _preview_link(obj)

    def has_add_permission(self, request, obj=None):
        return False  # a lesson needs its text and check: added from the lesson page ("Add a lesson")

    def has_delete_permission(self, request, obj=None):
        return False  # retire a lesson instead: people's progress on it is kept


@admin.register(Module)
class ModuleAdmin(VersionedAdmin):
    form = ModuleAdminForm
    list_display = ["title", "version", "published", "audience", "updated_at", "authoring_page"]
    list_filter = ["published", "audience"]
    search_fields = ["title", "slug"]
    filter_horizontal = ["values"]
    inlines = [LessonInline]
    actions = ["publish_selected", "unpublish_selected"]
    fields = ["slug", "title", "summary", "estimated_minutes", "audience", "values", "principles", "pass_mark",
              "confidence_question", "order", "version", "published", "updated_at", "authoring_page", "add_lesson"]

    def module_id_of(self, obj):
        return obj.pk

    def get_readonly_fields(self, request, obj=None):
        fixed = ["version", "published", "updated_at", "authoring_page", "add_lesson"]
        return fixed + ["slug"] if obj else fixed

    def get_prepopulated_fields(self, request, obj=None):
        return {} if obj else {"slug": ("title",)}

    def view_on_site(self, obj):
        return reverse("courses:authoring_module", kwargs={"slug": obj.slug})

    @admin.display(description="Lessons, preview and publishing")
    def authoring_page(self, obj):
        if not obj or not obj.pk:
            return "Save the module first."
        return format_html('<a href="{}">Open the authoring page</a>', self.view_on_site(obj))

    @admin.display(description="Add a lesson")
    def add_lesson(self, obj):
        if not obj or not obj.pk:
            return "Save the module first."
        return format_html('<a href="{}?module={}">Add a lesson to this module</a>',
                           reverse("admin:courses_lesson_add"), obj.pk)

    def has_delete_permission(self, request, obj=None):
        return False  # unpublish instead: deleting would remove people's progress and certificates

    @admin.action(description="Publish the selected modules")
    def publish_selected(self, request, queryset):
        for module in queryset:
            try:
                authoring.module_publish(actor=request.user, module=module)
            except authoring.PublishRefused as e:
                self.message_user(request, f"“{module}” was not published: {e}", messages.ERROR)
            else:
                self.message_user(request, f"“{module}” is published.", messages.SUCCESS)

    @admin.action(description="Unpublish the selected modules")
    def unpublish_selected(self, request, queryset):
        for module in queryset:
            authoring.module_unpublish(actor=request.user, module=module)
        self.message_user(request, f"{queryset.count()} module(s) unpublished.", messages.SUCCESS)


# --- Lessons --------------------------------------------------------------------------------------

class QuestionInline(AuthorsOnly, admin.StackedInline):
    model = Question
    form = QuestionAdminForm
    formset = QuestionInlineFormSet
    fields = ["order", "text", "type", "options_summary"]
    readonly_fields = ["options_summary"]
    extra = 0
    min_num = 1
    max_num = 3
    show_change_link = True
    ordering = ["order", "pk"]

    @admin.display(description="Options")
    def options_summary(self, obj):
        if not obj or not obj.pk:
            return "Save the lesson, then open the question to add its options and explanations."
        options = list(obj.options.all())
        correct = sum(o.correct for o in options)
        return f"{len(options)} option(s), {correct} correct. Open the question (“Change”) to edit them."


@admin.register(Lesson)
class LessonAdmin(VersionedAdmin):
    form = LessonAdminForm
    list_display = ["title", "module", "order", "minutes", "retired", "preview"]
    list_filter = ["module", "retired"]
    search_fields = ["title", "slug", "body"]
    list_select_related = ["module"]
    inlines = [QuestionInline]
    fields = ["module", "slug", "order", "title", "minutes", "body", "retired", "preview"]

    def module_id_of(self, obj):
        return obj.module_id

    def get_readonly_fields(self, request, obj=None):
        return ["module", "slug", "preview"] if obj else ["preview"]

    def get_prepopulated_fields(self, request, obj=None):
        return {} if obj else {"slug": ("title",)}

    def view_on_site(self, obj):
        return _preview_url(obj)

    @admin.display(description="Preview")
    def preview(self, obj):
        return _preview_link(obj)

    def has_delete_permission(self, request, obj=None):
        return False  # tick "retired" instead: people's progress on it is kept


# --- Questions ------------------------------------------------------------------------------------

class OptionInline(AuthorsOnly, admin.TabularInline):
    model = Option
    form = OptionAdminForm
    formset = OptionInlineFormSet
    fields = ["order", "text", "correct", "explanation"]
    extra = 0
    min_num = 2
    ordering = ["order", "pk"]


@admin.register(Question)
class QuestionAdmin(VersionedAdmin):
    form = QuestionAdminForm
    list_display = ["__str__", "lesson", "type", "preview"]
    list_filter = ["lesson__module", "type"]
    search_fields = ["text", "lesson__title"]
    list_select_related = ["lesson__module"]
    inlines = [OptionInline]
    fields = ["lesson", "order", "text", "type", "preview"]

    def module_id_of(self, obj):
        return Lesson.objects.values_list("module_id", flat=True).get(pk=obj.lesson_id)

    def get_readonly_fields(self, request, obj=None):
        return ["lesson", "preview"] if obj else ["preview"]

    def view_on_site(self, obj):
        return _preview_url(obj.lesson)

    @admin.display(description="Preview")
    def preview(self, obj):
        return _preview_link(obj.lesson if obj and obj.pk else None)
