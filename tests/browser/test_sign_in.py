import pytest

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
    assert page.get_by_role("heading", name="Dashboard").is_visible()
    assert "Siam Gadgets" in page.content()
    page.screenshot(path=screenshots / "home-after-sign-in.png", full_page=True)
