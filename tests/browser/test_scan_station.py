"""The scan station by keyboard alone, as a scanner and an agent's keys drive it."""

import pytest
from playwright.sync_api import expect

from returns.models import FailedPackage, PackageBatch
from tests.factories import PASSWORD, PackageFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_an_agent_scans_three_packages_into_a_destruction_batch_and_prints_its_manifest(
    live_server, page, screenshots, xavier, alice, provider_x, seller_a
):
    for tracking in ["SL-0001", "SL-0002"]:
        PackageFactory(
            provider=provider_x, seller=seller_a, tracking_number=tracking, pending_destruction=True
        )
    PackageFactory(provider=provider_x, seller=seller_a, tracking_number="SL-0003", claimed=True)
    scan = f"{live_server.url}/admin/returns/failedpackage/scan/"
    page.goto(scan)
    page.get_by_label("Email address").fill(xavier.email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(scan)

    # A lookup: the card, its actions with their shortcuts, the cursor back in the field.
    page.keyboard.type("sl-0003")
    page.keyboard.press("Enter")
    page.get_by_role("heading", name="SL-0003").wait_for()
    expect(page.get_by_role("button", name="Alt+1 Mark returned to the seller")).to_be_visible()
    assert page.evaluate("document.activeElement.id") == "scan-field"
    page.screenshot(path=screenshots / "scan-card.png", full_page=True)
    page.keyboard.type("NOPE-1")
    page.keyboard.press("Enter")
    page.get_by_role("alert").get_by_text("No package NOPE-1 at SwiftLane.").wait_for()
    page.screenshot(path=screenshots / "scan-station.png", full_page=True)

    # Into a destruction batch: Tab to its button, Enter.
    page.get_by_role("button", name="Start a destruction batch").focus()
    page.keyboard.press("Enter")
    page.wait_for_url("**/batches/B-*/")
    for tracking in ["SL-0001", "SL-0003", "SL-0002"]:
        page.keyboard.type(tracking)
        page.keyboard.press("Enter")
        page.get_by_role("cell", name=tracking, exact=True).wait_for()
    page.get_by_text("1 in the wrong state").wait_for()
    assert page.evaluate("document.activeElement.id") == "scan-field"
    page.screenshot(path=screenshots / "scan-batch.png", full_page=True)

    # Confirm once: Alt+C to the form, the method chosen from the keyboard.
    page.keyboard.press("Alt+c")
    page.keyboard.type("DX-2026-0100")
    page.keyboard.press("Tab")
    page.keyboard.press("s")  # "Shredded"
    page.get_by_role("button", name="Confirm destruction").focus()
    page.keyboard.press("Enter")

    page.wait_for_url("**/manifest/")
    page.get_by_text("2 packages confirmed destroyed").wait_for()
    expect(
        page.get_by_text("Skipped: SL-0003 is claimed, not waiting for destruction")
    ).to_be_visible()
    page.screenshot(path=screenshots / "scan-manifest.png", full_page=True)

    batch = PackageBatch.objects.get()
    destroyed = FailedPackage.objects.filter(status="destroyed", destruction_batch=batch)
    assert sorted(destroyed.values_list("tracking_number", flat=True)) == ["SL-0001", "SL-0002"]
    assert set(destroyed.values_list("destruction_method", flat=True)) == {"shredded"}

    # What the rest of the floor sees: the pick list, the list's badges, the certificate.
    page.goto(f"{live_server.url}/admin/returns/failedpackage/pick-list/")
    page.get_by_role("heading", name="Bin B-12-3").wait_for()
    page.screenshot(path=screenshots / "pick-list.png", full_page=True)
    page.goto(f"{live_server.url}/admin/returns/failedpackage/")
    page.locator(".state-badge").first.wait_for()
    page.screenshot(path=screenshots / "console-packages-badges.png", full_page=True)
    certificate = f"/packages/{destroyed.first().public_id}/certificate/"
    seller = page.context.browser.new_context(viewport={"width": 1280, "height": 900})
    seller_page = seller.new_page()
    seller_page.goto(live_server.url + certificate)
    seller_page.get_by_label("Email address").fill(alice.email)
    seller_page.get_by_label("Password").fill(PASSWORD)
    seller_page.get_by_role("button", name="Sign in").click()
    seller_page.wait_for_url(live_server.url + certificate)
    expect(seller_page.get_by_text(batch.reference)).to_be_visible()
    seller_page.screenshot(path=screenshots / "certificate-batch.png", full_page=True)
    seller.close()
