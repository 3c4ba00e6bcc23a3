import pytest
from django.utils import translation
from django.utils.translation import gettext
from playwright.sync_api import expect

from portal.demo import DEFAULT_PASSWORD, seed_accounts

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_demo_seller_signs_in_and_lands_on_home(live_server, page, screenshots):
    seed_accounts(DEFAULT_PASSWORD)

    page.goto(f"{live_server.url}/")
    assert "/accounts/login/" in page.url
    page.get_by_label("Email address").fill("seller@siamgadgets.example")
    page.get_by_label("Password").fill(DEFAULT_PASSWORD)
    page.get_by_role("button", name="Sign in").click()

    page.wait_for_url(f"{live_server.url}/")
    # Siam Gadgets reads Thai: once signed in, the portal speaks it.
    with translation.override("th"):
        dashboard = gettext("Dashboard")
    expect(page.get_by_role("heading", name=dashboard)).to_be_visible()
    assert "Siam Gadgets" in page.content()
    page.screenshot(path=screenshots / "home-after-sign-in.png", full_page=True)
