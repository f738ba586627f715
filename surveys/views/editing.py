"""Editing a survey's sections and questions (HR), until its first wave opens.

Each page is for HR only. Once a wave of the survey has opened the questions are fixed: the pages then
send HR back to the survey with a message saying so (the services refuse the write as well, under a
lock, so a wave opening meanwhile cannot slip an edit in). Moves are buttons (POST), so the order can be
changed without JavaScript and from a phone.
"""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.views.decorators.http import require_http_methods, require_POST

from organisation.permissions import hr_required
from surveys import selectors_results as results
from surveys import services
from surveys.forms_answer import SurveyAnswerForm
from surveys.forms_manage import QuestionForm, SectionForm, add_service_errors
from surveys.selectors import answer_sheet_questions
from surveys.services import EditRefused

_LOCKED = "A wave of this survey has opened, so its questions can no longer be changed."


def _back(survey_id, anchor=""):
    return redirect(reverse("surveys:survey", kwargs={"survey_id": survey_id}) + (f"#{anchor}" if anchor else ""))


def _refuse_if_locked(request, survey):
    """A redirect back to the survey when its questions are fixed, else None."""
    if services.survey_mode_locked(survey):
        messages.error(request, _LOCKED)
        return _back(survey.pk)
    return None


def _attempt(request, form, survey_id, write):
    """Run a write for a posted, valid form: (its result, None); or (None, a redirect back to the survey)
    if the questions became fixed, or what was edited was removed, meanwhile; or (None, None) if the service refused the input, whose
    errors are then on the form."""
    try:
        return write(), None
    except EditRefused as error:
        messages.error(request, str(error))
        return None, _back(survey_id)
    except ValidationError as error:
        add_service_errors(form, error)
        return None, None


# --- Sections ----------------------------------------------------------------------------------------------

@require_http_methods(["GET", "POST"])
@hr_required
def section_new(request, survey_id):
    survey = results.get_survey_for_hr(survey_id)
    if refused := _refuse_if_locked(request, survey):
        return refused
    form = SectionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        section, refused = _attempt(request, form, survey.pk, lambda: services.section_add(
            actor=request.user, survey=survey, title=form.cleaned_data["title"]))
        if refused:
            return refused
        if section:
            messages.success(request, f"Section \u201c{section.title}\u201d added. Add its questions.")
            return redirect("surveys:question_new", section_id=section.pk)
    return render(request, "surveys/manage/section_form.html", {"survey": survey, "form": form})


@require_http_methods(["GET", "POST"])
@hr_required
def section_edit(request, section_id):
    section = results.get_section_for_hr(section_id)
    if refused := _refuse_if_locked(request, section.survey):
        return refused
    form = SectionForm(request.POST or None, initial={"title": section.title})
    if request.method == "POST" and form.is_valid():
        saved, refused = _attempt(request, form, section.survey_id, lambda: services.section_change(
            actor=request.user, section=section, title=form.cleaned_data["title"]))
        if refused:
            return refused
        if saved:
            messages.success(request, f"Section \u201c{saved.title}\u201d saved.")
            return _back(saved.survey_id, f"section-{saved.pk}")
    return render(request, "surveys/manage/section_form.html",
                  {"survey": section.survey, "form": form, "section": section})


@require_http_methods(["GET", "POST"])
@hr_required
def section_remove(request, section_id):
    section = results.get_section_for_hr(section_id)
    if refused := _refuse_if_locked(request, section.survey):
        return refused
    if request.method == "POST":
        try:
            removed = services.section_remove(actor=request.user, section=section)
        except EditRefused as error:
            messages.error(request, str(error))
        else:
            messages.success(request, f"Section \u201c{section.title}\u201d removed"
                                      + (f", with its {removed} question{'s' if removed != 1 else ''}." if removed else "."))
        return _back(section.survey_id)
    return render(request, "surveys/manage/remove.html", {
        "survey": section.survey, "thing": "section", "title": section.title,
        "questions": list(section.questions.order_by("order", "pk").values_list("text", flat=True)),
    })


@require_POST
@hr_required
def section_move(request, section_id):
    section = results.get_section_for_hr(section_id)
    return _move(request, section.survey_id, f"section-{section.pk}",
                 lambda by: services.section_move(actor=request.user, section=section, by=by))


# --- Questions ---------------------------------------------------------------------------------------------

@require_http_methods(["GET", "POST"])
@hr_required
def question_new(request, section_id):
    section = results.get_section_for_hr(section_id)
    survey = section.survey
    if refused := _refuse_if_locked(request, survey):
        return refused
    initial = {"section": str(section.pk), "required": "yes"}
    form = QuestionForm(request.POST or None, survey=survey, initial=initial)
    if request.method == "POST" and form.is_valid():
        question, refused = _attempt(request, form, survey.pk, lambda: services.question_add(
            actor=request.user, section=form.chosen_section(), **form.question()))
        if refused:
            return refused
        if question:
            messages.success(request, "Question added.")
            if "another" in request.POST:
                return redirect("surveys:question_new", section_id=question.section_id)
            return _back(survey.pk, f"question-{question.pk}")
    return render(request, "surveys/manage/question_form.html", {"survey": survey, "form": form, "section": section})


@require_http_methods(["GET", "POST"])
@hr_required
def question_edit(request, question_id):
    question = results.get_question_for_hr(question_id)
    survey = question.survey
    if refused := _refuse_if_locked(request, survey):
        return refused
    form = QuestionForm(request.POST or None, survey=survey, question=question)
    if request.method == "POST" and form.is_valid():
        saved, refused = _attempt(request, form, survey.pk, lambda: services.question_change(
            actor=request.user, question=question, section=form.chosen_section(), **form.question()))
        if refused:
            return refused
        if saved:
            messages.success(request, "Question saved.")
            return _back(survey.pk, f"question-{saved.pk}")
    return render(request, "surveys/manage/question_form.html", {"survey": survey, "form": form, "question": question})


@require_http_methods(["GET", "POST"])
@hr_required
def question_remove(request, question_id):
    question = results.get_question_for_hr(question_id)
    if refused := _refuse_if_locked(request, question.survey):
        return refused
    if request.method == "POST":
        try:
            services.question_remove(actor=request.user, question=question)
        except EditRefused as error:
            messages.error(request, str(error))
        else:
            messages.success(request, "Question removed.")
        return _back(question.survey_id, f"section-{question.section_id}")
    return render(request, "surveys/manage/remove.html",
                  {"survey": question.survey, "thing": "question", "title": question.text})


@require_POST
@hr_required
def question_move(request, question_id):
    question = results.get_question_for_hr(question_id)
    return _move(request, question.survey_id, f"question-{question.pk}",
                 lambda by: services.question_move(actor=request.user, question=question, by=by))


# --- Preview ----------------------------------------------------------------------------------------------

@require_http_methods(["GET", "POST"])
@hr_required
def survey_preview(request, survey_id):
    """The survey as staff will see it, with what they are told about who sees their answers. Answers sent
    from here are checked as staff answers are, and never saved."""
    survey = results.get_survey_for_hr(survey_id)
    form = SurveyAnswerForm(request.POST or None, questions=answer_sheet_questions(survey))
    checked = request.method == "POST" and form.is_valid()
    n, comment_n = services.thresholds()
    as_staff_see_it = {"mode": survey.mode, "min_group_size": n, "min_comment_group_size": comment_n}
    return render(request, "surveys/manage/preview.html", {
        "survey": survey, "form": form, "checked": checked, "wave": as_staff_see_it,
        "introduction": survey.introduction_paragraphs(), "problems": services.survey_problems(survey),
    })


def _move(request, survey_id, anchor, move):
    direction = request.POST.get("direction")
    if direction not in ("up", "down"):
        messages.error(request, "Choose to move it up or down.")
        return _back(survey_id)
    try:
        move(-1 if direction == "up" else 1)
    except EditRefused as error:
        messages.error(request, str(error))
        return _back(survey_id)
    return _back(survey_id, anchor)


urlpatterns = [
    path("surveys/manage/<int:survey_id>/preview/", survey_preview, name="survey_preview"),
    path("surveys/manage/<int:survey_id>/sections/new/", section_new, name="section_new"),
    path("surveys/manage/sections/<int:section_id>/change/", section_edit, name="section_edit"),
    path("surveys/manage/sections/<int:section_id>/remove/", section_remove, name="section_remove"),
    path("surveys/manage/sections/<int:section_id>/move/", section_move, name="section_move"),
    path("surveys/manage/sections/<int:section_id>/questions/new/", question_new, name="question_new"),
    path("surveys/manage/questions/<int:question_id>/change/", question_edit, name="question_edit"),
    path("surveys/manage/questions/<int:question_id>/remove/", question_remove, name="question_remove"),
    path("surveys/manage/questions/<int:question_id>/move/", question_move, name="question_move"),
]
