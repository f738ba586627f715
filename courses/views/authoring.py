"""Pages for content authors: every module (published or not), a module's lessons and problems, a
preview of each lesson exactly as staff will see it, and publishing. Editing is in the Django admin
(courses/admin.py)."""

from django.contrib import messages
from django.shortcuts import redirect, render
from django.template.defaultfilters import pluralize
from django.urls import path
from django.views.decorators.http import require_GET, require_POST

from courses.rendering import render_markdown
from courses.selectors import authoring as selectors
from courses.services import authoring as services
from organisation.permissions import author_required


@require_GET
@author_required
def module_list(request):
    return render(request, "courses/authoring/module_list.html", {
        "modules": selectors.modules_for_author(request.user)})


@require_GET
@author_required
def module_detail(request, slug):
    module = selectors.get_module_for_author(request.user, slug)
    lessons = selectors.lessons_for_author(request.user, module)
    return render(request, "courses/authoring/module_detail.html", {
        "module": module,
        "lessons": lessons,
        "has_current_lessons": any(not lesson.retired for lesson in lessons),
        "has_retired_lessons": any(lesson.retired for lesson in lessons),
        "lessons_with_problems": [lesson for lesson in lessons if lesson.problems],
    })


@require_GET
@author_required
def lesson_preview(request, slug, lesson):
    module = selectors.get_module_for_author(request.user, slug)
    lesson = selectors.get_lesson_for_preview(request.user, module, lesson)
    return render(request, "courses/authoring/lesson_preview.html", {
        "module": module,
        "lesson": lesson,
        "body": render_markdown(lesson.body, council_values=selectors.council_values()),
        "neighbours": selectors.neighbouring_lessons(module, lesson),
    })


@require_POST
@author_required
def module_publish(request, slug):
    module = selectors.get_module_for_author(request.user, slug)
    try:
        services.module_publish(actor=request.user, module=module)
    except services.PublishRefused as e:
        count = len(e.problems)
        messages.error(request, f"“{module.title}” was not published: {count} problem{pluralize(count)} to fix "
                                "first, listed on this page.")
    else:
        messages.success(request, f"“{module.title}” is published. Staff can find it in the catalogue.")
    return redirect("courses:authoring_module", slug=module.slug)


@require_POST
@author_required
def module_unpublish(request, slug):
    module = selectors.get_module_for_author(request.user, slug)
    services.module_unpublish(actor=request.user, module=module)
    messages.success(request, f"“{module.title}” is unpublished. Staff no longer see it in the catalogue; "
                              "their progress and certificates are kept.")
    return redirect("courses:authoring_module", slug=module.slug)


urlpatterns = [
    path("authoring/", module_list, name="authoring"),
    path("authoring/<slug:slug>/", module_detail, name="authoring_module"),
    path("authoring/<slug:slug>/publish/", module_publish, name="authoring_publish"),
    path("authoring/<slug:slug>/unpublish/", module_unpublish, name="authoring_unpublish"),
    path("authoring/<slug:slug>/<slug:lesson>/preview/", lesson_preview, name="authoring_preview"),
]
