"""The staff import (organisation.importing and `manage.py import_staff`): validation in full with every
bad row reported by line and column, all or nothing, preview, leavers, idempotence, encodings, line
managers, emails and reactivation."""

import io
from datetime import date
from pathlib import Path

import pytest
from allauth.account.models import EmailAddress
from django.core.management import CommandError, call_command

from organisation import importing
from organisation.models import AuditEvent, Department, StaffImport, StaffProfile, User
from tests.organisation.staff_csv import (
    COLUMNS,
    confirm,
    counts,
    current_rows,
    row_from_profile,
    snapshot,
    staff_row,
    to_csv,
    upload,
    upload_and_apply,
)

ROOT = Path(__file__).resolve().parents[2]
INVALID, READY, APPLIED = StaffImport.Status.INVALID, StaffImport.Status.READY, StaffImport.Status.APPLIED


def three_new():
    """Lines 2, 3, 4 of the file: three new people, the second and third managed by the first."""
    return [
        staff_row("N100", first="Priya", last="Patel", dept="RES-FIN", job="Finance Manager"),
        staff_row("N101", first="Tomasz", last="Nowak", dept="ENV-WASTE", pattern="frontline", email="",
                  job="Refuse Collector", manager="N100"),
        staff_row("N102", first="Grace", last="Hughes", dept="ENV-PARKS", pattern="hybrid", contract="part-time",
                  job="Park Ranger", manager="N100", start="2019-09-02"),
    ]


def err(line, column, message):
    return {"line": line, "column": column, "message": message}


def assert_rejected(org, text, expected_errors, *, complete_file=False):
    """The upload is invalid with exactly these errors, and nothing about people was written."""
    before = counts()
    imp = upload(text, actor=org.hr, complete_file=complete_file)
    assert imp.status == INVALID
    assert imp.errors == expected_errors
    assert imp.summary == {}
    assert counts() == before
    assert importing.staff_import_start_apply(import_id=imp.pk) is False  # an invalid import cannot be confirmed
    assert counts() == before
    return imp


# --- One test per kind of bad row ------------------------------------------------------------------------

def _set(index, **changes):
    def edit(rows):
        rows[index].update(changes)
        return rows
    return edit


def _append(row):
    def edit(rows):
        return [*rows, row]
    return edit


ROW_ERRORS = {
    "unknown department": (
        _set(1, department_code="ENV-WSATE"),
        [err(3, "department_code", "no department has the code 'ENV-WSATE'")]),
    "duplicate staff number": (
        _append(staff_row("N101", first="Other", email="other@example.org")),
        [err(5, "staff_number", "'N101' is also on line 3")]),
    "duplicate staff number in another case": (
        _append(staff_row("n100", first="Other", email="other@example.org")),
        [err(5, "staff_number", "'n100' is also on line 2")]),
    "staff number with a space": (
        _set(2, staff_number="N 102"),
        [err(4, "staff_number", "'N 102' may only have letters, digits and hyphens (at most 20)")]),
    "staff number too long": (
        _set(2, staff_number="N" * 21),
        [err(4, "staff_number", f"'{'N' * 21}' may only have letters, digits and hyphens (at most 20)")]),
    "bad email": (
        _set(0, email="priya.patel@@example.org"),
        [err(2, "email", "'priya.patel@@example.org' is not a valid email address")]),
    "email without a domain": (
        _set(2, email="grace.hughes"),
        [err(4, "email", "'grace.hughes' is not a valid email address")]),
    "same email twice in the file": (
        _set(2, email="N100@Example.org"),
        [err(4, "email", "'N100@Example.org' is also on line 2")]),
    "impossible date": (
        _set(2, start_date="31/02/2024"),
        [err(4, "start_date", "'31/02/2024' is not a date (use YYYY-MM-DD or DD/MM/YYYY)")]),
    "month 13": (
        _set(0, start_date="2024-13-01"),
        [err(2, "start_date", "'2024-13-01' is not a date (use YYYY-MM-DD or DD/MM/YYYY)")]),
    "American date": (
        _set(1, start_date="12/31/2023"),
        [err(3, "start_date", "'12/31/2023' is not a date (use YYYY-MM-DD or DD/MM/YYYY)")]),
    "manager not found": (
        _set(1, line_manager_staff_number="N999"),
        [err(3, "line_manager_staff_number", "manager 'N999' was not found in this file or among current staff")]),
    "own line manager": (
        _set(2, line_manager_staff_number="n102"),
        [err(4, "line_manager_staff_number", "a person cannot be their own line manager")]),
    "line management in a circle": (
        lambda rows: [
            {**rows[0], "line_manager_staff_number": "N102"},
            {**rows[1], "line_manager_staff_number": "N100"},
            {**rows[2], "line_manager_staff_number": "N101"},
        ],
        [err(line, "line_manager_staff_number", "line management goes round in a circle: N100 -> N102 -> N101 -> N100")
         for line in (2, 3, 4)]),
    "circle of two beside a good chain": (
        lambda rows: [*rows, staff_row("N200", email="", manager="N201"), staff_row("N201", email="", manager="n200")],
        [err(5, "line_manager_staff_number", "line management goes round in a circle: N200 -> N201 -> N200"),
         err(6, "line_manager_staff_number", "line management goes round in a circle: N200 -> N201 -> N200")]),
    "bad work pattern": (
        _set(0, work_pattern="remote"),
        [err(2, "work_pattern", "'remote' must be one of: office, hybrid, frontline")]),
    "bad contract": (
        _set(1, contract="zero hours"),
        [err(3, "contract", "'zero hours' must be full-time or part-time")]),
    "first name too long": (
        _set(0, first_name="A" * 151),
        [err(2, "first_name", "is longer than 150 characters")]),
    "job title too long": (
        _set(2, job_title="J" * 201),
        [err(4, "job_title", "is longer than 200 characters")]),
    "grade band '?' (survey results' 'not recorded')": (
        _set(1, grade_band=" ? "),
        [err(3, "grade_band", "'?' is not a grade band: leave it empty when it is not recorded")]),
}


@pytest.mark.parametrize("edit, expected", list(ROW_ERRORS.values()), ids=list(ROW_ERRORS))
def test_each_kind_of_bad_row_is_reported_by_line_and_column(org, edit, expected):
    assert_rejected(org, to_csv(edit(three_new())), expected)


@pytest.mark.parametrize("column", importing.REQUIRED_COLUMNS)
def test_missing_required_value(org, column):
    rows = three_new()
    rows[1][column] = "  "
    assert_rejected(org, to_csv(rows), [err(3, column, "is required")])


def test_wrong_number_of_values(org):
    rows = three_new()
    too_many = [*staff_row("N103").values(), "extra"]
    text = to_csv([rows[0], ["N101", "Tomasz", "Nowak", "ENV-WASTE", "frontline"], rows[2], too_many])
    assert_rejected(org, text, [
        err(3, "", "has 5 values; the header has 11"),
        err(5, "", "has 12 values; the header has 11"),
    ])


def test_email_already_used_by_another_person(org):
    rows = three_new()
    rows[2]["email"] = org.staff.email.upper()
    assert_rejected(org, to_csv(rows), [
        err(4, "email", f"'{org.staff.email.upper()}' already belongs to staff number {org.staff.username}"),
    ])


def test_staff_number_of_an_account_that_is_not_staff(org):
    User.objects.create_user(username="N102", email="", password="x" * 12)
    assert_rejected(org, to_csv(three_new()), [
        err(4, "staff_number", "'N102' is already used by an account that is not a staff record"),
    ])


def test_inactive_manager_is_not_found(org):
    org.env_manager.profile.active = False
    org.env_manager.profile.save()
    rows = three_new()
    rows[1]["line_manager_staff_number"] = org.env_manager.username
    assert_rejected(org, to_csv(rows), [
        err(3, "line_manager_staff_number",
            f"manager '{org.env_manager.username}' was not found in this file or among current staff"),
    ])


def test_complete_file_needs_every_manager_in_the_file(org):
    rows = [*current_rows(), *three_new()]
    rows[-1]["line_manager_staff_number"] = org.env_manager.username
    rows = [r for r in rows if r["staff_number"] != org.env_manager.username]  # the manager is leaving
    text = to_csv(rows)
    assert upload(text, actor=org.hr).status == READY  # partial: the manager is still on record
    assert_rejected(org, text, [
        err(len(rows) + 1, "line_manager_staff_number",
            f"manager '{org.env_manager.username}' was not found in this file"),
    ], complete_file=True)


def test_circle_through_someone_not_in_the_file(org):
    # On record: Sam reports to Morgan. The file makes Morgan report to Sam.
    sam, morgan = org.staff.profile, org.env_manager.profile
    sam.line_manager = morgan
    sam.save()
    text = to_csv([row_from_profile(morgan, line_manager_staff_number=sam.staff_number)])
    m, s = morgan.staff_number, sam.staff_number
    assert_rejected(org, text, [
        err(2, "line_manager_staff_number", f"line management goes round in a circle: {m} -> {s} -> {m}"),
    ])


def test_every_bad_row_is_reported_in_line_order(org):
    rows = three_new()
    rows[2].update(department_code="NOPE", email="bad", work_pattern="", contract="casual")
    rows[0].update(start_date="yesterday")
    assert_rejected(org, to_csv(rows), [
        err(2, "start_date", "'yesterday' is not a date (use YYYY-MM-DD or DD/MM/YYYY)"),
        err(4, "contract", "'casual' must be full-time or part-time"),
        err(4, "department_code", "no department has the code 'NOPE'"),
        err(4, "email", "'bad' is not a valid email address"),
        err(4, "work_pattern", "is required"),
    ])


def test_one_bad_row_among_fifty_good_writes_nothing(org):
    rows = [staff_row(f"N{300 + i}", first=f"Person{i}", dept="ENV-WASTE", manager="N300" if i else "")
            for i in range(50)]
    rows.insert(25, staff_row("N999", dept="ENV-WSATE", manager="N300"))
    before_snapshot = snapshot()
    imp = assert_rejected(org, to_csv(rows), [err(27, "department_code", "no department has the code 'ENV-WSATE'")])
    assert imp.row_count == 51
    assert snapshot() == before_snapshot
    assert not User.objects.filter(username__startswith="N").exists()


# --- Preview ---------------------------------------------------------------------------------------------

def test_preview_counts_and_changes(org):
    sam, dave = org.staff.profile, org.frontline.profile
    rows = current_rows()
    by_number = {r["staff_number"]: r for r in rows}
    by_number[sam.staff_number].update(department_code="ENV", job_title="Senior Officer", grade_band="Grades 7-9")
    by_number[dave.staff_number].update(email="Dave.Collins@Example.org", contract="PT", start_date="06/04/2015")
    rows += three_new()[:2]
    before = snapshot()
    imp = upload(to_csv(rows), actor=org.hr)

    assert imp.status == READY
    assert imp.errors == []
    line_of = {r["staff_number"]: i for i, r in enumerate(rows, start=2)}
    assert imp.summary == {
        "rows": 9, "new_count": 2, "updated_count": 2, "unchanged_count": 5, "leaver_count": 0,
        "new": [
            {"line": 9, "staff_number": "N100", "name": "Priya Patel", "department_code": "RES-FIN"},
            {"line": 10, "staff_number": "N101", "name": "Tomasz Nowak", "department_code": "ENV-WASTE"},
        ],
        "updated": [
            {"line": line_of[sam.staff_number], "staff_number": sam.staff_number, "name": sam.user.get_full_name(),
             "changes": {"department_code": ["RES-FIN", "ENV"], "job_title": ["(blank)", "Senior Officer"],
                         "grade_band": ["(blank)", "Grades 7-9"]}},
            {"line": line_of[dave.staff_number], "staff_number": dave.staff_number, "name": dave.user.get_full_name(),
             "changes": {"email": ["(blank)", "dave.collins@example.org"], "contract": ["full-time", "part-time"],
                         "start_date": ["(blank)", "2015-04-06"]}},
        ],
        "leavers": [],
    }
    # The preview is in the order of COMPARED, and writes nothing.
    assert list(imp.summary["updated"][0]["changes"]) == ["department_code", "job_title", "grade_band"]
    assert snapshot() == before


def test_build_plan_reads_only(org):
    before = snapshot()
    plan = importing.build_plan(to_csv(three_new()), complete_file=True)
    assert plan.errors == []
    assert [r.staff_number for r in plan.new] == ["N100", "N101", "N102"]
    assert sorted(plan.leavers) == sorted(p.staff_number for p in StaffProfile.objects.all())
    assert snapshot() == before


def test_values_are_normalised(org):
    row = staff_row("N100", pattern="Frontline", contract="Part Time", email="Priya.Patel@Example.ORG",
                    start="06/04/2021", first="  Priya ", last="Patel  ")
    upload_and_apply(to_csv([row]), actor=org.hr)
    p = StaffProfile.objects.select_related("user").get(staff_number="N100")
    assert (p.user.first_name, p.user.last_name, p.user.email) == ("Priya", "Patel", "priya.patel@example.org")
    assert (p.work_pattern, p.contract, p.start_date) == ("frontline", "part-time", date(2021, 4, 6))


def test_optional_columns_may_be_left_out(org):
    text = to_csv([["N100", "Priya", "Patel", "RES-FIN", "office", "FT"]], columns=importing.REQUIRED_COLUMNS)
    upload_and_apply(text, actor=org.hr)
    p = StaffProfile.objects.select_related("user").get(staff_number="N100")
    assert (p.user.email, p.has_work_email, p.job_title, p.start_date, p.line_manager_id) == ("", False, "", None, None)
    assert p.contract == "full-time"
    assert not EmailAddress.objects.filter(user=p.user).exists()


# --- Applying --------------------------------------------------------------------------------------------

def test_apply_writes_people_emails_and_audit(org):
    before = counts()
    imp = upload_and_apply(to_csv(three_new()), actor=org.hr)
    assert counts() == {"users": before["users"] + 3, "profiles": before["profiles"] + 3,
                        "emails": before["emails"] + 2}
    assert imp.applied_at is not None
    priya = StaffProfile.objects.select_related("user", "department").get(staff_number="N100")
    assert (priya.user.username, priya.user.get_full_name(), priya.user.email) == ("N100", "Priya Patel", "n100@example.org")
    assert (priya.department.code, priya.job_title, priya.grade_band) == ("RES-FIN", "Finance Manager", "Grades 4-6")
    assert (priya.work_pattern, priya.contract, priya.start_date) == ("office", "full-time", date(2021, 4, 1))
    assert priya.active and priya.user.is_active and priya.has_work_email
    assert not priya.user.has_usable_password()  # they choose one from the invitation
    assert list(EmailAddress.objects.filter(user=priya.user).values_list("email", "primary", "verified")) == [
        ("n100@example.org", True, False)]
    tomasz = StaffProfile.objects.select_related("user").get(staff_number="N101")
    assert (tomasz.user.email, tomasz.has_work_email, tomasz.work_pattern) == ("", False, "frontline")
    assert not EmailAddress.objects.filter(user=tomasz.user).exists()

    event = AuditEvent.objects.get(action="staff import applied")
    assert event.actor == org.hr
    assert event.detail == {"import": str(imp.pk), "new": 3, "updated": 0, "leavers": 0}
    assert AuditEvent.objects.get(action="staff import uploaded").detail == {
        "import": str(imp.pk), "rows": 3, "complete_file": False}


def test_confirm_revalidates_against_the_database_as_it_is_now(org):
    imp = upload(to_csv(three_new()), actor=org.hr)
    assert imp.status == READY
    User.objects.create_user(username="someone", email="n102@example.org", password="x" * 12)
    before = counts()
    imp = confirm(imp, actor=org.hr)
    assert imp.status == INVALID
    assert imp.errors == [err(4, "email", "'n102@example.org' already belongs to staff number someone")]
    assert imp.summary == {}
    assert counts() == before
    assert not AuditEvent.objects.filter(action="staff import applied").exists()


def test_apply_runs_once(org):
    imp = upload(to_csv(three_new()), actor=org.hr)
    assert importing.staff_import_start_apply(import_id=imp.pk) is True
    assert importing.staff_import_start_apply(import_id=imp.pk) is False  # the double click
    importing.staff_import_apply(import_id=imp.pk, actor_id=org.hr.pk)
    after = snapshot()
    again = importing.staff_import_apply(import_id=imp.pk, actor_id=org.hr.pk)  # a duplicate task
    assert again.status == APPLIED
    assert snapshot() == after
    assert AuditEvent.objects.filter(action="staff import applied").count() == 1


# --- Leavers ---------------------------------------------------------------------------------------------

def test_leavers_only_when_the_file_is_complete(org):
    sam, dave = org.staff.profile, org.frontline.profile
    rows = [r for r in current_rows() if r["staff_number"] not in {sam.staff_number, dave.staff_number}]
    partial = upload(to_csv(rows), actor=org.hr)
    assert partial.summary["leaver_count"] == 0
    assert partial.summary["leavers"] == []

    complete = upload(to_csv(rows), actor=org.hr, complete_file=True)
    assert complete.summary["leaver_count"] == 2
    assert complete.summary["leavers"] == sorted([sam.staff_number, dave.staff_number])
    assert (complete.summary["new_count"], complete.summary["updated_count"], complete.summary["unchanged_count"]) == (0, 0, 5)

    before = counts()
    confirm(complete, actor=org.hr)
    assert counts() == before  # deactivated, never deleted
    for p in (sam, dave):
        p.refresh_from_db()
        p.user.refresh_from_db()
        assert (p.active, p.user.is_active) == (False, False)
    assert StaffProfile.objects.filter(active=True).count() == 5
    assert User.objects.filter(is_active=True).count() == 5
    assert AuditEvent.objects.get(action="staff import applied").detail["leavers"] == 2

    # The same complete file again: the leavers have already left.
    again = upload(to_csv(rows), actor=org.hr, complete_file=True)
    assert (again.summary["leaver_count"], again.summary["updated_count"], again.summary["new_count"]) == (0, 0, 0)


def test_partial_file_leaves_everyone_else_alone(org):
    before = snapshot()
    upload_and_apply(to_csv(three_new()), actor=org.hr)
    after = snapshot()
    for key in ("users", "profiles"):
        assert {k: v for k, v in after[key].items() if k in before[key]} == before[key]


# --- Idempotence -----------------------------------------------------------------------------------------

@pytest.mark.parametrize("complete_file", [False, True])
def test_reimporting_the_same_file_changes_nothing(org, complete_file):
    rows = current_rows()[1:]  # one leaver when complete
    assert rows[1]["email"]
    rows[1].update(job_title="Team Leader", email="")  # an update that removes an email
    rows += three_new()
    text = to_csv(rows)
    first = upload_and_apply(text, actor=org.hr, complete_file=complete_file)
    assert (first.summary["new_count"], first.summary["updated_count"]) == (3, 1)
    before = snapshot()

    second = upload(text, actor=org.hr, complete_file=complete_file)
    assert second.status == READY
    assert {k: second.summary[k] for k in ("rows", "new_count", "updated_count", "unchanged_count", "leaver_count")} == {
        "rows": 9, "new_count": 0, "updated_count": 0, "unchanged_count": 9, "leaver_count": 0}
    second = confirm(second, actor=org.hr)
    assert second.status == APPLIED
    assert snapshot() == before
    assert AuditEvent.objects.filter(action="staff import applied").order_by("at", "id").last().detail == {
        "import": str(second.pk), "new": 0, "updated": 0, "leavers": 0}


# --- Encodings and CSV dialects ----------------------------------------------------------------------------

NAMES = [("Zoë", "Ó Briain"), ("Renée", "Lefèvre"), ("Siân", "O’Brien"), ("François", "Façade – Smith")]


def _named_rows():
    return [staff_row(f"N{500 + i}", first=f, last=last, job="Café Supervisor") for i, (f, last) in enumerate(NAMES)]


def _assert_names():
    got = dict(User.objects.filter(username__startswith="N5").values_list("first_name", "last_name"))
    assert got == dict(NAMES)
    assert set(StaffProfile.objects.filter(staff_number__startswith="N5").values_list("job_title", flat=True)) == {
        "Café Supervisor"}


def test_utf8_with_byte_order_mark(org):
    raw = ("\ufeff" + to_csv(_named_rows(), lineterminator="\r\n")).encode("utf-8")
    assert raw.startswith(b"\xef\xbb\xbf")
    imp = upload(raw, actor=org.hr)
    assert imp.status == READY, imp.errors
    assert not imp.content.startswith("\ufeff")
    confirm(imp, actor=org.hr)
    _assert_names()


def test_windows_1252(org):
    raw = to_csv(_named_rows(), lineterminator="\r\n").encode("cp1252")
    with pytest.raises(UnicodeDecodeError):
        raw.decode("utf-8")
    imp = upload(raw, actor=org.hr)
    assert imp.status == READY, imp.errors
    assert imp.summary["new"][0]["name"] == "Zoë Ó Briain"
    confirm(imp, actor=org.hr)
    _assert_names()
    # Round trip: the same people exported again (as UTF-8 this time) change nothing.
    again = upload(to_csv(_named_rows()).encode("utf-8"), actor=org.hr)
    assert (again.summary["new_count"], again.summary["updated_count"], again.summary["unchanged_count"]) == (0, 0, 4)


def test_semicolons_and_header_spelling(org):
    header = ["Staff Number", "First Name", "Last Name", "Department-Code", "Work pattern", "CONTRACT", "Email"]
    text = to_csv([["N100", "Priya", "Patel", "RES-FIN", "office", "full-time", "p@example.org"]], columns=header)
    upload_and_apply(text.replace(",", ";"), actor=org.hr)
    assert User.objects.get(username="N100").email == "p@example.org"


def test_quoted_values_with_commas_and_quotes_anywhere_in_the_file(org):
    # Longer than the part of the file read to detect the format, with the only quotes near the end.
    rows = [staff_row(f"N{1000 + i}", first=f"Person{i}", email="") for i in range(80)]
    rows.append(staff_row("N2000", first='Robert "Bob"', last="Smith, Jr", job='Head of Service, "Adults"'))
    text = to_csv(rows)
    assert len(text) > 4096 and text.index('"') > 4096
    upload_and_apply(text, actor=org.hr)
    bob = StaffProfile.objects.select_related("user").get(staff_number="N2000")
    assert (bob.user.first_name, bob.user.last_name, bob.job_title) == ('Robert "Bob"', "Smith, Jr", 'Head of Service, "Adults"')


def test_blank_lines_are_skipped_and_line_numbers_still_count_them(org):
    rows = three_new()
    text = to_csv(rows[:1]) + "\n,,,,,,,,,,\n" + to_csv(rows[1:]).split("\n", 1)[1]
    text = text.replace("ENV-PARKS", "PARKS")
    assert_rejected(org, text, [err(6, "department_code", "no department has the code 'PARKS'")])


# --- Whole-file rejections ----------------------------------------------------------------------------------

HEADER = ",".join(COLUMNS)
WHOLE_FILE = {
    "spreadsheet": (b"PK\x03\x04\x14\x00\x06\x00\x08\x00\x00\x00!\x00xl/workbook.xml",
                    "This is not a CSV file (it looks like a spreadsheet or other binary file). "
                    "Save it from your HR system or spreadsheet as CSV and upload that."),
    "empty": (b"", "The file is empty."),
    "only blank lines": (b"\r\n \r\n\r\n", "The file is empty."),
    "header only": ((HEADER + "\r\n").encode(), "The file has a header but no staff rows."),
    "header and blank lines": ((HEADER + "\n\n,,,\n").encode(), "The file has a header but no staff rows."),
    "missing columns": (b"staff_number,first_name,last_name,department_code\nN1,A,B,RES\n",
                        "The first line must name the columns. Missing: work_pattern, contract. "
                        "See the column list on this page or docs/sample-staff.csv."),
    "no header": (b"N100,Priya,Patel,RES-FIN,office,full-time\n",
                  "The first line must name the columns. Missing: staff_number, first_name, last_name, "
                  "department_code, work_pattern, contract. See the column list on this page or docs/sample-staff.csv."),
    "unknown column": ((HEADER + ",Favourite colour\n").encode() + b"N1,A,B,RES,office,full-time,,,,,,blue\n",
                       "Unknown columns: Favourite colour. Remove them or rename them as listed on this page."),
    "too big": ((HEADER + "\n").encode() + b"N1,A,B,RES,office,full-time,,,,,\n" * 100,
                "The file is larger than the limit of 2 KB. Split it, or ask your administrator to raise "
                "STAFF_IMPORT_MAX_BYTES."),
}


@pytest.mark.parametrize("raw, message", list(WHOLE_FILE.values()), ids=list(WHOLE_FILE))
def test_whole_file_rejections(org, raw, message):
    before = counts()
    with pytest.raises(importing.FileRejected) as exc:
        importing.staff_import_create(actor=org.hr, filename="staff.csv", raw=raw, complete_file=False,
                                      max_bytes=2048)
    assert str(exc.value) == message
    assert not StaffImport.objects.exists()
    assert not AuditEvent.objects.exists()
    assert counts() == before


def test_size_limit_is_inclusive(org):
    raw = (to_csv(three_new())).encode()
    imp = importing.staff_import_create(actor=org.hr, filename="s.csv", raw=raw, complete_file=False,
                                        max_bytes=len(raw))
    assert imp.row_count == 3


# --- Line managers -----------------------------------------------------------------------------------------

def _manager_of(number):
    p = StaffProfile.objects.select_related("line_manager").get(staff_number=number)
    return p.line_manager.staff_number if p.line_manager else None


def test_line_managers_including_one_defined_later_in_the_file(org):
    morgan = org.env_manager.username
    rows = [
        staff_row("N101", email="", dept="ENV-WASTE", manager="n103"),  # manager on line 5
        staff_row("N102", email="", dept="ENV-WASTE", manager="N103"),
        staff_row("N104", dept="ENV-PARKS", manager=morgan),  # manager already on record, not in the file
        staff_row("N103", dept="ENV-WASTE", manager="N104"),
    ]
    upload_and_apply(to_csv(rows), actor=org.hr)
    assert {n: _manager_of(n) for n in ("N101", "N102", "N103", "N104")} == {
        "N101": "N103", "N102": "N103", "N103": "N104", "N104": morgan}

    # Later: N102 moves to N104, N101's manager is removed, the rest unchanged.
    rows[0]["line_manager_staff_number"] = ""
    rows[1]["line_manager_staff_number"] = "N104"
    imp = upload(to_csv(rows), actor=org.hr)
    assert [u["changes"] for u in imp.summary["updated"]] == [
        {"line_manager_staff_number": ["N103", "(blank)"]},
        {"line_manager_staff_number": ["N103", "N104"]},
    ]
    confirm(imp, actor=org.hr)
    assert {n: _manager_of(n) for n in ("N101", "N102", "N103", "N104")} == {
        "N101": None, "N102": "N104", "N103": "N104", "N104": morgan}


def test_manager_already_on_record_with_lower_case_staff_number(org):
    # Staff numbers are matched whatever their case, also when the manager is not in this file.
    upload_and_apply(to_csv([staff_row("ab-100", dept="ENV")]), actor=org.hr)
    upload_and_apply(to_csv([staff_row("ab-101", dept="ENV-WASTE", email="", manager="ab-100")]), actor=org.hr)
    assert _manager_of("ab-101") == "ab-100"
    again = upload(to_csv([staff_row("ab-101", dept="ENV-WASTE", email="", manager="AB-100")]), actor=org.hr)
    assert (again.summary["updated_count"], again.summary["unchanged_count"]) == (0, 1)


def test_update_when_the_file_spells_the_staff_number_in_another_case(org):
    upload_and_apply(to_csv([staff_row("ab-100", dept="ENV"), staff_row("ab-101", manager="ab-100")]), actor=org.hr)
    rows = [staff_row("AB-100", dept="ENV", job="Head of Environment"),
            staff_row("AB-101", manager="AB-100", job="Team Leader")]
    imp = upload_and_apply(to_csv(rows), actor=org.hr)
    assert (imp.summary["new_count"], imp.summary["updated_count"]) == (0, 2)
    assert dict(StaffProfile.objects.filter(staff_number__startswith="ab").values_list("staff_number", "job_title")) == {
        "ab-100": "Head of Environment", "ab-101": "Team Leader"}
    assert _manager_of("ab-101") == "ab-100"


# --- Emails and reactivation ---------------------------------------------------------------------------------

def test_email_change_updates_allauth_email_address(org):
    sam = org.staff.profile
    old = org.staff.email
    assert list(EmailAddress.objects.filter(user=org.staff).values_list("email", "verified")) == [(old, True)]
    imp = upload(to_csv([row_from_profile(sam, email="Sam.Okafor@Example.org")]), actor=org.hr)
    assert imp.summary["updated"][0]["changes"] == {"email": [old, "sam.okafor@example.org"]}
    confirm(imp, actor=org.hr)
    org.staff.refresh_from_db()
    assert org.staff.email == "sam.okafor@example.org"
    assert list(EmailAddress.objects.filter(user=org.staff).values_list("email", "primary", "verified")) == [
        ("sam.okafor@example.org", True, False)]  # the new address must be verified again
    assert not EmailAddress.objects.filter(email=old).exists()
    # The old address is free for someone else now.
    upload_and_apply(to_csv([staff_row("N100", email=old)]), actor=org.hr)
    assert User.objects.get(username="N100").email == old


def test_removing_an_email_and_adding_one(org):
    sam, dave = org.staff.profile, org.frontline.profile
    upload_and_apply(to_csv([row_from_profile(sam, email=""), row_from_profile(dave, email="dave@example.org")]),
                     actor=org.hr)
    sam.refresh_from_db()
    dave.refresh_from_db()
    assert (sam.user.email, sam.has_work_email, EmailAddress.objects.filter(user=sam.user).count()) == ("", False, 0)
    assert (dave.user.email, dave.has_work_email) == ("dave@example.org", True)
    assert list(EmailAddress.objects.filter(user=dave.user).values_list("email", "primary", "verified")) == [
        ("dave@example.org", True, False)]


def test_reactivation_of_a_previous_leaver(org):
    sam = org.staff.profile
    rows = [r for r in current_rows() if r["staff_number"] != sam.staff_number]
    upload_and_apply(to_csv(rows), actor=org.hr, complete_file=True)
    sam.refresh_from_db()
    sam.user.refresh_from_db()
    assert (sam.active, sam.user.is_active) == (False, False)

    # Sam comes back, in a new job.
    rows.append(row_from_profile(sam, job_title="Payroll Officer"))
    imp = upload(to_csv(rows), actor=org.hr, complete_file=True)
    assert imp.summary["updated"] == [{
        "line": len(rows) + 1, "staff_number": sam.staff_number, "name": sam.user.get_full_name(),
        "changes": {"job_title": ["(blank)", "Payroll Officer"], "active": ["inactive", "active"]},
    }]
    assert (imp.summary["new_count"], imp.summary["leaver_count"]) == (0, 0)
    confirm(imp, actor=org.hr)
    sam.refresh_from_db()
    sam.user.refresh_from_db()
    assert (sam.active, sam.user.is_active, sam.job_title) == (True, True, "Payroll Officer")
    assert StaffProfile.objects.filter(staff_number=sam.staff_number).count() == 1
    assert sam.user.check_password("correct-horse-battery")  # the same account, password kept


# --- The management command -----------------------------------------------------------------------------------

def run_command(path, *args):
    out, err_ = io.StringIO(), io.StringIO()
    call_command("import_staff", str(path), *args, stdout=out, stderr=err_)
    return out.getvalue(), err_.getvalue()


def test_command_lists_errors_and_writes_nothing(org, tmp_path):
    rows = three_new()
    rows[1]["department_code"] = "ENV-WSATE"
    rows[2]["start_date"] = "31/02/2024"
    path = tmp_path / "hr-export.csv"
    path.write_text(to_csv(rows))
    before = snapshot()
    out, err_ = io.StringIO(), io.StringIO()
    with pytest.raises(CommandError, match=r"^2 problem\(s\) found; nothing was written\.$"):
        call_command("import_staff", str(path), stdout=out, stderr=err_)
    assert err_.getvalue().splitlines() == [
        "hr-export.csv: line 3: department_code no department has the code 'ENV-WSATE'",
        "hr-export.csv: line 4: start_date '31/02/2024' is not a date (use YYYY-MM-DD or DD/MM/YYYY)",
    ]
    assert snapshot() == before
    assert not StaffImport.objects.exists()


def test_command_rejects_unusable_files(org, tmp_path):
    path = tmp_path / "staff.xlsx"
    path.write_bytes(b"PK\x03\x04\x14\x00\x06\x00")
    with pytest.raises(CommandError, match="^This is not a CSV file"):
        run_command(path)
    with pytest.raises(CommandError, match="^Cannot read .*missing.csv: No such file or directory$"):
        run_command(tmp_path / "missing.csv")


def test_command_dry_run_writes_nothing(org, tmp_path):
    path = tmp_path / "staff.csv"
    rows = current_rows()
    rows[0]["job_title"] = "Senior Officer"
    path.write_text(to_csv(rows + three_new()))
    before = snapshot()
    out, _ = run_command(path, "--dry-run", "--complete", "-v", "2")
    assert out.splitlines() == [
        "3 new, 1 updated, 6 unchanged, 0 leaver(s) to deactivate.",
        f"  {rows[0]['staff_number']}: job_title (blank) -> Senior Officer",
        "Dry run: nothing was written.",
    ]
    assert snapshot() == before
    assert not StaffImport.objects.exists()
    assert not AuditEvent.objects.exists()


def test_command_applies_and_complete_deactivates_leavers(org, tmp_path):
    sam = org.staff.profile
    path = tmp_path / "staff.csv"
    rows = [r for r in current_rows() if r["staff_number"] != sam.staff_number] + three_new()
    path.write_text(to_csv(rows))

    out, _ = run_command(path)  # partial: Sam stays
    assert out.splitlines() == ["3 new, 0 updated, 6 unchanged, 0 leaver(s) to deactivate.", "Import applied."]
    assert StaffProfile.objects.filter(active=True).count() == 10
    imp = StaffImport.objects.get()
    assert (imp.status, imp.created_by, imp.filename, imp.row_count) == (APPLIED, None, "staff.csv", 9)
    assert AuditEvent.objects.get(action="staff import applied").actor_label == "system"

    out, _ = run_command(path, "--complete")
    assert out.splitlines() == ["0 new, 0 updated, 9 unchanged, 1 leaver(s) to deactivate.", "Import applied."]
    sam.refresh_from_db()
    sam.user.refresh_from_db()
    assert (sam.active, sam.user.is_active) == (False, False)
    assert StaffProfile.objects.filter(active=True).count() == 9

    before = snapshot()
    out, _ = run_command(path, "--complete")
    assert out.splitlines()[0] == "0 new, 0 updated, 9 unchanged, 0 leaver(s) to deactivate."
    assert snapshot() == before


def test_command_reads_windows_1252(org, tmp_path):
    path = tmp_path / "staff.csv"
    path.write_bytes(to_csv(_named_rows(), lineterminator="\r\n").encode("cp1252"))
    run_command(path)
    _assert_names()


# --- The sample file in docs/ ----------------------------------------------------------------------------------

def test_sample_file_validates_against_the_demo_departments(db):
    from organisation.demo import TREE

    departments = {}
    for code, name, parent, _, _ in TREE:
        departments[code] = Department.objects.create(code=code, name=name, parent=departments.get(parent))
    raw = (ROOT / "docs" / "sample-staff.csv").read_bytes()
    text = importing.decode(raw, max_bytes=1024 * 1024)
    header = text.splitlines()[0].split(",")
    assert header == COLUMNS
    plan = importing.build_plan(text, complete_file=True)
    assert plan.errors == []
    assert len(plan.new) == 15
    assert plan.unchanged == 0 and plan.updated == [] and plan.leavers == []
    by_number = {r.staff_number: r for r in plan.new}
    assert (by_number["N20015"].first_name, by_number["N20015"].last_name) == ("Zoë", "Ó Briain")
    assert by_number["N20015"].start_date == date(2024, 10, 1)
    assert by_number["N20013"].job_title == "Developer, Digital Services"
    assert {r.department_code for r in plan.new} <= set(departments)
    frontline_without_email = [r for r in plan.new if r.work_pattern == "frontline" and not r.email]
    assert len(frontline_without_email) >= 3
    assert any(r.line_manager_staff_number for r in plan.new)
