"""The seller's whole journey in a real browser: from the destruction notice to a claimed package.

Screenshots of the dashboard, a package page and a ticket page at desktop and
phone widths are kept with the test artefacts.
"""

import re
from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from returns.models import FailedPackage, Notification
from tests.builders import awaiting_package, destroyed_package
from tests.factories import PASSWORD
from tests.files import png_bytes
from tests.helpers import as_sent
from tickets.models import Ticket

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

Status = FailedPackage.Status
PHONE = {"width": 375, "height": 812}
DESKTOP = {"width": 1280, "height": 900}


def shoot(page, screenshots, name: str) -> None:
    for label, size in (("desktop", DESKTOP), ("phone", PHONE)):
        page.set_viewport_size(size)
        page.screenshot(path=screenshots / f"{name}-{label}.png", full_page=True)
    page.set_viewport_size(DESKTOP)


def test_a_seller_rescues_a_package_from_the_notice_link_then_lets_another_go(
    live_server, page, screenshots, alice, xavier, seller_a, provider_x
):
    rescued = awaiting_package(seller_a, provider_x, description="Bluetooth speaker, black")
    unwanted = awaiting_package(seller_a, provider_x, description="Phone case, cracked")
    destroyed_package(seller_a, provider_x, staff=xavier)
    # Left waiting, so the dashboard shows decisions to make, one of them urgent.
    awaiting_package(seller_a, provider_x, description="Smart watch strap")
    urgent = awaiting_package(seller_a, provider_x, description="USB-C charger, 65 W")
    FailedPackage.objects.filter(pk=urgent.pk).update(
        claim_deadline=timezone.now() + timedelta(hours=20)
    )
    console_errors = []
    page.on("console", lambda message: message.type == "error" and console_errors.append(message))

    notice = as_sent(Notification.objects.get(kind="destruction_notice", package=rescued))
    link = re.search(r"https://returns\.example(/tickets/new/\S+)", notice.body_text).group(1)
    page.goto(live_server.url + link)

    # Signed out: the link goes through the sign-in page and comes back.
    page.get_by_label("Email address").fill(alice.email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(re.compile(r"/tickets/new/\?package="))
    # The notice's button opens the send-back step, with the deadline and the time left.
    expect(page.get_by_role("heading", name="Send it back to me", level=1)).to_be_visible()
    assert page.locator("select[name=package]").input_value() == rescued.public_id
    expect(page.get_by_text(re.compile("^Decide before "))).to_be_visible()
    expect(page.locator("#package-heading ~ .badge .countdown")).to_be_visible()
    page.get_by_label("Deliver it to").fill("Siam Gadgets, 12 Sukhumvit Soi 11, Bangkok 10110")
    page.get_by_label("Contact phone").fill("+66 81 555 0199")
    page.get_by_label("Message").fill("Weekday mornings, please.")
    page.get_by_label("Attachments").set_input_files(
        files=[{"name": "shipping-label.png", "mimeType": "image/png", "buffer": png_bytes()}]
    )
    shoot(page, screenshots, "ticket-form")
    page.get_by_role("button", name="Send the ticket and keep the package").click()

    page.wait_for_url(re.compile(r"/tickets/RT-[A-Z0-9]{6}/$"))
    ticket = Ticket.objects.get(package=rescued)
    rescued.refresh_from_db()
    assert rescued.status == Status.CLAIMED
    expect(page.get_by_role("alert").filter(has_text="is claimed")).to_be_visible()
    expect(page.get_by_role("link", name=re.compile("shipping-label.png"))).to_be_visible()
    expect(page.get_by_text("Coming back to you").locator("visible=true").first).to_be_visible()
    shoot(page, screenshots, "ticket")

    page.goto(f"{live_server.url}/packages/{unwanted.public_id}/")
    assert page.locator(".countdown").first.inner_text().endswith("left")
    shoot(page, screenshots, "package")
    page.get_by_role("link", name="I don't need it").click()
    page.get_by_role("button", name="Yes, destroy it").click()

    page.wait_for_url(f"{live_server.url}/packages/{unwanted.public_id}/")
    unwanted.refresh_from_db()
    assert unwanted.status == Status.DESTRUCTION_PENDING
    expect(page.get_by_text("To be destroyed").first).to_be_visible()

    page.goto(f"{live_server.url}/")
    expect(page.get_by_role("heading", name="Dashboard")).to_be_visible()
    expect(page.get_by_text(ticket.reference).first).to_be_visible()
    shoot(page, screenshots, "dashboard")
    assert console_errors == []
