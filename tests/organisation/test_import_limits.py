"""The staff import against files that are wrong on a large scale: a page of problems stays small
(the first ERROR_LIMIT, by line, and how many more), a header of absurd width is refused at once,
and a "complete" file that would deactivate a large share of staff needs HR to type the number."""

import re

import pytest
from django.urls import reverse

from organisation import importing
from organisation.models import StaffImport
from tests.organisation.staff_csv import staff_row, to_csv
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
