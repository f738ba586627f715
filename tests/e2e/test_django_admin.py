"""The Django admin in the browser, under its own Content-Security-Policy (config/csp.py).

The `page` fixture fails a test on any "Refused to ..." CSP console message or script error, so each
page below opening cleanly is the assertion; the widgets that need inline styles and scripts (the
periodic task's schedule pickers, the date and time shortcuts, filter_horizontal, inlines) are used too.
"""

import re

from playwright.sync_api import expect

from tests.e2e.conftest import shoot, sign_in, totp_secret
from tests.factories import PASSWORD, build_org

ADMIN_PAGES = [
    ("django_celery_beat/periodictask/add/", "Add periodic task"),
    ("django_celery_beat/crontabschedule/add/", "Add crontab"),
    ("organisation/user/{admin_pk}/change/", "Change user"),
    ("organisation/department/{department_pk}/change/", "Change department"),
]


def test_admin_add_and_change_pages_run_under_the_admin_policy(page, live_server):
    # Chromium words some refusals "... violates the following Content Security Policy directive",
    # which the `page` fixture only warns about: here any CSP message at all fails the test.
    csp_messages = []
    page.on("console", lambda msg: "Content Security Policy" in msg.text and csp_messages.append(f"{page.url}: {msg.text}"))
    org = build_org()
    sign_in(page, live_server, org.admin.email, PASSWORD, totp=totp_secret(org.admin))
    expect(page).not_to_have_url(re.compile(r"/accounts/"))
    for path, heading in ADMIN_PAGES:
        url = f"{live_server.url}/django-admin/" + path.format(admin_pk=org.admin.pk, department_pk=org.waste.pk)
        response = page.goto(url)
        assert response.status == 200, url
        assert "'unsafe-inline'" in response.headers["content-security-policy"]
        expect(page.locator("h1")).to_contain_text(heading)
        page.wait_for_load_state("load")
    # django-celery-beat's inline script ran: it hides the crontab translation row and explains the choice.
    page.goto(f"{live_server.url}/django-admin/django_celery_beat/periodictask/add/")
    expect(page.locator(".field-crontab_translation")).to_be_hidden()
    # Widgets the admin's scripts build at run time: the group chooser (filter_horizontal), date shortcuts.
    page.goto(f"{live_server.url}/django-admin/organisation/user/{org.admin.pk}/change/")
    expect(page.locator("#id_groups_add_all")).to_be_visible()
    expect(page.get_by_role("link", name="Today").first).to_be_visible()
    shoot(page, "django-admin-user-change")
    assert not csp_messages, "\n".join(csp_messages)
