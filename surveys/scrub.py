"""Scrub free-text comments before they are stored: staff names, email addresses, phone numbers and
staff numbers are replaced with a marker, so a comment cannot name its writer or a colleague."""

import re

EMAIL = re.compile(r"[\w.+'-]+@[\w-]+(\.[\w-]+)+", re.UNICODE)
# UK numbers: 07xxx xxxxxx, 01xx/02x landlines, +44 forms, with spaces, dots or hyphens.
PHONE = re.compile(r"(?<!\w)(\+44\s?\(?0?\)?|\(?0)\d{2,4}\)?[\s.-]?\d{3,4}[\s.-]?\d{3,4}(?!\w)")
STAFF_NUMBER = re.compile(r"(?<!\w)[A-Z]{1,3}-?\d{4,8}(?!\w)")
EVERYDAY_WORDS = {"Will", "May", "Hope", "June", "April", "August", "Summer"}
TITLES = r"(?:Mr|Mrs|Ms|Miss|Mx|Dr|Cllr|Councillor)\.?"


def scrub(text: str, *, first_names: set[str], last_names: set[str], staff_numbers: set[str]) -> str:
    """`first_names`/`last_names`/`staff_numbers`: the organisation's staff (as stored)."""
    text = EMAIL.sub("[email removed]", text)
    text = PHONE.sub("[phone number removed]", text)
    for number in sorted(staff_numbers, key=len, reverse=True):
        if number:
            text = re.sub(rf"(?<!\w){re.escape(number)}(?!\w)", "[staff number removed]", text, flags=re.IGNORECASE)
    text = STAFF_NUMBER.sub("[staff number removed]", text)
    lasts = "|".join(re.escape(n) for n in sorted(last_names, key=len, reverse=True) if n)
    firsts = "|".join(re.escape(n) for n in sorted(first_names, key=len, reverse=True) if n)
    if firsts and lasts:
        # "Sam Smith", "Sam O'Brien", "Sam S" / "Sam S."
        text = re.sub(rf"\b(?:{firsts})\s+(?:{lasts}|[A-Z]\.?)(?!\w)", "[name removed]", text)
    if lasts:
        text = re.sub(rf"\b{TITLES}\s+(?:{lasts})\b", "[name removed]", text)
    if firsts:
        # A capitalised staff first name is removed wherever it stands (privacy wins over the odd
        # false alarm), except names that are also everyday words when they open a sentence
        # ("Will this help?"). Lower-case words ("grace", "will") are never touched.
        def replace(match):
            word = match.group(0)
            start = match.start()
            opens_sentence = start == 0 or re.search(r"[.!?]\s+$", match.string[:start])
            return word if (word in EVERYDAY_WORDS and opens_sentence) else "[name removed]"

        text = re.sub(rf"\b(?:{firsts})\b", replace, text)
    return text
