"""The nav's unread badge past 99 notices on a phone: "99+" fits, in English and Thai."""

import pytest
from playwright.sync_api import expect

from tests.browser.signin import sign_in
from tests.factories import NotificationFactory, PackageFactory
from tests.i18n.languages import require_catalog

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 375, "height": 812}


@pytest.mark.parametrize("language", ["en", "th"])
def test_past_99_unread_the_nav_reads_99_plus_on_a_phone(
    language, live_server, browser, screenshots, alice, seller_a
):
    if language != "en":
        require_catalog(language)
    seller_a.language = language
    seller_a.save()
    NotificationFactory.create_batch(120, package=PackageFactory(seller=seller_a))
    context = browser.new_context(viewport=PHONE)
    page = context.new_page()
    page.set_default_timeout(10_000)
    sign_in(page, live_server, alice)

    page.goto(f"{live_server.url}/packages/")
    badge = page.locator(".navbar .badge")
    expect(badge).to_be_visible()
    expect(badge.locator("[aria-hidden=true]")).to_have_text("99+")
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    page.screenshot(path=screenshots / f"nav-99-plus-{language}-phone.png", full_page=False)
    context.close()
