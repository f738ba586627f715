"""Cells for every export the product offers (CSV and XLSX, in every app): one helper, so no export can
forget the rule.

A spreadsheet runs text that starts with a formula character as a formula, which can fetch a web page or
run a command when HR opens the file (OWASP "CSV injection"; ASVS 5.0 requirement 1.2.10 names '=', '+',
'-', '@', tab and the null character). Such text is written with a leading apostrophe, which spreadsheets
show as text; leading spaces before a formula character, carriage returns, line feeds and the full-width
forms of the four characters are treated the same way (some spreadsheets trim spaces or read the wide
forms as the narrow ones). Numbers stay numbers, and characters an XLSX file cannot hold are dropped.
"""

import re

FORMULA_START = ("=", "+", "-", "@", "\t", "\r", "\n", "\0", "\uff1d", "\uff0b", "\uff0d", "\uff20")
_XML_ILLEGAL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")
CSV_TYPE = "text/csv; charset=utf-8"
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
PDF_TYPE = "application/pdf"


def _is_formula_like(text: str) -> bool:
    return text.startswith(FORMULA_START) or text.lstrip(" ").startswith(FORMULA_START)


def safe_text(value) -> str:
    """Text a spreadsheet shows as it is, never runs (for CSV writers, where every cell is text)."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "Yes" if value else "No"
    text = str(value)
    cleaned = _XML_ILLEGAL.sub("", text)
    # Judged before and after dropping the characters XLSX cannot hold: "\x01=cmd" must not become "=cmd".
    return "'" + cleaned if _is_formula_like(text) or _is_formula_like(cleaned) else cleaned


def safe_cell(value):
    """A cell for CSV or XLSX: numbers as numbers, booleans as Yes/No, dates as they are, text never run
    as a formula (see the module's note)."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "Yes" if value else "No"
    if isinstance(value, int | float):
        return value
    if hasattr(value, "isoformat") and not isinstance(value, str):  # dates and times: the writer formats them
        return value
    return safe_text(value)


_SHEET_FORBIDDEN = re.compile(r"[\[\]:*?/\\]")


def sheet_title(title: str, used: set[str]) -> str:
    """A worksheet name Excel accepts, unique in its workbook (`used` collects the names given, in lower
    case): none of []:*?/\\, no apostrophe at either end, at most 31 characters, and unique whatever the
    case (Excel treats "Parks" and "PARKS" as one sheet). A repeated name gets " 2", " 3"..."""
    base = _SHEET_FORBIDDEN.sub("", title).strip().strip("'").strip()[:28] or "Sheet"
    name, i = base, 2
    while name.lower() in used:
        name, i = f"{base[:26]} {i}", i + 1
    used.add(name.lower())
    return name
