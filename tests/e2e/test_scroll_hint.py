"""Tables wider than the screen say that they scroll sideways (static/tandem/app.mjs), and only those."""

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import DESKTOP, PHONE, sign_in, totp_secret
from tests.factories import PASSWORD, build_org

HINT = "Scroll sideways to see every column."


@pytest.mark.django_db(transaction=True)
def test_a_wide_table_says_it_scrolls_on_a_phone_and_not_on_a_desktop(page, live_server):
    org = build_org()
    sign_in(page, live_server, org.hr.email, PASSWORD, totp=totp_secret(org.hr))
    page.set_viewport_size(PHONE)
    page.goto(f"{live_server.url}/readiness/")
    hint = page.get_by_text(HINT)
    expect(hint.first).to_be_visible()
    # The hint sits just before the table it describes, which really is wider than its box.
    assert page.evaluate("""() => { const h = document.querySelector('.tandem-scroll-hint');
        const w = h.nextElementSibling; return w.classList.contains('tandem-table-wrap') && w.scrollWidth > w.clientWidth; }""")
    page.set_viewport_size(DESKTOP)
    page.goto(f"{live_server.url}/readiness/department/{org.waste.pk}/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Waste Collection")
    expect(page.get_by_text(HINT)).to_have_count(0)
