"""Signing in from the login page, as the browser tests' people do."""

from tests.factories import PASSWORD


def sign_in(page, live_server, user) -> None:
    """Open the login page, sign in as `user` and land on the dashboard."""
    page.goto(f"{live_server.url}/accounts/login/")
    page.locator("input[name=username]").fill(user.email)
    page.locator("input[name=password]").fill(PASSWORD)
    page.locator("form[action$='/accounts/login/'] button[type=submit]").click()
    page.wait_for_url(f"{live_server.url}/")
