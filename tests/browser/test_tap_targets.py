"""On a 375 px phone every link and button a seller taps is at least 44 px tall, in English
and in Thai, and the nav shows the unread count; screenshots for a person to look at."""

import pytest

from returns.models import Notification
from tests.browser.signin import sign_in
from tests.builders import awaiting_package, destroyed_package, question_ticket
from tickets.services import reply_as_staff

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 375, "height": 812}
TAP = 44

# Visible links, buttons and selects, except a link inside a sentence (WCAG 2.5.8 exempts
# inline links: they cannot grow without breaking the line they sit in).
TOO_SMALL = """(minimum) => [...document.querySelectorAll(
    'header a, header button, header select, main a, main button, main select, main summary'
  )].filter((el) => {
    const box = el.getBoundingClientRect();
    if (!box.width || !box.height || el.closest('.visually-hidden, .visually-hidden-focusable'))
      return false;
    if (el.tagName === 'A' && el.closest('p, .alert, dd, .text-break + .small, td > .small'))
      return false;
    return box.height < minimum;
  }).map((el) => `${el.tagName} "${el.innerText.trim().slice(0, 40)}" ${
    Math.round(el.getBoundingClientRect().height)}px`)"""


@pytest.fixture
def shop(alice, xavier, seller_a, provider_x):
    package = awaiting_package(seller_a, provider_x, description="Mechanical keyboard (TH layout)")
    awaiting_package(seller_a, provider_x, description="Wireless earbuds, white")
    destroyed_package(seller_a, provider_x, staff=xavier)
    ticket = question_ticket(package, alice)
    reply_as_staff(ticket=ticket, author=xavier, body="It is on shelf B-07.")
    return seller_a


@pytest.mark.parametrize("language", ["en", "th"])
def test_every_tap_target_on_the_dashboard_and_package_list_is_44_px(
    live_server, browser, screenshots, alice, shop, language
):
    shop.language = language
    shop.save()
    context = browser.new_context(viewport=PHONE)
    page = context.new_page()
    page.set_default_timeout(10_000)
    sign_in(page, live_server, alice)

    for name, path in {"dashboard": "/", "package-list": "/packages/"}.items():
        page.goto(live_server.url + path)
        page.screenshot(path=screenshots / f"tap-{language}-{name}-phone.png", full_page=True)
        small = page.evaluate(TOO_SMALL, TAP)
        assert small == [], f"{language}: {name}: " + "; ".join(small)
        assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
        unread = Notification.objects.for_user(alice).filter(read_at__isnull=True).count()
        assert page.locator("nav .badge [aria-hidden=true]").inner_text() == str(unread)
    context.close()
