"""The staff import against files that are wrong on a large scale: a page of problems stays small
(the first ERROR_LIMIT, by line, and how many more), a header of absurd width is refused at once,
and a "complete" file that would deactivate a large share of staff needs HR to type the number."""

import io
import re

import pytest
from django.urls import reverse

from organisation import importing
from organisation.models import StaffImport, StaffProfile
from tests.organisation.staff_csv import row_from_profile, staff_row, to_csv, upload
from tests.organisation.test_import_views import page_text, parse_page, post_file

PROBLEMS = "Problems, by line of the file"


@pytest.fixture
def hr_client(client, org):
    client.force_login(org.hr)
    return client


# --- Problems listed, not megabytes of them ----------------------------------------------------------------

def test_a_million_columns_is_refused_at_once_on_a_small_page(hr_client):
    header = importing.ALL_COLUMNS + [f"extra_{i}" for i in range(1_000_000)]
    raw = (",".join(header) + "\n" + ",".join(["x"] * len(header)) + "\n").encode()
    assert len(raw) > 14_000_000
    response = post_file(hr_client, raw)
    assert response.status_code == 200 and response.redirect_chain == []
    assert "The first line names 1,000,011 columns; a staff file has the 11 columns listed on this page." in page_text(response)
    assert len(response.content) < 30_000, len(response.content)
    assert not StaffImport.objects.exists()


def test_unknown_columns_are_named_up_to_ten(hr_client):
    header = importing.ALL_COLUMNS + [f"extra_{i}" for i in range(30)]
    raw = (",".join(header) + "\n" + ",".join(["x"] * len(header)) + "\n").encode()
    text = page_text(post_file(hr_client, raw))
    named = ", ".join(f"extra_{i}" for i in range(10))
    assert f"Unknown columns: {named} and 20 more. Remove them or rename them as listed on this page." in text
    assert "extra_10" not in text


def test_a_file_wrong_on_every_line_lists_the_first_hundred_and_counts_the_rest(hr_client):
    rows = [staff_row(f"N{i}", dept="NO-SUCH") for i in range(1500)]
    response = post_file(hr_client, to_csv(rows).encode())
    imp = StaffImport.objects.get()
    assert imp.status == StaffImport.Status.INVALID
    assert (imp.error_count, len(imp.errors), imp.errors_not_listed) == (1500, 100, 1400)
    table = parse_page(response).tables[PROBLEMS]
    assert [line for line, _, _ in table] == [str(n) for n in range(2, 102)]  # the first hundred, by line
    text = page_text(response)
    assert "1,500 problems found. Nothing has been changed." in text
    assert ("These are the first 100 problems, by line. There are 1,400 more, not listed here: correct these, "
            "then upload the file again to see the rest.") in text
    assert len(response.content) < 60_000, len(response.content)


def test_the_first_hundred_by_line_when_short_rows_and_bad_values_interleave(org):
    # Short rows (refused while reading) and rows with a bad department (refused while checking)
    # alternate: the hundred kept are still the first hundred lines, and the count is complete.
    header, *bad = to_csv([staff_row(f"N{i}", dept="NO-SUCH") for i in range(200)]).splitlines()
    lines = [header]
    for row in bad:
        lines += ["only,three,values", row]
    plan = importing.build_plan("\n".join(lines) + "\n", complete_file=False)
    assert plan.error_count == 400
    assert [e["line"] for e in plan.errors] == list(range(2, 102))


def test_the_command_lists_the_first_hundred_and_says_how_many_more(org, tmp_path, capsys):
    from django.core.management import CommandError, call_command

    path = tmp_path / "staff.csv"
    path.write_text(to_csv([staff_row(f"N{i}", dept="NO-SUCH") for i in range(250)]))
    with pytest.raises(CommandError, match=r"^250 problem\(s\) found; nothing was written\.$"):
        call_command("import_staff", str(path))
    err = capsys.readouterr().err.splitlines()
    assert len(err) == 101
    assert err[-1] == "staff.csv: ... and 150 more problem(s), not listed."


def test_a_row_with_a_million_values_is_one_short_problem(org):
    text = ",".join(importing.ALL_COLUMNS) + "\n" + ",".join(["x"] * 1_000_000) + "\n"
    plan = importing.build_plan(text, complete_file=False)
    assert plan.errors == [{"line": 2, "column": "", "message": "has 1,000,000 values; the header has 11"}]


def test_detail_page_of_a_small_invalid_import_says_nothing_of_more(hr_client):
    response = post_file(hr_client, to_csv([staff_row("N1", dept="NO-SUCH")]).encode())
    text = page_text(response)
    assert "1 problem found. Nothing has been changed." in text
    assert "not listed here" not in text
    assert re.search(r'id="problems-not-listed"', response.content.decode()) is None
    assert reverse("organisation:import") in response.content.decode()


# --- A "complete" file that would deactivate a large share of staff -----------------------------------------

def grow(org, n=40):
    """The test council with n more active staff (47 in all)."""
    from tests.factories import make_staff

    for _ in range(n):
        make_staff(org.finance)
    return StaffProfile.objects.filter(active=True).count()


def one_row_complete_file(org):
    return to_csv([row_from_profile(org.staff.profile)])


def active_count():
    return StaffProfile.objects.filter(active=True).count()


@pytest.mark.parametrize("leavers, active, need", [
    (5, 10, False),    # 50%, but no more than LEAVERS_CONFIRM_MIN people
    (6, 60, False),    # exactly 10%: not more than the share
    (7, 60, True),
    (6, 59, True),
    (2021, 2022, True),
    (0, 0, False),
])
def test_when_the_number_of_leavers_must_be_typed(leavers, active, need, settings):
    settings.STAFF_IMPORT_LEAVERS_CONFIRM_PERCENT = 10
    assert importing.leavers_need_typing(leavers=leavers, active=active) is need


def test_the_share_is_a_setting(settings):
    settings.STAFF_IMPORT_LEAVERS_CONFIRM_PERCENT = 20
    assert importing.leavers_need_typing(leavers=12, active=60) is False
    assert importing.leavers_need_typing(leavers=13, active=60) is True


def test_a_one_row_complete_file_is_applied_only_when_hr_types_the_number(hr_client, org):
    assert grow(org) == 47
    response = post_file(hr_client, one_row_complete_file(org).encode(), complete_file=True)
    imp = StaffImport.objects.get()
    assert imp.status == StaffImport.Status.READY
    assert (imp.summary["leaver_count"], imp.summary["active_count"], imp.summary["leavers_need_typing"]) == (46, 47, True)
    text = page_text(response)
    assert "This file would deactivate 46 of the 47 active staff." in text
    assert "To confirm, type the number of leavers" in text
    confirm_url = reverse("organisation:import_confirm", args=[imp.pk])

    for typed in (None, "", "45", "47", "forty-six"):
        data = {} if typed is None else {"leavers": typed}
        response = hr_client.post(confirm_url, data)
        assert response.status_code == 200, typed
        text = page_text(response)
        assert "There is a problem" in text
        assert "Type the number of leavers, 46, to confirm that they should be deactivated" in text
        assert '<a href="#leavers">' in response.content.decode()
        imp.refresh_from_db()
        assert imp.status == StaffImport.Status.READY
        assert active_count() == 47

    response = hr_client.post(confirm_url, {"leavers": " 46 "})
    assert response.status_code == 302
    imp.refresh_from_db()
    assert imp.status == StaffImport.Status.APPLIED
    assert active_count() == 1


def test_thousands_separators_are_accepted_when_typing(hr_client, org):
    from organisation.views import _typed_number

    assert [_typed_number(v) for v in ("2,021", "2 021", "2021", "", "2.021", "-5", "١٢")] == [2021, 2021, 2021, None, None, None, None]


def test_a_few_leavers_need_no_typing(hr_client, org):
    grow(org)
    keep = list(StaffProfile.objects.order_by("staff_number"))[4:]  # 4 leavers of 47: under 10%
    rows = [row_from_profile(p, line_manager_staff_number="") for p in keep]
    response = post_file(hr_client, to_csv(rows).encode(), complete_file=True)
    assert "type the number of leavers" not in page_text(response)
    imp = StaffImport.objects.get()
    assert hr_client.post(reverse("organisation:import_confirm", args=[imp.pk])).status_code == 302
    imp.refresh_from_db()
    assert imp.status == StaffImport.Status.APPLIED
    assert active_count() == 43


def test_apply_refuses_when_the_leavers_changed_since_the_number_was_typed(org):
    from tests.factories import make_staff

    grow(org)
    imp = upload(one_row_complete_file(org), actor=org.hr, complete_file=True)
    assert importing.staff_import_start_apply(import_id=imp.pk, leavers_typed=46)
    make_staff(org.finance)  # someone joins between the preview and the apply: 47 would now leave
    imp = importing.staff_import_apply(import_id=imp.pk, actor_id=org.hr.pk, leavers_typed=46)
    assert imp.status == StaffImport.Status.INVALID
    assert imp.errors == [{"line": 0, "column": "", "message": (
        "This file would deactivate 47 of 48 active staff, but 46 was typed to confirm it. "
        "Upload the file again to see what it would change now.")}]
    assert active_count() == 48


def test_the_worker_applies_with_the_number_hr_typed(org):
    from organisation import tasks

    grow(org)
    imp = upload(one_row_complete_file(org), actor=org.hr, complete_file=True)
    assert importing.staff_import_start_apply(import_id=imp.pk, leavers_typed=46)
    tasks.staff_import_apply.apply(args=[str(imp.pk), org.hr.pk, 46])
    imp.refresh_from_db()
    assert imp.status == StaffImport.Status.APPLIED
    assert active_count() == 1


def test_the_command_needs_the_number_of_leavers_too(org, tmp_path):
    from django.core.management import CommandError, call_command

    grow(org)
    path = tmp_path / "staff.csv"
    path.write_text(one_row_complete_file(org))
    message = ("This file would deactivate 46 of 47 active staff (more than 10%). If that is right, run again "
               "with --leavers 46.")
    out = io.StringIO()
    call_command("import_staff", str(path), "--complete", "--dry-run", stdout=out)
    assert message in out.getvalue()
    for extra in ([], ["--leavers", "45"]):
        with pytest.raises(CommandError, match=re.escape(message + " Nothing was written.")):
            call_command("import_staff", str(path), "--complete", *extra, stdout=io.StringIO())
        assert active_count() == 47
    call_command("import_staff", str(path), "--complete", "--leavers", "46", stdout=io.StringIO())
    assert active_count() == 1


def test_a_large_import_hands_the_typed_number_to_the_worker(hr_client, org, settings, monkeypatch):
    from organisation import tasks

    grow(org)
    settings.STAFF_IMPORT_SYNC_MAX_ROWS = 0  # every file goes to the worker
    queued = []
    monkeypatch.setattr(tasks.staff_import_validate, "delay", lambda *a: queued.append(a))
    monkeypatch.setattr(tasks.staff_import_apply, "delay", lambda *a: queued.append(a))
    post_file(hr_client, one_row_complete_file(org).encode(), complete_file=True)
    imp = StaffImport.objects.get()
    tasks.staff_import_validate.apply(args=queued.pop())  # what the worker does
    hr_client.post(reverse("organisation:import_confirm", args=[imp.pk]), {"leavers": "46"})
    assert queued == [(str(imp.pk), org.hr.pk, 46)]
    tasks.staff_import_apply.apply(args=queued.pop())
    imp.refresh_from_db()
    assert imp.status == StaffImport.Status.APPLIED
    assert active_count() == 1
