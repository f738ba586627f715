"""An admin changes the council's settings one group at a time: the overview, branding (a colour too
light is refused beside its field), reporting thresholds (a comment threshold below the minimum group is
refused), sign-in, and the values list (add one with a mistake first, change, move, remove after the
confirmation). Every page is checked with axe and screenshotted at desktop and phone widths."""

import io

import pytest
from playwright.sync_api import expect

from courses.models import Module
from organisation.models import AuditEvent, CouncilSettings, CouncilValue
from tests.e2e.conftest import check_page, sign_in, totp_secret
from tests.factories import PASSWORD, build_org


def _png() -> bytes:
    from PIL import Image, ImageDraw

    image = Image.new("RGB", (120, 40), "white")
    ImageDraw.Draw(image).rectangle((4, 4, 36, 36), fill="#17577a")
    buf = io.BytesIO()
    image.save(buf, "PNG")
    return buf.getvalue()


@pytest.mark.django_db(transaction=True)
def test_admin_changes_council_settings_a_group_at_a_time(page, live_server, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    org = build_org()
    CouncilSettings.objects.update_or_create(pk=1, defaults={"name": "Northmere Borough Council"})
    listening = CouncilValue.objects.create(name="Listening to residents", order=0,
                                            description="We ask before we decide, and we say what we heard.")
    CouncilValue.objects.create(name="Working as one council", order=1, description="Across teams.")
    CouncilValue.objects.create(name="Spending wisely", order=2)
    Module.objects.create(slug="ai-basics", title="AI basics", summary="s", confidence_question="q").values.add(listening)
    sign_in(page, live_server, org.admin.email, PASSWORD, totp=totp_secret(org.admin))

    page.goto(f"{live_server.url}/organisation/settings/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Council settings")
    check_page(page, "council-settings-overview")

    # Branding: a yellow header would be unreadable.
    page.get_by_role("link", name="Change branding").click()
    page.get_by_label("Brand colour").fill("#ffdd00")
    check_page(page, "council-settings-branding")
    page.get_by_role("button", name="Save branding").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("White text on this colour would be hard to read")
    check_page(page, "council-settings-branding-errors")
    page.get_by_label("Brand colour").fill("#17577a")
    page.get_by_label("Upload a new logo").set_input_files({"name": "logo.png", "mimeType": "image/png", "buffer": _png()})
    page.get_by_role("button", name="Save branding").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text("Branding saved.")
    expect(page.locator("header img.tandem-header__logo")).to_be_visible()
    page.get_by_role("link", name="Change branding").click()
    expect(page.get_by_label("Remove the logo")).to_be_visible()
    check_page(page, "council-settings-branding-with-logo")
    page.get_by_role("link", name="Back to council settings").click()

    # Thresholds.
    page.get_by_role("link", name="Change reporting thresholds").click()
    page.get_by_label("Minimum group", exact=True).fill("8")
    page.get_by_label("Minimum group for comments").fill("6")
    page.get_by_role("button", name="Save thresholds").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("cannot be below the minimum group")
    check_page(page, "council-settings-thresholds-errors")
    page.get_by_label("Minimum group for comments").fill("12")
    page.get_by_role("button", name="Save thresholds").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text("Reporting thresholds saved.")

    # Sign-in.
    page.get_by_role("link", name="Change sign-in").click()
    check_page(page, "council-settings-sign-in")
    page.get_by_label("Yes, trust it").check()
    page.get_by_role("button", name="Save").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text("Sign-in setting saved.")

    # Values: a list, one value per page.
    page.get_by_role("link", name="Change council values").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Council values")
    check_page(page, "council-settings-values")
    page.get_by_role("link", name="Add a value").click()
    page.get_by_label("Value").fill("listening to residents")
    page.get_by_role("button", name="Add the value").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("already has a value with this name")
    check_page(page, "council-settings-value-errors")
    page.get_by_label("Value").fill("Being open")
    page.get_by_label("What it means (optional)").fill("We explain what we do and why.")
    page.get_by_role("button", name="Add the value").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text("“Being open” added.")
    page.get_by_role("button", name="Move up Being open").click()
    expect(page.locator(".tandem-value-list h2")).to_have_text(
        ["Listening to residents", "Working as one council", "Being open", "Spending wisely"])

    page.get_by_role("link", name="Remove Listening to residents").click()
    expect(page.locator(".govuk-warning-text")).to_contain_text("It is tagged on 1 module.")
    check_page(page, "council-settings-value-remove")
    page.get_by_role("button", name="Remove the value").click()
    expect(page.locator(".tandem-value-list h2")).to_have_text(["Working as one council", "Being open", "Spending wisely"])

    page.get_by_role("link", name="Back to council settings").click()
    check_page(page, "council-settings-overview-after")
    council = CouncilSettings.load()
    assert (council.colour, council.min_group_size, council.min_comment_group_size, council.trust_idp_mfa) == (
        "#17577a", 8, 12, True)
    assert set(AuditEvent.objects.values_list("action", flat=True)) >= {
        "council branding changed", "reporting thresholds changed", "sign-in setting changed",
        "council value added", "council value moved", "council value removed"}
