"""Scrubbing comments before they are stored (surveys.scrub): what must go, and ordinary words that must stay."""

import subprocess
import sys

import pytest
from django.conf import settings

from surveys.scrub import EMAIL, NAME, PHONE, STAFF_NUMBER, Scrubber

FIRSTS = ["Morgan", "Jane", "Sam", "Will", "May", "Hope", "Rose", "Mary-Jane", "Dave"]
LASTS = ["Reid", "Doe", "Okafor", "Brown", "Long", "Green", "O'Brien", "van der Berg", "Smith-Jones", "Person12"]
NUMBERS = ["N90001", "T00012"]


@pytest.fixture(scope="module")
def scrub():
    return Scrubber(first_names=FIRSTS, last_names=LASTS, staff_numbers=NUMBERS)


@pytest.mark.parametrize("text, expected", [
    # Names from the staff list, in any case.
    ("Ask Morgan Reid about it", f"Ask {NAME} about it"),
    ("ask morgan reid about it", f"ask {NAME} about it"),
    ("ASK MORGAN REID ABOUT IT", f"ASK {NAME} ABOUT IT"),
    ("mOrGaN rEiD", NAME),
    # A surname on its own, in any case, and a first name on its own.
    ("Reid said no", f"{NAME} said no"),
    ("then reid said no", f"then {NAME} said no"),
    ("then REID said no", f"then {NAME} said no"),
    ("okafor knows", f"{NAME} knows"),
    ("ask dave", f"ask {NAME}"),
    # Titles, initials, possessives, names of several words or with hyphens and apostrophes.
    ("Mr Brown said so", f"{NAME} said so"),
    ("cllr reid", NAME),
    ("Dr. van der Berg", NAME),
    ("Morgan R. knows", f"{NAME} knows"),
    ("Reid's idea", f"{NAME}'s idea"),
    ("Mrs O\u2019Brien\u2019s team", f"{NAME}\u2019s team"),
    ("Mary-Jane Smith-Jones", NAME),
    ("then Smith said", f"then {NAME} said"),  # one half of a double-barrelled surname
    # Names that are everyday words: a name when capitalised mid-sentence, or paired with a surname.
    ("ask Will about it", f"ask {NAME} about it"),
    ("May Long is great", f"{NAME} is great"),
    ("will reid help?", f"{NAME} help?"),
    # Phone numbers, extensions.
    ("ring ext 4521", f"ring {PHONE}"),
    ("ring ext. 4521 or extension 4521", f"ring {PHONE} or {PHONE}"),
    ("ring x4521", f"ring {PHONE}"),
    ("call 0044 7700 900 123 today", f"call {PHONE} today"),
    ("call +44 7700 900123", f"call {PHONE}"),
    ("call +44 (0) 7700 900123", f"call {PHONE}"),
    ("call +447700900123", f"call {PHONE}"),
    ("call 07700 900123", f"call {PHONE}"),
    ("call 07700-900-123", f"call {PHONE}"),
    ("call 020 7946 0000", f"call {PHONE}"),
    ("call (01632) 960000 ext. 12", f"call {PHONE}"),
    ("call 0113 496 0000.", f"call {PHONE}."),
    # Emails, plain and spelled out.
    ("write to x.y@northmere.example", f"write to {EMAIL}"),
    ("write to jane@northmere", f"write to {EMAIL}"),
    ("jane dot doe at northmere dot gov dot uk", EMAIL),
    ("JANE DOT DOE AT NORTHMERE DOT GOV DOT UK", EMAIL),
    ("jane.doe at northmere.gov.uk", EMAIL),
    ("jane(at)northmere(dot)gov(dot)uk", EMAIL),
    ("jane [at] northmere [dot] gov [dot] uk", EMAIL),
    # Staff numbers: the list's in any case, and anything shaped like one.
    ("I am n90001", f"I am {STAFF_NUMBER}"),
    ("T00012 and AB-12345", f"{STAFF_NUMBER} and {STAFF_NUMBER}"),
])
def test_removed(scrub, text, expected):
    assert scrub(text) == expected


@pytest.mark.parametrize("text", [
    "Will this help?",
    "It will help, and it may help more.",
    "I hope so. Hope is not a plan.",  # "Hope" opens a sentence
    "WILL IT HELP? MAY BE.",  # capitals throughout say nothing about names
    "The green and brown bins are collected on a long round.",
    "it may long be remembered",  # two everyday words in lower case are not a name
    "May I ask a question?",  # "I" is not an initial
    "I looked at this. Then I was good at maths.",
    "Look at the intranet.",
    "Between 10 and 20 people, in 2019, 2020 and 2021.",
    "5 x 100 is 500, and 3 x 4 is 12.",
    "Dates 01/02/2024 and a score of 0.5 of 1.5.",
    "The right person to ask is in the depot.",  # surname Person12 is not "person"
    "Roses are red.",
])
def test_kept(scrub, text):
    assert scrub(text) == text


def test_markers_are_never_read_as_names():
    scrub = Scrubber(first_names=["Name", "Phone"], last_names=["Removed", "Number"], staff_numbers=[])
    assert scrub("Ask Morgan on 07700 900123") == f"Ask Morgan on {PHONE}"
    assert scrub(f"{NAME} and {PHONE}") == f"{NAME} and {PHONE}"


def test_a_long_run_of_digits_does_not_hang():
    """The phone pattern has one way to split a run of digits into groups, so a run that is not a number
    is given up in linear time (a pattern with two ways would take forever on this). In a child process:
    a regular expression holds the interpreter until it is done."""
    code = ("from surveys.scrub import Scrubber; "
            "Scrubber(first_names=[], last_names=[], staff_numbers=[])('0' + '1' * 3000 + 'a ' + '0 1' * 500 + 'a')")
    subprocess.run([sys.executable, "-c", code], check=True, timeout=20, cwd=settings.BASE_DIR)


def test_no_staff_list_still_removes_emails_phones_and_staff_numbers():
    scrub = Scrubber(first_names=[], last_names=[], staff_numbers=[])
    assert scrub("Morgan: m@x.org, 07700 900123, N12345") == f"Morgan: {EMAIL}, {PHONE}, {STAFF_NUMBER}"


def test_the_scrubber_for_a_submit_is_built_from_the_staff_list(org):
    from surveys.services.answering import _scrubber
    from tests.factories import make_staff

    make_staff(org.finance, first="Jordan", last="Fairbairn-Oduya")
    scrub = _scrubber()
    manager = org.env_manager
    text = (f"{manager.first_name.lower()} {manager.last_name.lower()} and {manager.last_name.upper()} said "
            f"ask fairbairn-oduya or {org.frontline.username.lower()}")
    assert scrub(text) == f"{NAME} and {NAME} said ask {NAME} or {STAFF_NUMBER}"
