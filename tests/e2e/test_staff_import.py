"""HR imports staff from the HR system's CSV: problems are listed by line; a good file is previewed,
then applied when confirmed."""

import re

import pytest
from playwright.sync_api import expect

from organisation.models import StaffProfile
from tests.e2e.conftest import check_page, sign_in, totp_secret
from tests.factories import PASSWORD, build_org

HEADER = ("staff_number,first_name,last_name,email,department_code,job_title,grade_band,work_pattern,contract,"
          "line_manager_staff_number,start_date")

BAD_CSV = "\n".join([
    HEADER,
    "N10001,Ann,Able,ann.able@example.org,NOPE,Officer,B,office,full-time,,2024-01-15",
    "N10002,Bob,Baker,,ENV-WASTE,Driver,C,frontline,full-time,,2024-02-30",
]) + "\n"

GOOD_CSV = "\n".join([
    HEADER,
    "N10001,Ann,Able,ann.able@example.org,RES-FIN,Officer,B,office,full-time,,2024-01-15",
    "N10002,Bob,Baker,,ENV-WASTE,Driver,C,frontline,full-time,N10003,15/02/2024",
    "N10003,Cat,Cole,cat.cole@example.org,ENV-PARKS,Team leader,D,hybrid,part-time,,2023-11-01",
]) + "\n"


def upload(page, path) -> None:
    page.get_by_label("CSV file from the HR system").set_input_files(str(path))
    page.get_by_role("button", name="Check the file").click()


@pytest.mark.django_db(transaction=True)
def test_hr_imports_staff(page, live_server, tmp_path):
    org = build_org()
    bad = tmp_path / "bad-staff.csv"
    bad.write_text(BAD_CSV, encoding="utf-8")
    good = tmp_path / "staff.csv"
    good.write_text(GOOD_CSV, encoding="utf-8")

    sign_in(page, live_server, org.hr.email, PASSWORD, totp=totp_secret(org.hr))
    page.get_by_role("navigation", name="Menu").get_by_role("link", name="People").click()
    page.get_by_role("navigation", name="People").get_by_role("link", name="Import staff").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Import staff from the HR system")
    check_page(page, "import-upload")

    # A file with problems: every problem listed by line, nothing changed.
    upload(page, bad)
    expect(page).to_have_url(re.compile(r"/organisation/import/[0-9a-f-]{36}/$"))
    expect(page.locator(".govuk-error-summary")).to_contain_text("2 problems found. Nothing has been changed.")
    rows = page.get_by_role("table", name="Problems, by line of the file").locator("tbody tr")
    expect(rows).to_have_count(2)
    expect(rows.nth(0).locator("td")).to_have_text(["2", "department_code", "no department has the code 'NOPE'"])
    expect(rows.nth(1).locator("td")).to_have_text(
        ["3", "start_date", "'2024-02-30' is not a date (use YYYY-MM-DD or DD/MM/YYYY)"])
    check_page(page, "import-invalid")
    assert not StaffProfile.objects.filter(staff_number__startswith="N1").exists()

    # A good file: previewed first, applied only when confirmed.
    page.get_by_role("button", name="Upload a corrected file").click()
    expect(page.get_by_role("table", name="Recent imports")).to_contain_text("bad-staff.csv")
    check_page(page, "import-upload-with-history")
    upload(page, good)
    expect(page.get_by_text("Ready to apply", exact=True)).to_be_visible()
    summary = page.locator(".govuk-summary-list")
    expect(summary.locator(".govuk-summary-list__row").filter(has_text="New staff")).to_contain_text("3")
    expect(summary.locator(".govuk-summary-list__row").filter(has_text="Updated")).to_contain_text("0")
    expect(page.get_by_role("table", name="New staff").locator("tbody tr")).to_have_count(3)
    check_page(page, "import-preview")
    assert not StaffProfile.objects.filter(staff_number__startswith="N1").exists()

    expect(page.get_by_role("table", name="New staff")).to_contain_text("Waste Collection (ENV-WASTE)")
    page.get_by_role("button", name="Confirm and apply these changes").click()
    expect(page.get_by_text("Applied", exact=True)).to_be_visible()
    expect(page.get_by_role("heading", name="What changed")).to_be_visible()
    banner = page.get_by_role("region", name="Done")
    expect(banner).to_contain_text("Invitations to choose a password are queued for 2 new people with a work email")
    expect(banner).to_contain_text("Print sign-in slips for the 1 new person without a work email")
    check_page(page, "import-applied")
    assert set(StaffProfile.objects.filter(staff_number__startswith="N1").values_list("staff_number", flat=True)) == {
        "N10001", "N10002", "N10003"}
    bob = StaffProfile.objects.get(staff_number="N10002")
    assert bob.department == org.waste and bob.line_manager.staff_number == "N10003" and not bob.has_work_email

    # The next step: Bob has no work email, so his sign-in slip is one click away.
    page.get_by_role("button", name="Print sign-in slips for this person").click()
    expect(page.locator("body")).to_contain_text("N10002")

    # The same file again: nothing to change, and nothing to confirm.
    page.goto(f"{live_server.url}/organisation/import/")
    upload(page, good)
    expect(page.get_by_role("heading", name="Nothing to change")).to_be_visible()
    expect(page.get_by_role("button", name="Confirm and apply these changes")).to_have_count(0)
    check_page(page, "import-nothing-to-change")
