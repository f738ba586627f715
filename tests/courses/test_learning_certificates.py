"""Finishing a module: the confidence question again, a certificate page and PDF for the learner only,
and a public page that confirms a certificate by its code and shows nothing more than name, module
and date."""

import pytest
from django.urls import reverse

from courses.models import Certificate, Enrolment
from tests.clients import Client  # force_login includes the MFA step, as a real sign-in
from tests.courses.conftest import answers_for, enrolment_of, lessons, start, submit


def complete(client, module):
    for lesson in lessons(module):
        submit(client, lesson, answers_for(lesson))


@pytest.fixture
def completed(client, org, small_module):
    client.force_login(org.staff)
    start(client, small_module, confidence=2)
    complete(client, small_module)
    return enrolment_of(org.staff, small_module)


def test_completion_then_confidence_after_then_certificate(client, org, small_module, completed):
    assert completed.status == Enrolment.Status.COMPLETED
    certificate = completed.certificate
    assert certificate.name == org.staff.get_full_name()
    assert certificate.module_title == small_module.title
    assert certificate.module_version == small_module.version

    url = reverse("courses:learning_confidence_after", args=[small_module.slug])
    page = client.get(url).content.decode()
    assert small_module.confidence_question in page and "Now you have finished" in page
    response = client.post(url, {"confidence": 4})
    assert response.status_code == 302
    assert response["Location"] == reverse("courses:certificate", args=[certificate.code])
    completed.refresh_from_db()
    assert (completed.confidence_before, completed.confidence_after) == (2, 4)

    page = client.get(response["Location"]).content.decode()
    for shown in (certificate.name, certificate.module_title, certificate.code, "Version",
                  certificate.issued_at.strftime("%-d %B %Y")):
        assert str(shown) in page
    assert "2 out of 5 before the module and 4 out of 5 after it" in page
    assert reverse("courses:certificate_verify", args=[certificate.code]) in page


def test_confidence_after_waits_for_completion(client, org, small_module):
    client.force_login(org.staff)
    start(client, small_module)
    url = reverse("courses:learning_confidence_after", args=[small_module.slug])
    assert client.get(url)["Location"] == reverse("courses:learning_module", args=[small_module.slug])
    assert client.post(url, {"confidence": 5}).status_code == 302
    assert enrolment_of(org.staff, small_module).confidence_after is None


def test_module_page_links_the_certificate(client, small_module, completed):
    page = client.get(reverse("courses:learning_module", args=[small_module.slug])).content.decode()
    assert reverse("courses:certificate", args=[completed.certificate.code]) in page
    assert "Completed" in page


def test_certificate_links_use_the_site_address_not_the_request_host(settings, client, completed, monkeypatch):
    """A printed certificate is checked later by someone else: its link is TANDEM_BASE_URL's."""
    import weasyprint

    settings.BASE_URL = "https://tandem.council.example"
    verify = settings.BASE_URL + reverse("courses:certificate_verify", args=[completed.certificate.code])
    page = client.get(reverse("courses:certificate", args=[completed.certificate.code])).content.decode()
    assert verify in page and "testserver" not in page
    rendered = []
    real_html = weasyprint.HTML

    def spy(*args, **kwargs):  # the real renderer, remembering the HTML it was given
        rendered.append(kwargs["string"])
        return real_html(*args, **kwargs)

    monkeypatch.setattr(weasyprint, "HTML", spy)
    assert client.get(reverse("courses:certificate_pdf", args=[completed.certificate.code])).status_code == 200
    (html,) = rendered
    assert verify in html and "testserver" not in html


def test_certificate_pdf(client, small_module, completed, monkeypatch):
    import weasyprint

    rendered = []
    real_html = weasyprint.HTML

    def spy(*args, **kwargs):  # the real renderer, remembering the HTML it was given
        rendered.append(kwargs["string"])
        return real_html(*args, **kwargs)

    monkeypatch.setattr(weasyprint, "HTML", spy)
    certificate = completed.certificate
    response = client.get(reverse("courses:certificate_pdf", args=[certificate.code]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    assert f"certificate-{certificate.code}.pdf" in response["Content-Disposition"]
    (html,) = rendered
    for shown in (certificate.name, certificate.module_title, certificate.code, f"Version {certificate.module_version}",
                  certificate.issued_at.strftime("%-d %B %Y"),
                  reverse("courses:certificate_verify", args=[certificate.code])):
        assert shown in html
    # The PDF's own title names the person and the module (what a file list or a reader shows).
    assert _pdf_title(response.content) == f"Certificate: {certificate.name}, {certificate.module_title}"


def _pdf_title(pdf: bytes) -> str:
    """The /Title of a PDF's document information (WeasyPrint keeps it in a compressed object stream)."""
    import re
    import zlib

    for stream in re.findall(rb"stream\r?\n(.*?)\r?\nendstream", pdf, re.S):
        try:
            data = zlib.decompress(stream)
        except zlib.error:
            continue
        if match := re.search(rb"/Title \((.*?)\)>>", data):
            return match.group(1).decode("latin-1")
    return ""


def test_certificate_code_is_case_insensitive_for_the_owner(client, completed):
    url = reverse("courses:certificate", args=[completed.certificate.code.lower()])
    assert client.get(url).status_code == 200


@pytest.mark.parametrize("role", ["frontline", "env_manager", "res_manager", "hr", "author", "admin"])
def test_nobody_else_sees_the_certificate_page_or_pdf(org, completed, role):
    other = Client()
    other.force_login(getattr(org, role))
    code = completed.certificate.code
    assert other.get(reverse("courses:certificate", args=[code])).status_code == 404
    assert other.get(reverse("courses:certificate_pdf", args=[code])).status_code == 404


def test_certificate_pages_need_sign_in(completed):
    response = Client().get(reverse("courses:certificate", args=[completed.certificate.code]))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_verify_is_public_and_shows_only_name_module_and_date(org, completed):
    certificate = completed.certificate
    profile = org.staff.profile
    response = Client().get(reverse("courses:certificate_verify", args=[certificate.code]))
    assert response.status_code == 200
    page = response.content.decode()
    main = page[page.index('<main'):page.index('</main>')]
    assert "Certificate confirmed" in main
    for shown in (certificate.name, certificate.module_title, certificate.issued_at.strftime("%-d %B %Y")):
        assert shown in main
    for hidden in (profile.staff_number, org.staff.email, profile.department.name, "Version", "Score",
                   str(completed.best_score) + "%", "confident"):
        assert hidden not in main
    assert [dt.strip() for dt in _terms(main)] == ["Name", "Module", "Completed on"]


def _terms(html: str) -> list[str]:
    import re

    return re.findall(r'<dt class="govuk-summary-list__key">([^<]*)</dt>', html)


def test_verify_accepts_lower_case(completed):
    url = reverse("courses:certificate_verify", args=[completed.certificate.code.lower()])
    assert Client().get(url).status_code == 200


@pytest.mark.django_db
@pytest.mark.parametrize("code", ["ABCDEF123456", "not-a-code", "<script>"])
def test_unknown_code_is_a_clear_404(client, code):
    response = client.get(reverse("courses:certificate_verify", args=[code]))
    assert response.status_code == 404
    page = response.content.decode()
    assert "No certificate with that code" in page
    assert "<script>" not in page.split("<main")[1]


@pytest.mark.parametrize("code", ["ABCDEF123456", "not-a-code"])
def test_unknown_code_is_a_404_when_other_certificates_exist(completed, code):
    # With a certificate in the database, a lookup that ignored the code would find it.
    assert Certificate.objects.exists()
    response = Client().get(reverse("courses:certificate_verify", args=[code]))
    assert response.status_code == 404
    page = response.content.decode()
    assert "No certificate with that code" in page
    assert completed.certificate.name not in page


@pytest.mark.django_db
def test_verify_lookup_form(client):
    url = reverse("courses:certificate_verify_lookup")
    assert client.get(url).status_code == 200
    response = client.get(url, {"code": " ab12-cd34 ef56 "})
    assert response["Location"] == reverse("courses:certificate_verify", args=["AB12CD34EF56"])
    response = client.get(url, {"code": "a/b"})
    assert response.status_code == 200 and "only letters and numbers" in response.content.decode()
    response = client.get(url, {"code": ""})
    assert "Enter the verification code from the certificate" in response.content.decode()


def test_certificate_stays_when_the_module_is_unpublished(client, small_module, completed):
    type(small_module).objects.filter(pk=small_module.pk).update(published=False)
    code = completed.certificate.code
    assert client.get(reverse("courses:certificate", args=[code])).status_code == 200
    assert Client().get(reverse("courses:certificate_verify", args=[code])).status_code == 200


def test_one_certificate_per_enrolment(client, small_module, completed):
    complete(client, small_module)  # doing it all again
    assert Certificate.objects.filter(enrolment=completed).count() == 1


def test_finishing_again_goes_straight_to_the_certificate(client, small_module, completed):
    client.post(reverse("courses:learning_confidence_after", args=[small_module.slug]), {"confidence": 5})
    last = lessons(small_module)[-1]
    page = submit(client, last, answers_for(last)).content.decode()  # a retry after finishing
    assert reverse("courses:certificate", args=[completed.certificate.code]) in page


def test_completed_without_a_certificate_does_not_break(client, org, small_module, completed):
    """An enrolment marked complete elsewhere (an import, demo data) may have no certificate."""
    Certificate.objects.filter(enrolment=completed).delete()
    response = client.post(reverse("courses:learning_confidence_after", args=[small_module.slug]), {"confidence": 5})
    assert response["Location"] == reverse("courses:learning_module", args=[small_module.slug])
    last = lessons(small_module)[-1]
    assert submit(client, last, answers_for(last)).status_code == 200
    assert client.get(reverse("courses:learning_module", args=[small_module.slug])).status_code == 200
    assert client.get(reverse("courses:learning_home")).status_code == 200
