"""Browser tests: Playwright driving Debian's chromium against pytest-django's live server.

Every page a test visits is checked with axe-core (WCAG 2.0, 2.1 and 2.2, levels A and AA) and
screenshotted at a desktop and a phone width into artifacts/screenshots/ for people to look at.
"""

import os
import re
import time
import warnings
from pathlib import Path

# Playwright's sync API keeps an event loop running in the test thread, which makes Django refuse
# database access from the test ("SynchronousOnlyOperation"). The tests themselves are synchronous.
os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

import pytest  # noqa: E402
from allauth.mfa.models import Authenticator  # noqa: E402
from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value  # noqa: E402
from allauth.mfa.utils import decrypt  # noqa: E402
from axe_playwright_python.sync_playwright import Axe  # noqa: E402
from playwright.sync_api import expect, sync_playwright  # noqa: E402

E2E_DIR = Path(__file__).resolve().parent
SCREENSHOTS = E2E_DIR.parents[1] / "artifacts" / "screenshots"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
DESKTOP = {"width": 1280, "height": 800}
PHONE = {"width": 375, "height": 800}
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22a", "wcag22aa"]
AXE_OPTIONS = {"runOnly": {"type": "tag", "values": WCAG_TAGS}, "resultTypes": ["violations"]}

_axe = Axe()


def pytest_collection_modifyitems(config, items):
    for item in items:
        if E2E_DIR in Path(item.path).parents:
            item.add_marker(pytest.mark.e2e)
            # The live server serves static files through WhiteNoise, which warns that collectstatic's
            # folder does not exist: the test run does not need it.
            item.add_marker(pytest.mark.filterwarnings("ignore:No directory at:UserWarning"))


# --- Browser and pages -----------------------------------------------------------------------------

@pytest.fixture(scope="session")
def browser():
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        yield browser
        browser.close()


@pytest.fixture
def page(browser, live_server):
    """A fresh browser context (no cookies) per test. Script errors and Content-Security-Policy
    refusals on any page fail the test: the CSP forbids inline scripts and styles."""
    context = browser.new_context(viewport=DESKTOP, locale="en-GB", timezone_id="Europe/London")
    context.set_default_timeout(10_000)
    page = context.new_page()
    problems, notes = [], set()

    def on_console(msg):
        if msg.type != "error" or "Content Security Policy" not in msg.text:
            return
        # Something the page needs was blocked. This chromium words a blocked inline script "Executing
        # inline script violates ...", not "Refused to ...": both fail the test.
        if "Refused to" in msg.text or "violates the following Content Security Policy" in msg.text:
            problems.append(f"{page.url}: {msg.text}")
        else:  # a mistake in the policy itself, reported once per test
            notes.add(msg.text)

    page.on("pageerror", lambda exc: problems.append(f"script error on {page.url}: {exc}"))
    page.on("console", on_console)
    yield page
    context.close()
    for note in sorted(notes):
        warnings.warn(f"CSP: {note}", stacklevel=1)
    if problems:
        pytest.fail("Browser problems:\n" + "\n".join(problems), pytrace=False)


# --- Helpers ---------------------------------------------------------------------------------------

def _format_violations(url: str, violations: list[dict], where: str = "") -> str:
    lines = [f"{len(violations)} accessibility violation(s) on {url}{where}:"]
    for v in violations:
        lines.append(f"- {v['id']} ({v.get('impact') or 'unknown impact'}): {v['help']}")
        lines.append(f"  {v.get('helpUrl', '')}")
        for node in v["nodes"][:10]:
            target = " ".join(str(t) for t in node.get("target", []))
            lines.append(f"    at {target}")
            summary = [line.strip() for line in (node.get("failureSummary") or "").splitlines() if line.strip()]
            if summary:
                lines.append(f"       {summary[0]} {'; '.join(summary[1:])}")
        if len(v["nodes"]) > 10:
            lines.append(f"    ... and {len(v['nodes']) - 10} more")
    return "\n".join(lines)


def _axe_violations(page) -> list[dict]:
    return _axe.run(page, options=AXE_OPTIONS).response["violations"]


def check_a11y(page) -> None:
    """Run axe-core (WCAG 2.0/2.1/2.2 A and AA rules) on the page as it is now; fail, listing every
    violation (rule, impact, target selectors, help), if there are any."""
    violations = _axe_violations(page)
    if violations:
        pytest.fail(_format_violations(page.url, violations), pytrace=False)


def shoot(page, name: str) -> None:
    """Full-page screenshots at desktop (1280px) and phone (375px) widths, into artifacts/screenshots/."""
    _shoot_and_check(page, name, axe=False)


def check_page(page, name: str) -> None:
    """What every visited page gets: at each width, a screenshot (taken first, so it exists to look at
    even when the page fails) and an axe check (the phone layout differs: collapsed menu, stacked
    buttons, scrolling tables)."""
    _shoot_and_check(page, name, axe=True)


def _shoot_and_check(page, name: str, *, axe: bool) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    original = page.viewport_size or DESKTOP
    failures = []
    for suffix, size in (("desktop", DESKTOP), ("phone", PHONE)):
        page.set_viewport_size(size)
        page.screenshot(path=str(SCREENSHOTS / f"{name}-{suffix}.png"), full_page=True)
        if axe and (violations := _axe_violations(page)):
            failures.append(_format_violations(page.url, violations, f" at {size['width']}px"))
    page.set_viewport_size(original)
    if failures:
        pytest.fail("\n".join(failures), pytrace=False)


def totp_secret(user) -> str:
    """The TOTP secret of a user's authenticator (as factories.give_totp set it up)."""
    auth = Authenticator.objects.get(user=user, type=Authenticator.Type.TOTP)
    return decrypt(auth.data["secret"])


def totp_code(secret: str) -> str:
    """The authenticator app's code for now, computed with allauth's own helpers. Waits out the last
    two seconds of a period so the code is still current when the server checks it."""
    from allauth.mfa import app_settings

    period = app_settings.TOTP_PERIOD
    if period - time.time() % period < 2:
        time.sleep(2)
    return format_hotp_value(hotp_value(secret, int(time.time()) // period))


def sign_in(page, live_server, username: str, password: str, *, totp: str | None = None, check: str | None = None):
    """Sign in through the real form. `totp`: the user's TOTP secret, when the account has one.
    `check`: a name to axe-check and screenshot the sign-in (and authenticator) page under."""
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("Work email or staff number").fill(username)
    page.get_by_label("Password", exact=True).fill(password)
    if check:
        check_page(page, check)
    page.get_by_role("button", name="Sign in", exact=True).click()
    if totp:
        expect(page).to_have_url(re.compile(r"/accounts/2fa/authenticate/"))
        if check:
            check_page(page, f"{check}-authenticator")
        page.get_by_label("Code").fill(totp_code(totp))
        page.get_by_role("button", name="Sign in", exact=True).click()


def sign_out(page) -> None:
    page.get_by_role("navigation", name="Menu").get_by_role("button", name="Sign out").click()
