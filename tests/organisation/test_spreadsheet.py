"""The one helper every export uses: cells never run as formulas, sheet names Excel accepts."""

import pytest

from organisation.spreadsheet import safe_cell, safe_text, sheet_title


@pytest.mark.parametrize("value", ["=1+1", "+1", "-1", "@SUM(A1)", "\t=1", "\r=1", "\n=1", "\0=1",
                                   "  =cmd|' /C calc'!A0", "\uff1d1+1", "\uff201"])
def test_formula_like_text_gets_an_apostrophe(value):
    assert safe_text(value).startswith("'")
    assert safe_cell(value).startswith("'")


def test_characters_xlsx_cannot_hold_are_dropped_after_judging():
    assert safe_text("\x01=cmd") == "'=cmd"  # not "=cmd"
    assert safe_text("a\x0bb") == "ab"


def test_numbers_booleans_and_plain_text_stay_as_they_are():
    assert safe_cell(-3) == -3 and safe_cell(2.5) == 2.5
    assert safe_cell(True) == "Yes" and safe_text(False) == "No"
    assert safe_cell(None) == "" and safe_text("Parks") == "Parks"


def test_sheet_titles_are_valid_and_unique_whatever_the_case():
    used: set[str] = set()
    assert sheet_title("Parks: spring", used) == "Parks spring"
    assert sheet_title("PARKS SPRING", used) == "PARKS SPRING 2"
    assert sheet_title("'Quoted'", used) == "Quoted"
    assert sheet_title("[]:*?/\\", used) == "Sheet"
    long = sheet_title("A" * 40, used)
    assert long == "A" * 28 and len(sheet_title("A" * 40, used)) <= 31
