"""A Thai seller's journey in real Chromium at 375 px, and screenshots in all six languages.

The journey needs the Thai catalog (it skips only while the catalog is absent);
the screenshots are taken whatever the catalogs hold, for a person to look at:
diacritics not clipped, long Malay and Indonesian labels not overflowing,
Chinese lines breaking sanely.
"""

import re

import pytest
from django.conf import settings
from django.utils import translation
from playwright.sync_api import expect

from portal.languages import html_lang
from returns.models import FailedPackage, Notification
from tests.browser.signin import sign_in
from tests.builders import awaiting_package, destroyed_package
from tests.factories import PASSWORD
from tests.helpers import as_sent
from tests.i18n.languages import require_catalog
from tickets.models import Ticket

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 375, "height": 812}
THAI = re.compile(r"[\u0E00-\u0E7F]")


def thai(text: str) -> str:
    with translation.override("th"):
        return translation.gettext(text)


def fits_the_phone(page) -> bool:
    """Nothing wider than the screen: no button or label pushed out of it."""
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def test_a_thai_seller_goes_from_the_notice_to_a_thai_confirmation_on_a_phone(
    live_server, browser, screenshots, alice, seller_a, provider_x
):
    require_catalog("th")
    seller_a.language = "th"
    seller_a.save()
    package = awaiting_package(seller_a, provider_x, description="Bluetooth speaker, black")
    notice = as_sent(Notification.objects.get(kind="destruction_notice", package=package))
    assert notice.language == "th"
    assert THAI.search(notice.subject), notice.subject
    context = browser.new_context(viewport=PHONE, locale="en-US")  # an English phone
    page = context.new_page()
    page.set_default_timeout(10_000)

    link = re.search(r"https://returns\.example(/packages/\S+)", notice.body_text)[1]
    page.goto(live_server.url + link)

    # Signed out: the Thai sign-in page, though the phone asks for English.
    assert page.locator("html").get_attribute("lang") == "th"
    expect(page.get_by_role("button", name=thai("Sign in"))).to_be_visible()
    page.locator("input[name=username]").fill(alice.email)
    page.locator("input[name=password]").fill(PASSWORD)
    page.locator("form[action$='/accounts/login/'] button[type=submit]").click()

    page.wait_for_url(re.compile(rf"/packages/{package.public_id}/"))
    assert page.locator("html").get_attribute("lang") == "th"
    assert THAI.search(page.locator("main").inner_text())
    assert THAI.search(page.locator(".countdown").first.inner_text())  # the live script
    assert fits_the_phone(page)
    page.screenshot(path=screenshots / "th-journey-package-phone.png", full_page=True)
    page.locator(f"main a[href*='/tickets/new/?package={package.public_id}']").first.click()

    category = page.locator("input[type=radio][name=category][value=send_back]")
    if category.count():  # the category step, unless the link chose it already
        category.check()
        page.locator("main form button[type=submit]").last.click()
    page.locator("[name=delivery_address]").fill("12 Sukhumvit Soi 11, Bangkok 10110")
    page.locator("[name=contact_phone]").fill("+66 81 555 0199")
    page.locator("[name=body]").fill("ส่งคืนช่วงเช้าวันธรรมดาค่ะ")
    assert fits_the_phone(page)
    page.screenshot(path=screenshots / "th-journey-ticket-form-phone.png", full_page=True)
    page.locator("main form button[type=submit]").last.click()

    page.wait_for_url(re.compile(r"/tickets/RT-[A-Z0-9]{6}/$"))
    package.refresh_from_db()
    assert package.status == FailedPackage.Status.CLAIMED
    assert Ticket.objects.filter(package=package).exists()
    confirmation = page.get_by_role("alert").first.inner_text()
    assert THAI.search(confirmation), confirmation
    assert fits_the_phone(page)
    page.screenshot(path=screenshots / "th-journey-confirmation-phone.png", full_page=True)
    context.close()


# One test per language: six of the suite's longest tests spread over the workers.
@pytest.mark.parametrize("code", [code for code, _name in settings.LANGUAGES])
def test_screenshots_of_the_dashboard_package_and_ticket_form_in_every_language(
    code, live_server, browser, screenshots, alice, xavier, seller_a, provider_x
):
    package = awaiting_package(seller_a, provider_x, description="Mechanical keyboard (TH layout)")
    awaiting_package(seller_a, provider_x, description="Wireless earbuds, white")
    destroyed_package(seller_a, provider_x, staff=xavier)
    pages = {
        "dashboard": "/",
        "package": f"/packages/{package.public_id}/",
        "ticket-form": f"/tickets/new/?package={package.public_id}&category=send_back",
    }
    seller_a.language = code
    seller_a.save()
    for size_name, size in (("phone", PHONE), ("desktop", {"width": 1280, "height": 900})):
        context = browser.new_context(viewport=size)
        page = context.new_page()
        page.set_default_timeout(10_000)
        sign_in(page, live_server, alice)
        for name, path in pages.items():
            page.goto(live_server.url + path)
            assert page.locator("html").get_attribute("lang") == html_lang(code)
            assert size_name == "desktop" or fits_the_phone(page), f"{code}: {name}"
            page.screenshot(
                path=screenshots / f"lang-{code}-{name}-{size_name}.png", full_page=True
            )
        context.close()
