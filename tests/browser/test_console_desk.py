"""The console's desk in a real browser under the CSP: the ticket page's package card and
canned replies by keyboard, and the work list's last 30 days. Screenshots are kept."""

import pytest
from playwright.sync_api import expect

from returns.models import Channel
from returns.services import release_package
from tests.builders import awaiting_package, question_ticket
from tests.factories import PASSWORD
from tests.helpers import provider_staff_group
from tickets.models import CannedReply

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def watch(page) -> tuple[list, list]:
    """Script errors (a CSP refusal among them) and failed loads, by their URL."""
    errors, failed = [], []
    page.on("console", lambda m: m.type == "error" and errors.append(m.text))
    page.on("response", lambda r: r.status >= 400 and failed.append(r.url))
    return errors, failed


def sign_in_to_console(page, live_server, user) -> None:
    page.goto(f"{live_server.url}/admin/")
    page.get_by_label("Email address").fill(user.email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()


def test_an_agent_puts_a_canned_reply_into_the_answer_by_keyboard(
    live_server, page, screenshots, alice, xavier, seller_a, provider_x
):
    provider_staff_group(xavier)
    package = awaiting_package(seller_a, provider_x, description="Bluetooth speaker, black")
    ticket = question_ticket(package, alice, body="When do you ship it?")
    CannedReply.objects.create(
        provider=provider_x,
        title="Ships Thursday",
        body="Package {tracking_number} ships Thursday.",
    )
    CannedReply.objects.create(
        provider=provider_x, title="Call us", body="Call us on {provider_phone}."
    )
    errors, failed = watch(page)
    sign_in_to_console(page, live_server, xavier)

    page.goto(f"{live_server.url}/admin/tickets/ticket/{ticket.pk}/change/")
    card = page.locator(".package-card")
    expect(card.get_by_text("Awaiting the seller")).to_be_visible()
    expect(card.get_by_text("B-07")).to_be_visible()
    expect(
        card.get_by_role("button", name="Record a phone claim (the seller called)")
    ).to_be_visible()
    page.get_by_label("Message").fill("Hello. ")
    picker = page.get_by_label("Canned reply")
    picker.focus()
    page.keyboard.press("ArrowDown")  # "Ships Thursday", after "Call us"
    page.keyboard.press("Tab")
    page.keyboard.press("Enter")

    message = page.get_by_label("Message")
    expect(message).to_have_value(f"Hello. Package {package.tracking_number} ships Thursday.")
    expect(message).to_be_focused()
    page.screenshot(path=screenshots / "console-ticket-desk.png", full_page=True)
    assert page.evaluate("document.documentElement.scrollWidth") <= 1280
    assert (errors, failed) == ([], [])


def test_the_work_list_shows_the_last_30_days_as_charts(
    live_server, page, screenshots, xavier, seller_a, provider_x
):
    provider_staff_group(xavier)
    for n in range(4):
        package = awaiting_package(seller_a, provider_x)
        if n % 2:
            release_package(package=package, channel=Channel.WEB)
    errors, failed = watch(page)
    sign_in_to_console(page, live_server, xavier)

    expect(page.get_by_role("heading", name="The last 30 days")).to_be_visible()
    expect(page.locator("figure.week-chart")).to_have_count(6)
    expect(page.get_by_text("Packages failed · 30 days: 4")).to_be_visible()
    expect(page.get_by_role("table", name="Let go by the seller")).to_be_attached()
    page.screenshot(path=screenshots / "console-week.png", full_page=True)
    assert page.evaluate("document.documentElement.scrollWidth") <= 1280
    assert (errors, failed) == ([], [])
