"""A seller decides from the email itself, signed out, in a real browser.

Screenshots of the email, the confirm page, the done page and the refusal, at
desktop and phone widths, are kept with the test artefacts.
"""

import pytest
from django.core import mail
from playwright.sync_api import expect

from returns import outbox
from returns.models import FailedPackage
from tests.builders import awaiting_package
from tickets.models import Ticket

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 375, "height": 812}
DESKTOP = {"width": 1280, "height": 900}


def shoot(page, screenshots, name: str) -> None:
    for label, size in (("desktop", DESKTOP), ("phone", PHONE)):
        page.set_viewport_size(size)
        page.screenshot(path=screenshots / f"{name}-{label}.png", full_page=True)
    page.set_viewport_size(DESKTOP)


def test_send_it_back_from_the_email_without_signing_in_then_the_link_is_spent(
    live_server, page, screenshots, settings, seller_a, provider_x, address
):
    settings.SITE_URL = live_server.url
    package = awaiting_package(seller_a, provider_x, description="Bluetooth speaker, black")
    outbox.deliver_notifications()
    [email] = [m for m in mail.outbox if m.to == [seller_a.contact_email]]
    html = email.alternatives[0][0]

    # The notice as the seller's mail program shows it.
    page.set_content(html)
    shoot(page, screenshots, "one-click-email")
    page.get_by_role("link", name="Send it back to me").click()
    page.wait_for_url(f"{live_server.url}/act/?t=*")
    heading = f"Send package {package.tracking_number} back to you?"
    expect(page.get_by_role("heading", name=heading)).to_be_visible()
    assert page.get_by_label("Contact name").input_value() == "Somchai Jaidee"
    assert "Sukhumvit Soi 11" in page.get_by_label("Address").input_value()
    spent_link = page.url
    shoot(page, screenshots, "one-click-confirm")

    page.get_by_label("Phone").fill("+66 89 000 1234")
    page.get_by_role("button", name="Yes, send it back to me").click()
    expect(page.get_by_role("heading", name="Done")).to_be_visible()
    ticket = Ticket.objects.get(package=package)
    expect(page.get_by_text(f"Your ticket is {ticket.reference}")).to_be_visible()
    expect(page.get_by_role("link", name="Sign in to follow it in the portal")).to_be_visible()
    shoot(page, screenshots, "one-click-done")
    package.refresh_from_db()
    assert package.status == FailedPackage.Status.CLAIMED
    assert ticket.contact_phone == "+66 89 000 1234"

    # The same button again: the package's state, in words, and a way to sign in.
    page.set_content(html)
    page.get_by_role("link", name="Send it back to me").click()
    page.wait_for_url(spent_link)
    expect(page.get_by_role("heading", name="This link can no longer be used")).to_be_visible()
    expect(
        page.get_by_text(f"Package {package.tracking_number} is already on its way back to you")
    ).to_be_visible()
    expect(page.get_by_role("link", name="Sign in to see the package")).to_be_visible()
    shoot(page, screenshots, "one-click-refused")
    assert Ticket.objects.filter(package=package).count() == 1
