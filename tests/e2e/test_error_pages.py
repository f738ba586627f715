"""Error pages in the browser: the site frame, a plain message, a way back, no accessibility
problems, and no favicon request that fails (config/views.py)."""

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import check_page, sign_in
from tests.factories import PASSWORD, build_org


def test_404_and_403_pages_have_the_frame_and_a_way_back(page, live_server):
    org = build_org()
    failed = []
    page.on("response", lambda r: failed.append(r.url) if r.status >= 400 and "favicon" in r.url else None)
    sign_in(page, live_server, org.res_manager.email, PASSWORD)
    response = page.goto(f"{live_server.url}/organisation/departments/{org.waste.pk}/")
    assert response.status == 404
    expect(page.get_by_role("heading", level=1)).to_have_text("Page not found")
    expect(page.get_by_role("navigation", name="Menu")).to_be_visible()
    check_page(page, "error-404")
    response = page.goto(f"{live_server.url}/organisation/import/")
    assert response.status == 403
    expect(page.get_by_role("heading", level=1)).to_have_text("You cannot use this page")
    check_page(page, "error-403")
    response = page.goto(f"{live_server.url}/organisation/sign-in-slips/")
    assert response.status == 405
    check_page(page, "error-405")
    page.get_by_role("link", name="Go to your home page").click()
    expect(page).to_have_url(f"{live_server.url}/")
    assert page.request.get(f"{live_server.url}/favicon.ico").ok
    assert failed == []


@pytest.mark.urls("tests.error_urls")
def test_500_page(page, live_server):
    response = page.goto(f"{live_server.url}/broken-on-purpose/")
    assert response.status == 500
    expect(page.get_by_role("heading", level=1)).to_have_text("Sorry, there is a problem with the service")
    check_page(page, "error-500")
