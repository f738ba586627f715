"""HR against files wrong on a large scale: a long list of problems is cut to the first hundred, and
a 'complete' file that would deactivate most staff needs the number of leavers typed."""

import re

import pytest
from playwright.sync_api import expect

from organisation.models import StaffProfile
from tests.e2e.conftest import check_page, sign_in, totp_secret
from tests.factories import PASSWORD, build_org, make_staff
from tests.organisation.staff_csv import row_from_profile, staff_row, to_csv


def upload(page, live_server, path, *, complete=False) -> None:
    page.goto(f"{live_server.url}/organisation/import/")
    page.get_by_label("CSV file from the HR system").set_input_files(str(path))
    if complete:
        page.get_by_label("This file lists every current member of staff").check()
    page.get_by_role("button", name="Check the file").click()
    expect(page).to_have_url(re.compile(r"/organisation/import/[0-9a-f-]{36}/$"))


@pytest.mark.django_db(transaction=True)
def test_hr_sees_the_first_hundred_problems_and_types_the_number_of_leavers(page, live_server, tmp_path):
    org = build_org()
    for _ in range(40):
        make_staff(org.finance)
    sign_in(page, live_server, org.hr.email, PASSWORD, totp=totp_secret(org.hr))

    bad = tmp_path / "everything-wrong.csv"
    bad.write_text(to_csv([staff_row(f"N{i}", dept="NO-SUCH") for i in range(150)]))
    upload(page, live_server, bad)
    expect(page.locator(".govuk-error-summary")).to_contain_text("150 problems found. Nothing has been changed.")
    expect(page.get_by_role("table", name="Problems, by line of the file").locator("tbody tr")).to_have_count(100)
    expect(page.locator("#problems-not-listed")).to_contain_text("There are 50 more, not listed here")
    check_page(page, "import-many-problems")

    two_rows = tmp_path / "two-rows.csv"
    two_rows.write_text(to_csv([row_from_profile(org.staff.profile), row_from_profile(org.hr.profile)]))  # HR stays
    upload(page, live_server, two_rows, complete=True)
    expect(page.locator(".govuk-warning-text")).to_contain_text("This file would deactivate 45 of the 47 active staff.")
    check_page(page, "import-many-leavers")

    page.get_by_role("button", name="Confirm and apply these changes").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("Type the number of leavers, 45, to confirm")
    check_page(page, "import-many-leavers-not-typed")
    page.locator(".govuk-error-summary").get_by_role("link").click()
    expect(page.get_by_label("To confirm, type the number of leavers")).to_be_focused()
    assert StaffProfile.objects.filter(active=True).count() == 47

    page.get_by_label("To confirm, type the number of leavers").fill("45")
    page.get_by_role("button", name="Confirm and apply these changes").click()
    expect(page.get_by_text("Applied", exact=True)).to_be_visible()
    assert StaffProfile.objects.filter(active=True).count() == 2
