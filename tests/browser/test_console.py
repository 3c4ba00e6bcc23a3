import pytest
from playwright.sync_api import expect

from portal.demo import DEFAULT_PASSWORD, seed_accounts
from portal.models import User
from returns.demo import seed_packages
from returns.models import FailedPackage, Notification

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

RECORD_VIOLATIONS = """
window.cspViolations = [];
document.addEventListener("securitypolicyviolation", (e) => {
  window.cspViolations.push(`${e.violatedDirective} ${e.blockedURI}`);
});
"""


def no_violations(page) -> list[str]:
    return page.evaluate("window.cspViolations")


def test_an_agent_confirms_a_destruction_from_the_work_list(live_server, page, screenshots):
    seed_accounts(DEFAULT_PASSWORD)
    seed_packages()
    # SwiftLane works in Thai; this agent chose English for themselves.
    User.objects.filter(email="agent@swiftlane.example").update(language="en")
    page.add_init_script(RECORD_VIOLATIONS)

    page.goto(f"{live_server.url}/admin/")
    page.get_by_label("Email address").fill("agent@swiftlane.example")
    page.get_by_label("Password").fill(DEFAULT_PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(f"{live_server.url}/admin/")

    work_list = page.get_by_role("table", name="What needs doing")
    expect(work_list.get_by_role("link", name="2 — Waiting for destruction")).to_be_visible()
    assert no_violations(page) == []
    page.screenshot(path=screenshots / "console-work-list.png", full_page=True)

    work_list.get_by_role("link", name="Waiting for destruction", exact=True).click()
    page.wait_for_url("**/admin/returns/failedpackage/?status=destruction_pending")
    rows = page.locator("#result_list tbody tr")
    assert rows.count() == 2
    assert no_violations(page) == []
    page.screenshot(path=screenshots / "console-packages.png", full_page=True)

    page.get_by_role("link", name="SL-DEMO-1009").click()
    page.get_by_role("heading", name="Next step").wait_for()
    assert no_violations(page) == []
    page.screenshot(path=screenshots / "console-package-pending.png")
    page.get_by_role("button", name="Confirm destruction").click()
    page.get_by_label("Destruction reference").fill("DX-2026-0042")
    page.get_by_label("Method").select_option("shredded")
    assert no_violations(page) == []
    page.screenshot(path=screenshots / "console-confirm-destruction.png", full_page=True)
    page.get_by_role("button", name="Confirm destruction").click()

    page.get_by_text("1 package confirmed destroyed").wait_for()
    assert "/change/" in page.url
    expect(page.locator(".field-status_label").get_by_text("Destroyed")).to_be_visible()
    assert no_violations(page) == []
    page.screenshot(path=screenshots / "console-package-destroyed.png", full_page=True)

    page.goto(f"{live_server.url}/admin/returns/failedpackage/")
    expect(page.get_by_text("Bangkok time").first).to_be_visible()
    assert no_violations(page) == []
    page.screenshot(path=screenshots / "console-packages-all.png", full_page=True)

    package = FailedPackage.objects.get(tracking_number="SL-DEMO-1009")
    assert (package.status, package.destruction_reference) == ("destroyed", "DX-2026-0042")
    assert Notification.objects.filter(package=package, kind="destroyed").exists()

    # The seller follows the certificate link of the email the destruction queued.
    notice = Notification.objects.get(package=package, kind="destroyed")
    certificate_path = f"/packages/{package.public_id}/certificate/"
    assert certificate_path in notice.body_text
    seller = page.context.browser.new_context(viewport={"width": 1280, "height": 900})
    seller_page = seller.new_page()
    seller_page.goto(live_server.url + certificate_path)
    seller_page.get_by_label("Email address").fill("seller@siamgadgets.example")
    seller_page.get_by_label("Password").fill(DEFAULT_PASSWORD)
    seller_page.get_by_role("button", name="Sign in").click()
    seller_page.wait_for_url(live_server.url + certificate_path)
    assert "DX-2026-0042" in seller_page.content()
    assert "SwiftLane" in seller_page.content()
    seller_page.screenshot(path=screenshots / "seller-certificate.png", full_page=True)
    seller.close()
