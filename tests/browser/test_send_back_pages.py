"""The send-back form a notice opens, and a late claim's refusal, on a phone in English and
Thai: screenshots for a person to look at, and what must hold on them."""

from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from returns.models import FailedPackage
from tests.browser.signin import sign_in
from tests.builders import awaiting_package
from tests.i18n.languages import require_catalog

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 375, "height": 812}


def _signed_in_phone(browser, live_server, user):
    context = browser.new_context(viewport=PHONE)
    page = context.new_page()
    page.set_default_timeout(10_000)
    sign_in(page, live_server, user)
    return context, page


def _fits(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


@pytest.mark.parametrize("language", ["en", "th"])
def test_the_send_back_form_and_the_refusal_on_a_phone(
    language, live_server, browser, screenshots, alice, seller_a, provider_x
):
    if language != "en":
        require_catalog(language)
    seller_a.language = language
    seller_a.save()
    package = awaiting_package(seller_a, provider_x, description="Bluetooth speaker, black")
    late = awaiting_package(seller_a, provider_x, description="Mechanical keyboard")
    FailedPackage.objects.filter(pk=late.pk).update(
        claim_deadline=timezone.now() - timedelta(hours=2)
    )
    context, page = _signed_in_phone(browser, live_server, alice)

    # The destruction notice's button: the send-back step, with the deadline and time left.
    page.goto(f"{live_server.url}/tickets/new/?package={package.public_id}")
    expect(page.locator("[name=delivery_address]")).to_be_visible()
    expect(page.locator("#package-heading ~ .badge .countdown")).to_be_visible()
    assert _fits(page)
    page.screenshot(path=screenshots / f"send-back-form-{language}-phone.png", full_page=True)

    page.goto(f"{live_server.url}/tickets/new/?package={late.public_id}&category=send_back")
    refusal = page.locator(".alert-danger")
    expect(refusal).to_be_visible()
    expect(refusal.locator("a[href^='tel:']")).to_be_visible()
    assert page.locator("[name=delivery_address]").count() == 0
    assert page.locator("main form button[type=submit]").count() == 0
    assert _fits(page)
    page.screenshot(path=screenshots / f"refusal-{language}-phone.png", full_page=True)
    context.close()
