"""The settings page at 1280 and 375 px, with every section filled: screenshots for a person
to look at, and what must hold on them. Then the saved address on a send-back ticket."""

import pytest
from playwright.sync_api import expect

from portal.confirmations import unsubscribe_token
from portal.models import NotificationAddress, ReturnAddress, SellerRole
from portal.shop import services
from tests.browser.signin import sign_in
from tests.builders import awaiting_package
from tests.factories import UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def owner(seller_a):
    owner = UserFactory(
        email="olivia@shop-a.example", seller=seller_a, seller_role=SellerRole.OWNER
    )
    services.update_profile(
        seller=seller_a,
        actor=owner,
        values={"name": "Shop A Outlet", "time_zone": "Asia/Bangkok", "language": "en"},
    )
    services.add_notification_address(seller=seller_a, actor=owner, email="night@shop-a.example")
    NotificationAddress.objects.filter(email="night@shop-a.example").update(
        confirmed_at="2026-01-01T00:00:00Z"
    )
    services.add_notification_address(seller=seller_a, actor=owner, email="weekend@shop-a.example")
    for label, name in [("Main warehouse", "Somchai P."), ("Sukhumvit branch", "Nok")]:
        services.save_return_address(
            seller=seller_a,
            actor=owner,
            address=None,
            values={
                "label": label,
                "contact_name": name,
                "phone": "+66 81 234 5678",
                "address": "99 Rama IV Road, Khlong Toei\nBangkok 10110",
                "is_default": False,
            },
        )
    services.set_email_preferences(
        seller=seller_a, actor=owner, values={"reminder_emails": False, "ticket_reply_emails": True}
    )
    return owner


@pytest.mark.parametrize("width", [1280, 375])
def test_the_settings_page(width, live_server, browser, screenshots, owner, seller_a, provider_x):
    context = browser.new_context(viewport={"width": width, "height": 900})
    page = context.new_page()
    page.set_default_timeout(10_000)
    sign_in(page, live_server, owner)

    page.goto(f"{live_server.url}/settings/")
    page.screenshot(path=screenshots / f"settings-{width}.png", full_page=True)

    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    assert page.locator("#time-zones option").count() > 300
    expect(page.get_by_text("Waiting for confirmation")).to_be_visible()
    assert page.get_by_text("Asia/Bangkok → Asia/Bangkok").count() == 0
    expect(page.get_by_role("link", name="Return addresses")).to_be_visible()

    # The default address is filled in on the send-back form of a package.
    package = awaiting_package(seller_a, provider_x)
    page.goto(f"{live_server.url}/tickets/new/?package={package.public_id}")
    assert "99 Rama IV Road" in page.locator("[name=delivery_address]").input_value()
    page.get_by_role("link", name="Sukhumvit branch").click()
    assert page.locator("[name=delivery_address]").input_value().startswith("Nok\n")
    page.screenshot(path=screenshots / f"send-back-saved-address-{width}.png", full_page=True)
    assert ReturnAddress.objects.filter(is_default=True).get().label == "Main warehouse"
    context.close()


def test_the_link_pages_and_the_members_refusal_on_a_phone(
    live_server, browser, screenshots, owner, alice, seller_a
):
    context = browser.new_context(viewport={"width": 375, "height": 812})
    page = context.new_page()
    page.set_default_timeout(10_000)
    token = unsubscribe_token(seller_a.pk, "reminder_emails")

    page.goto(f"{live_server.url}/settings/unsubscribe/{token}/")
    page.screenshot(path=screenshots / "unsubscribe-375.png", full_page=True)
    page.get_by_role("button", name="Turn them off").click()
    expect(page.get_by_role("heading", name="Emails turned off")).to_be_visible()

    alice.seller_role = SellerRole.MEMBER  # a seller's user is an owner unless told
    alice.save(update_fields=["seller_role"])
    sign_in(page, live_server, alice)
    page.goto(f"{live_server.url}/settings/")
    page.screenshot(path=screenshots / "settings-member-375.png", full_page=True)
    expect(page.get_by_role("link", name="olivia@shop-a.example")).to_be_visible()
    context.close()
