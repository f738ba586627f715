"""The site menu (config/navigation.py): one menu, built in one place, for every page and role.

Every page each role can open (the authorisation matrix's 200s) is fetched and its header menu and
sub-navigation read: no item appears twice, at most one is current, and each role sees the sections
meant for it (few enough to fit one row at 1280 px: tests/e2e/test_navigation.py measures that).
"""

import re

import pytest

from tests.security.rules.common import SIGNED_IN
from tests.security.test_authorisation_matrix import RULES, _url, _user, objects, staff_status_user  # noqa: F401

NAV = re.compile(r'<nav aria-label="Menu".*?</nav>', re.S)
SUBNAV = re.compile(r'<nav class="tandem-subnav".*?</nav>', re.S)
LINK = re.compile(r'<a [^>]*href="([^"]+)"([^>]*)>(?:<strong[^>]*>)?([^<]+)<')

SECTIONS = {
    "staff": ["Home", "Learning", "Surveys", "Your account"],
    "frontline": ["Home", "Learning", "Surveys", "Your account"],
    "manager": ["Home", "Readiness", "Learning", "Surveys", "People", "Your account"],
    "other_manager": ["Home", "Readiness", "Learning", "Surveys", "People", "Your account"],
    "hr": ["Home", "Readiness", "Learning", "Surveys", "People", "Settings", "Your account"],
    "author": ["Home", "Learning", "Surveys", "Your account"],
    "admin": ["Home", "Readiness", "Learning", "Surveys", "People", "Settings", "Your account"],
    "staff_status": ["Home", "Learning", "Surveys", "Your account"],
}


def _links(html: str, pattern) -> list[tuple[str, bool, str]]:
    block = pattern.search(html)
    if not block:
        return []
    return [(href, "aria-current" in rest, label.strip()) for href, rest, label in LINK.findall(block.group())]


@pytest.mark.parametrize("role", SIGNED_IN)
def test_no_menu_item_appears_twice_on_any_page(client, org, objects, role):  # noqa: F811
    client.force_login(_user(org, role))
    pages = [_url(key, kwargs, objects) for key, (kwargs, expected) in RULES.items() if expected[role] == 200]
    wrong, seen = [], 0
    for url in pages:
        response = client.get(url)
        if "text/html" not in response.get("Content-Type", ""):
            continue
        html = response.content.decode()
        menu, subnav = _links(html, NAV), _links(html, SUBNAV)
        if not menu:
            continue  # a page outside the frame (e.g. a printable slip)
        seen += 1
        menu_labels = [label for _, _, label in menu]
        if menu_labels != SECTIONS[role]:
            wrong.append(f"{url}: menu {menu_labels}")
        for name, items in (("menu", menu), ("sub-navigation", subnav)):
            labels = [label for _, _, label in items]
            hrefs = [href for href, _, _ in items]
            if len(set(labels)) != len(labels) or len(set(hrefs)) != len(hrefs):
                wrong.append(f"{url}: {name} repeats an item: {labels}")
            if sum(current for _, current, _ in items) > 1:
                wrong.append(f"{url}: {name} marks more than one item current")
        if {label for _, _, label in subnav} & set(menu_labels):
            wrong.append(f"{url}: sub-navigation repeats a menu item")
    assert seen > 10
    assert "\n".join(wrong) == ""


@pytest.mark.parametrize(("role", "url", "section", "subpage"), [
    ("staff", "/learning/", "Learning", None),  # one page in the section: no sub-navigation
    ("manager", "/learning/", "Learning", "My learning"),
    ("manager", "/courses/team/", "Learning", "Team progress"),
    ("hr", "/surveys/", "Surveys", "Surveys to answer"),
    ("hr", "/surveys/results/", "Surveys", "Survey results"),
    ("hr", "/surveys/manage/new/", "Surveys", "Run surveys"),
    ("hr", "/organisation/import/", "People", "Import staff"),
    ("admin", "/organisation/audit/", "Settings", "Audit log"),
    ("admin", "/settings/readiness-weights/", "Settings", "Readiness weights"),
    ("manager", "/readiness/", "Readiness", "By department"),
    ("manager", "/reports/", "Readiness", "Reports"),
    ("hr", "/reports/schedules/", "Readiness", "Scheduled reports"),
    ("staff", "/accounts/password/change/", "Your account", "Password and security"),
    ("staff", "/notifications/", "Your account", "Your notifications"),
    ("hr", "/settings/nudges/", "Settings", "Nudge settings"),
    ("hr", "/settings/outbox/", "Settings", "Reminders sent"),
])
def test_the_current_section_and_page_are_marked(client, org, role, url, section, subpage):
    client.force_login({"staff": org.staff, "manager": org.env_manager, "hr": org.hr, "admin": org.admin}[role])
    html = client.get(url).content.decode()
    assert [label for _, current, label in _links(html, NAV) if current] == [section]
    subnav = _links(html, SUBNAV)
    assert [label for _, current, label in subnav if current] == ([subpage] if subpage else [])
    if subpage is None:
        assert subnav == []
