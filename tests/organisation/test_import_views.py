"""The staff import pages, through the test client: upload, errors, preview (departments by name and
code; an unchanged file has nothing to confirm), confirm (once) and the next steps after it
(invitations, sign-in slips), progress, access."""

import html
import re
from html.parser import HTMLParser

import pytest
from allauth.mfa.models import Authenticator
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from organisation import importing, tasks
from organisation.models import AuditEvent, StaffImport, StaffProfile, User
from tests.organisation.staff_csv import counts, current_rows, snapshot, staff_row, to_csv, upload

UPLOAD = reverse("organisation:import")


def post_file(client, raw, *, name="hr-export.csv", complete_file=False, follow=True):
    data = {"file": SimpleUploadedFile(name, raw, content_type="text/csv")}
    if complete_file:
        data["complete_file"] = "on"
    return client.post(UPLOAD, data, follow=follow)


def page_text(response) -> str:
    return html.unescape(re.sub(r"\s+", " ", response.content.decode()))


class _Page(HTMLParser):
    """The tables (caption -> rows of cell text) and summary list (term -> value) of a page."""

    def __init__(self, content):
        super().__init__()
        self.tables, self.terms = {}, {}
        self._caption = self._row = self._text = None
        self._term = None
        self.feed(content)

    def handle_starttag(self, tag, attrs):
        if tag in {"caption", "td", "dt", "dd"}:
            self._text = []
        elif tag == "tr":
            self._row = []

    def handle_data(self, data):
        if self._text is not None:
            self._text.append(data)

    def handle_endtag(self, tag):
        if tag not in {"caption", "td", "dt", "dd", "tr"}:
            return
        if tag == "tr":
            if self._row:
                self.tables[self._caption].append(tuple(self._row))
            self._row = None
            return
        text = re.sub(r"\s+", " ", "".join(self._text)).strip()
        self._text = None
        if tag == "caption":
            self._caption = text
            self.tables[text] = []
        elif tag == "td" and self._row is not None:
            self._row.append(text)
        elif tag == "dt":
            self._term = text
        elif tag == "dd":
            self.terms[self._term] = text


def parse_page(response) -> _Page:
    return _Page(response.content.decode())


def good_rows():
    return [
        staff_row("N100", first="Priya", last="Patel", dept="RES-FIN"),
        staff_row("N101", first="Tomasz", last="Nowak", dept="ENV-WASTE", pattern="frontline", email="",
                  manager="N100"),
        staff_row("N102", first="Grace", last="Hughes", dept="ENV-PARKS", manager="N100"),
    ]


@pytest.fixture
def hr_client(client, org):
    client.force_login(org.hr)
    return client


def test_upload_page(hr_client):
    response = hr_client.get(UPLOAD)
    assert response.status_code == 200
    text = page_text(response)
    assert "Import staff from the HR system" in text
    for column in importing.REQUIRED_COLUMNS + importing.OPTIONAL_COLUMNS:
        assert f"<code>{column}</code>" in text


def test_bad_file_lists_every_problem_and_writes_nothing(hr_client, org):
    rows = good_rows()
    rows[1]["department_code"] = "ENV-WSATE"
    rows[2]["email"] = "grace@@example.org"
    rows[2]["line_manager_staff_number"] = "N999"
    before = snapshot()
    response = post_file(hr_client, to_csv(rows).encode())

    imp = StaffImport.objects.get()
    assert response.redirect_chain == [(reverse("organisation:import_detail", args=[imp.pk]), 302)]
    assert response.status_code == 200
    assert imp.status == StaffImport.Status.INVALID
    text = page_text(response)
    assert "3 problems found. Nothing has been changed." in text
    assert parse_page(response).tables["Problems, by line of the file"] == [
        ("3", "department_code", "no department has the code 'ENV-WSATE'"),
        ("4", "email", "'grace@@example.org' is not a valid email address"),
        ("4", "line_manager_staff_number", "manager 'N999' was not found in this file or among current staff"),
    ]
    assert "Confirm and apply" not in text
    assert snapshot() == before

    # Confirming an invalid import does nothing.
    response = hr_client.post(reverse("organisation:import_confirm", args=[imp.pk]), follow=True)
    assert "This import has already been applied or is being applied." in page_text(response)
    imp.refresh_from_db()
    assert imp.status == StaffImport.Status.INVALID
    assert snapshot() == before


@pytest.mark.parametrize("raw, message", [
    (b"\x00\x01\x02 binary", "This is not a CSV file (it looks like a spreadsheet or other binary file)."),
    (b"staff_number,first_name\nN1,A\n", "The first line must name the columns. Missing: last_name, department_code, "
                                         "work_pattern, contract."),
    (",".join(importing.ALL_COLUMNS).encode() + b"\n", "The file has a header but no staff rows."),
    (b"", "The submitted file is empty."),  # Django's own check, before ours
])
def test_unusable_file_is_refused_on_the_upload_page(hr_client, raw, message):
    response = post_file(hr_client, raw)
    assert response.status_code == 200
    assert response.redirect_chain == []
    assert message in page_text(response)
    assert not StaffImport.objects.exists()
    assert not AuditEvent.objects.exists()


def test_file_over_the_size_limit(hr_client, settings):
    settings.STAFF_IMPORT_MAX_BYTES = 1024
    response = post_file(hr_client, to_csv([staff_row(f"N{i}") for i in range(100, 130)]).encode())
    assert response.status_code == 200
    assert ("The file is larger than the limit of 1 KB. Split it, or ask your administrator to raise "
            "STAFF_IMPORT_MAX_BYTES.") in page_text(response)
    assert not StaffImport.objects.exists()


def test_good_file_preview_confirm_and_audit(hr_client, org):
    sam = org.staff.profile
    rows = current_rows()
    rows[0].update(job_title="Senior Officer")
    assert rows[0]["staff_number"] == sam.staff_number
    rows = [r for r in rows if r["staff_number"] != org.frontline.username] + good_rows()
    before = counts()

    response = post_file(hr_client, to_csv(rows).encode(), complete_file=True)
    imp = StaffImport.objects.get()
    assert (imp.status, imp.complete_file, imp.row_count, imp.created_by) == (
        StaffImport.Status.READY, True, 9, org.hr)
    text = page_text(response)
    assert "What will change" in text
    assert "marked as the complete list of staff" in text
    page = parse_page(response)
    assert page.terms == {"New staff": "3", "Updated": "1", "Unchanged": "5", "Leavers to deactivate": "1"}
    assert page.tables["Updated staff"] == [
        ("2", f"{sam.user.get_full_name()} ({sam.staff_number})",
         "Job title: (blank) → Senior Officer")]
    assert page.tables["New staff"] == [
        ("8", "Priya Patel (N100)", "Finance (RES-FIN)"), ("9", "Tomasz Nowak (N101)", "Waste Collection (ENV-WASTE)"),
        ("10", "Grace Hughes (N102)", "Parks (ENV-PARKS)")]
    assert org.frontline.username in text  # the leaver is named
    assert counts() == before  # the preview writes nothing

    uploaded = AuditEvent.objects.get(action="staff import uploaded")
    assert (uploaded.actor, uploaded.target, uploaded.detail) == (
        org.hr, "hr-export.csv", {"import": str(imp.pk), "rows": 9, "complete_file": True})

    response = hr_client.post(reverse("organisation:import_confirm", args=[imp.pk]), follow=True)
    assert response.redirect_chain == [(reverse("organisation:import_detail", args=[imp.pk]), 302)]
    imp.refresh_from_db()
    assert imp.status == StaffImport.Status.APPLIED
    text = page_text(response)
    assert "What changed" in text
    assert "Confirm and apply" not in text
    # The next steps: Priya and Grace have a work email, Tomasz has none.
    assert ": 3 new, 1 updated, 1 deactivated." in text
    assert "Invitations to choose a password are queued for 2 new people with a work email" in text
    assert "Print sign-in slips for the 1 new person without a work email" in text
    assert "Print sign-in slips for this person" in text
    assert counts() == {"users": before["users"] + 3, "profiles": before["profiles"] + 3,
                        "emails": before["emails"] + 2}
    sam.refresh_from_db()
    assert sam.job_title == "Senior Officer"
    assert StaffProfile.objects.get(staff_number=org.frontline.username).active is False
    assert StaffProfile.objects.get(staff_number="N101").line_manager.staff_number == "N100"
    applied = AuditEvent.objects.get(action="staff import applied")
    assert (applied.actor, applied.target, applied.detail) == (
        org.hr, "hr-export.csv", {"import": str(imp.pk), "new": 3, "updated": 1, "leavers": 1})

    # A second confirm (double click, back button) applies nothing.
    after = snapshot()
    response = hr_client.post(reverse("organisation:import_confirm", args=[imp.pk]), follow=True)
    assert response.status_code == 200
    assert "This import has already been applied or is being applied." in page_text(response)
    assert snapshot() == after
    assert AuditEvent.objects.filter(action="staff import applied").count() == 1


def test_a_moved_person_is_shown_with_department_names(hr_client, org):
    sam = org.staff.profile
    rows = current_rows()
    rows[0].update(department_code="ENV-WASTE", grade_band="Grade 7")
    post_file(hr_client, to_csv(rows).encode())
    imp = StaffImport.objects.get()
    page = parse_page(hr_client.get(reverse("organisation:import_detail", args=[imp.pk])))
    assert page.tables["Updated staff"] == [
        ("2", f"{sam.user.get_full_name()} ({sam.staff_number})",
         "Department: Finance (RES-FIN) → Waste Collection (ENV-WASTE)Grade band: (blank) → Grade 7")]


def test_an_unchanged_file_has_nothing_to_confirm(hr_client, org):
    response = post_file(hr_client, to_csv(current_rows()).encode(), complete_file=True)
    imp = StaffImport.objects.get()
    assert imp.nothing_to_change
    text = page_text(response)
    assert "Nothing to change" in text
    assert f"Everyone in this file ({imp.row_count} people) already matches the records, and everyone on record is in it." in text
    assert "Confirm and apply" not in text and "import_confirm" not in text
    assert reverse("organisation:import_confirm", args=[imp.pk]) not in response.content.decode()
    # Confirming anyway (an old tab, a crafted request) applies nothing.
    before = snapshot()
    response = hr_client.post(reverse("organisation:import_confirm", args=[imp.pk]), follow=True)
    assert "There is nothing to change" in page_text(response)
    imp.refresh_from_db()
    assert imp.status == StaffImport.Status.READY
    assert snapshot() == before
    assert not AuditEvent.objects.filter(action="staff import applied").exists()


def test_the_slips_button_prints_slips_for_the_new_people_without_email(hr_client, org):
    rows = current_rows() + good_rows() + [staff_row("N103", first="Olu", last="Ade", dept="ENV-WASTE", email="")]
    response = post_file(hr_client, to_csv(rows).encode())
    imp = StaffImport.objects.get()
    hr_client.post(reverse("organisation:import_confirm", args=[imp.pk]))
    response = hr_client.get(reverse("organisation:import_detail", args=[imp.pk]))
    steps = response.context["next_steps"]
    new_without_email = [StaffProfile.objects.get(staff_number=n).pk for n in ("N103", "N101")]  # by name: Ade, Nowak
    assert (steps["invited"], steps["slips"], steps["slip_batches"]) == (2, 2, [new_without_email])
    content = response.content.decode()
    for pk in new_without_email:
        assert f'<input type="hidden" name="staff" value="{pk}">' in content
    assert org.frontline.profile.pk not in steps["slip_batches"][0]  # not new in this import
    printed = hr_client.post(reverse("organisation:sign_in_slips"), {"staff": new_without_email})
    assert printed.status_code == 200
    assert [s.profile.staff_number for s in printed.context["slips"]] == ["N103", "N101"]
    # Someone who has signed in since needs no slip.
    User.objects.filter(username="N101").update(last_login=timezone.now())
    again = hr_client.get(reverse("organisation:import_detail", args=[imp.pk])).context["next_steps"]
    assert again["slips"] == 1


def test_slips_are_printed_in_parts_for_a_large_import(hr_client, org, monkeypatch):
    from organisation import selectors

    monkeypatch.setattr(selectors, "SLIPS_PER_PRINT", 2)
    rows = current_rows() + [staff_row(f"N2{i:02d}", last=f"Frontline{i}", dept="ENV-WASTE", email="") for i in range(5)]
    post_file(hr_client, to_csv(rows).encode())
    imp = StaffImport.objects.get()
    hr_client.post(reverse("organisation:import_confirm", args=[imp.pk]))
    response = hr_client.get(reverse("organisation:import_detail", args=[imp.pk]))
    assert [len(b) for b in response.context["next_steps"]["slip_batches"]] == [2, 2, 1]
    text = page_text(response)
    assert "Print sign-in slips, part 1 of 3 (2 people)" in text
    assert "Print sign-in slips, part 3 of 3 (1 person)" in text
    assert "Nobody new needs an invitation" not in text


def test_progress_json(hr_client, org):
    response = post_file(hr_client, to_csv(good_rows()).encode())
    imp = StaffImport.objects.get()
    url = reverse("organisation:import_progress", args=[imp.pk])
    response = hr_client.get(url)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert response.json() == {"status": "ready", "stage": "Checked", "done": 3, "total": 3}

    cache.clear()  # nothing published (yet, or any more)
    assert hr_client.get(url).json() == {"status": "ready", "stage": "Ready to apply", "done": 0, "total": 3}

    hr_client.post(reverse("organisation:import_confirm", args=[imp.pk]))
    assert hr_client.get(url).json() == {"status": "applied", "stage": "Done", "done": 3, "total": 3}
    assert hr_client.post(url).status_code == 405


def test_large_file_is_handed_to_the_worker(hr_client, org, settings, monkeypatch):
    settings.STAFF_IMPORT_SYNC_MAX_ROWS = 2
    queued = []
    monkeypatch.setattr(tasks.staff_import_validate, "delay", lambda *a: queued.append(("validate", *a)))
    monkeypatch.setattr(tasks.staff_import_apply, "delay", lambda *a: queued.append(("apply", *a)))

    response = post_file(hr_client, to_csv(good_rows()).encode())
    imp = StaffImport.objects.get()
    assert queued == [("validate", str(imp.pk))]
    assert imp.status == StaffImport.Status.VALIDATING
    text = page_text(response)
    assert f'data-progress-url="{reverse("organisation:import_progress", args=[imp.pk])}"' in text
    assert "Waiting for the worker to start" in text

    importing.staff_import_validate(import_id=imp.pk)  # what the worker does
    hr_client.post(reverse("organisation:import_confirm", args=[imp.pk]))
    hr_client.post(reverse("organisation:import_confirm", args=[imp.pk]))  # double click: queued once
    assert queued == [("validate", str(imp.pk)), ("apply", str(imp.pk), org.hr.pk)]
    imp.refresh_from_db()
    assert imp.status == StaffImport.Status.APPLYING
    assert not StaffProfile.objects.filter(staff_number="N100").exists()


def test_detail_of_an_unknown_import_is_404(hr_client):
    assert hr_client.get(reverse("organisation:import_detail", args=["00000000-0000-4000-8000-000000000000"])).status_code == 404


# --- Access -------------------------------------------------------------------------------------------------

def _urls(imp):
    return [
        ("get", UPLOAD), ("post", UPLOAD),
        ("get", reverse("organisation:import_detail", args=[imp.pk])),
        ("post", reverse("organisation:import_confirm", args=[imp.pk])),
        ("get", reverse("organisation:import_progress", args=[imp.pk])),
    ]


@pytest.mark.parametrize("role", ["staff", "frontline", "env_manager", "res_manager", "author"])
def test_other_roles_are_forbidden(client, org, role):
    imp = upload(to_csv(good_rows()), actor=org.hr)
    client.force_login(getattr(org, role))
    for method, url in _urls(imp):
        response = getattr(client, method)(url, {"file": SimpleUploadedFile("x.csv", to_csv(good_rows()).encode())}
                                           if method == "post" else {})
        assert response.status_code == 403, (role, method, url)
    imp.refresh_from_db()
    assert imp.status == StaffImport.Status.READY
    assert StaffImport.objects.count() == 1
    assert not StaffProfile.objects.filter(staff_number="N100").exists()


def test_anonymous_is_sent_to_sign_in(client, org):
    imp = upload(to_csv(good_rows()), actor=org.hr)
    for method, url in _urls(imp):
        response = getattr(client, method)(url)
        assert response.status_code == 302, (method, url)
        assert response["Location"] == f"{reverse('account_login')}?next={url}"
    imp.refresh_from_db()
    assert imp.status == StaffImport.Status.READY


def test_admin_may_import(client, org):
    client.force_login(org.admin)
    assert client.get(UPLOAD).status_code == 200


def test_hr_without_an_authenticator_is_sent_to_set_one_up(client, org):
    Authenticator.objects.filter(user=org.hr).delete()
    client.force_login(org.hr)
    response = client.get(UPLOAD)
    assert response.status_code == 302
    assert response["Location"] == reverse("mfa_activate_totp")
