"""Staff learning pages: My learning, a module, its lessons and knowledge checks, the confidence
question before and after, and certificates (with a public page to verify one)."""

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse, HttpResponseBadRequest
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import path, reverse
from django.views.decorators.http import require_GET, require_http_methods

from courses.forms import CertificateVerifyForm, LearningCheckForm, LearningConfidenceForm
from courses.selectors import learning as selectors
from courses.services import learning as services
from organisation import ratelimit


def _lesson_url(module, lesson) -> str:
    if lesson is None:
        return reverse("courses:learning_module", args=[module.slug])
    return reverse("courses:learning_lesson", args=[module.slug, lesson.slug])


@require_GET
@login_required
def my_learning(request):
    return render(request, "courses/learning/my_learning.html", {"learning": selectors.my_learning(request.user)})


@require_http_methods(["GET", "POST"])
@login_required
def module_detail(request, slug):
    """The module's page; a POST here retakes the module (allowed only below the pass mark with every
    lesson done, otherwise a 400 that changes nothing)."""
    page = selectors.module_page(request.user, slug)
    if request.method == "POST":
        if page.enrolment is None:
            return HttpResponseBadRequest("There is nothing to retake.", content_type="text/plain")
        try:
            enrolment = services.module_retake(enrolment=page.enrolment)
        except ValueError:
            return HttpResponseBadRequest("There is nothing to retake.", content_type="text/plain")
        return redirect(_lesson_url(page.module, enrolment.current_lesson))
    return render(request, "courses/learning/module.html", {"page": page})


@require_http_methods(["GET", "POST"])
@login_required
def confidence_before(request, slug):
    page = selectors.confidence_page(request.user, slug, "before")
    if page.started:  # asked once, at the start: someone coming back goes on where they were
        return redirect(_lesson_url(page.module, page.resume))
    form = LearningConfidenceForm(request.POST or None, question=page.module.confidence_question)
    if request.method == "POST" and form.is_valid():
        enrolment = services.module_begin(profile=page.profile, module=page.module,
                                          confidence=form.cleaned_data["confidence"])
        return redirect(_lesson_url(page.module, enrolment.current_lesson))
    return render(request, "courses/learning/confidence.html", {"page": page, "form": form})


@require_http_methods(["GET", "POST"])
@login_required
def confidence_after(request, slug):
    page = selectors.confidence_page(request.user, slug, "after")
    if not page.completed:
        return redirect("courses:learning_module", slug=slug)
    form = LearningConfidenceForm(request.POST or None, question=page.module.confidence_question,
                                  initial={"confidence": page.current})
    if request.method == "POST" and form.is_valid():
        services.confidence_record(enrolment=page.enrolment, when="after", value=form.cleaned_data["confidence"])
        if page.certificate is None:  # completed before certificates existed (or imported): no page to show
            return redirect("courses:learning_module", slug=slug)
        return redirect("courses:certificate", code=page.certificate.code)
    return render(request, "courses/learning/confidence.html", {"page": page, "form": form})


def _render_lesson(request, page, *, status=200, **extra):
    return render(request, "courses/learning/lesson.html", {"page": page, **extra}, status=status)


@require_GET
@login_required
def lesson_detail(request, slug, lesson):
    page = selectors.lesson_page(request.user, slug, lesson)
    if not page.started:
        return redirect("courses:learning_confidence_before", slug=slug)
    token = services.submission_token_issue(enrolment=page.enrolment, lesson=page.lesson, attempt=page.attempt)
    return _render_lesson(request, page, token=token)


@require_http_methods(["GET", "POST"])
@login_required
def check_submit(request, slug, lesson):
    """The answers to a lesson's knowledge check, then feedback on them. (A GET here, from a bookmark
    or a reload, goes to the lesson.)"""
    page = selectors.lesson_page(request.user, slug, lesson)
    if request.method == "GET" or not page.started:
        return redirect("courses:learning_lesson", slug=slug, lesson=lesson)
    form = LearningCheckForm(request.POST)
    if not form.is_valid():
        return _render_lesson(request, page, status=400, tampered=True)
    try:
        attempt = services.answers_submit(enrolment=page.enrolment, lesson=page.lesson,
                                          token=form.cleaned_data["token"], answers=form.answers)
    except services.TamperedAnswers:
        return _render_lesson(request, page, status=400, tampered=True)
    except services.UnansweredQuestions as missing:
        return _render_lesson(request, page, token=form.cleaned_data["token"], unanswered=missing.question_ids,
                              ticked=form.ticked())
    if attempt is None:  # a replayed token with nothing recorded for this lesson
        return redirect("courses:learning_lesson", slug=slug, lesson=lesson)
    return _render_lesson(request, page, feedback=selectors.check_feedback(attempt, page.questions))


def _verify_url(request, certificate) -> str:
    # The site's address (TANDEM_BASE_URL), not the request's host: a printed certificate outlives the visit.
    return settings.BASE_URL + reverse("courses:certificate_verify", args=[certificate.code])


@require_GET
@login_required
def certificate_detail(request, code):
    certificate = selectors.get_certificate_for_user(request.user, code)
    return render(request, "courses/learning/certificate.html",
                  {"certificate": certificate, "verify_url": _verify_url(request, certificate)})


def _refuse_fetch(url, *args, **kwargs):
    # The certificate needs nothing from outside the template: never let the PDF renderer fetch a URL.
    raise ValueError(f"not fetched: {url}")


@require_GET
@login_required
def certificate_pdf(request, code):
    import weasyprint  # imported here: it is slow to load and only this page needs it

    certificate = selectors.get_certificate_for_user(request.user, code)
    html = render_to_string("courses/learning/certificate_pdf.html",
                            {"certificate": certificate, "verify_url": _verify_url(request, certificate)}, request=request)
    # PDF/UA: a tagged PDF that screen readers can follow (public sector accessibility regulations).
    pdf = weasyprint.HTML(string=html, url_fetcher=_refuse_fetch).write_pdf(pdf_variant="pdf/ua-1")
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="certificate-{certificate.code}.pdf"'
    return response


@require_GET
def certificate_verify_lookup(request):
    form = CertificateVerifyForm(request.GET or None)
    if form.is_valid():
        return redirect("courses:certificate_verify", code=form.cleaned_data["code"])
    return render(request, "courses/learning/verify_lookup.html", {"form": form})


@require_GET
def certificate_verify(request, code):
    if not ratelimit.allow(request, "certificate-verify", limit=30, seconds=60):
        return HttpResponse("Too many checks. Wait a minute, then try again.", status=429, content_type="text/plain")
    certificate = selectors.certificate_verify(code)
    if certificate is None:
        return render(request, "courses/learning/verify_missing.html", {"code": code}, status=404)
    return render(request, "courses/learning/verify.html", {"certificate": certificate})


urlpatterns = [
    path("learning/", my_learning, name="learning_home"),
    path("learning/<slug:slug>/", module_detail, name="learning_module"),
    path("learning/<slug:slug>/confidence/before/", confidence_before, name="learning_confidence_before"),
    path("learning/<slug:slug>/confidence/after/", confidence_after, name="learning_confidence_after"),
    path("learning/<slug:slug>/<slug:lesson>/", lesson_detail, name="learning_lesson"),
    path("learning/<slug:slug>/<slug:lesson>/check/", check_submit, name="learning_check"),
    path("certificates/verify/", certificate_verify_lookup, name="certificate_verify_lookup"),
    path("certificates/verify/<str:code>/", certificate_verify, name="certificate_verify"),
    path("certificates/<str:code>/", certificate_detail, name="certificate"),
    path("certificates/<str:code>/pdf/", certificate_pdf, name="certificate_pdf"),
]
