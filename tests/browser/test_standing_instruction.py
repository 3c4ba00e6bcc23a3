"""An owner sets a standing instruction, a package fails, and the seller undoes the rule.

Screenshots of the settings page, the rule's email and the undo page, at desktop
and phone widths, are kept with the test artefacts.
"""

import re

import pytest
from django.core import mail
from playwright.sync_api import expect

from portal.models import SellerRole
from returns import outbox
from returns.models import FailedPackage
from tests.browser.signin import sign_in
from tests.builders import awaiting_package
from tests.factories import UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 375, "height": 812}
DESKTOP = {"width": 1280, "height": 900}


def shoot(page, screenshots, name: str) -> None:
    for label, size in (("desktop", DESKTOP), ("phone", PHONE)):
        page.set_viewport_size(size)
        page.screenshot(path=screenshots / f"{name}-{label}.png", full_page=True)
    page.set_viewport_size(DESKTOP)


def test_an_owner_sets_send_it_back_and_undoes_it_from_the_email(
    live_server, page, screenshots, settings, seller_a, provider_x, address
):
    settings.SITE_URL = live_server.url
    owner = UserFactory(email="olive@shop-a.example", seller=seller_a, seller_role=SellerRole.OWNER)
    sign_in(page, live_server, owner)

    page.goto(f"{live_server.url}/settings/instructions/")
    page.get_by_label("Always send it back").check()
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_text("Saved. It applies to the next package")).to_be_visible()
    expect(
        page.get_by_text(re.compile(r"olive@shop-a\.example: Always send it back"))
    ).to_be_visible()
    shoot(page, screenshots, "standing-instruction-settings")

    package = awaiting_package(seller_a, provider_x, description="Bluetooth speaker, black")
    assert package.status == FailedPackage.Status.CLAIMED
    outbox.deliver_notifications()
    [email] = [
        m for m in mail.outbox if m.to == [seller_a.contact_email] and "standing" in m.subject
    ]
    page.goto("about:blank")  # out of the portal's page, and out of its CSP
    page.set_content(email.alternatives[0][0])
    shoot(page, screenshots, "standing-instruction-email")
    page.get_by_role("link", name="Undo").click()
    expect(
        page.get_by_role("heading", name=re.compile("Undo your standing instruction"))
    ).to_be_visible()
    shoot(page, screenshots, "standing-instruction-undo")
    page.get_by_role("button", name="Yes, undo it").click()
    expect(page.get_by_text(re.compile("is waiting for your decision again"))).to_be_visible()
    package.refresh_from_db()
    assert package.status == FailedPackage.Status.AWAITING_SELLER
