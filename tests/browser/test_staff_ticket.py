"""An agent works a ticket in the provider console, in a real browser, under the CSP.

Screenshots of the inbox and of the ticket page, before and after the reply,
are kept with the test artefacts.
"""

import re
from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from returns.models import Notification
from tests.builders import awaiting_package
from tests.factories import PASSWORD
from tests.files import png
from tests.helpers import provider_staff_group
from tickets.attachments import check_uploads
from tickets.models import Ticket
from tickets.services import TicketRequest, open_ticket, reply_as_staff

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 375, "height": 812}


def shoot(page, screenshots, name: str) -> None:
    for label, size in (("desktop", DESKTOP), ("phone", PHONE)):
        page.set_viewport_size(size)
        page.screenshot(path=screenshots / f"{name}-{label}.png", full_page=True)
    page.set_viewport_size(DESKTOP)


def overdue_question(alice, seller_a, provider_x, xavier) -> Ticket:
    """A question unanswered for 30 hours, with a photo and a colleague's note."""
    package = awaiting_package(seller_a, provider_x, description="Bluetooth speaker, black")
    ticket = open_ticket(
        author=alice,
        request=TicketRequest(
            category=Ticket.Category.QUESTION,
            subject="Is the box still sealed?",
            body="Before I decide: is the original box still sealed?\nPhoto from the courier.",
            package=package,
        ),
        files=check_uploads([png("courier-photo.png")]),
    )
    reply_as_staff(
        ticket=ticket, author=xavier, body="Shelf B-07; check the tape first.", internal=True
    )
    opened = timezone.now() - timedelta(hours=30)
    Ticket.objects.filter(pk=ticket.pk).update(created_at=opened, last_activity_at=opened)
    ticket.messages.filter(internal=False).update(created_at=opened)
    return ticket


def test_an_agent_answers_an_overdue_ticket_and_the_seller_is_emailed(
    live_server, page, screenshots, alice, xavier, seller_a, provider_x
):
    provider_staff_group(xavier)
    ticket = overdue_question(alice, seller_a, provider_x, xavier)
    # CSP refusals and script errors show in the console; failed loads by their URL.
    console_errors, failed_loads = [], []
    page.on(
        "console",
        lambda m: (
            m.type == "error"
            and not m.text.startswith("Failed to load resource")
            and console_errors.append(m.text)
        ),
    )
    page.on(
        "response",
        lambda r: r.status >= 400 and failed_loads.append(r.url),
    )

    page.goto(f"{live_server.url}/admin/")
    page.get_by_label("Email address").fill(xavier.email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    overdue_count = page.get_by_role("link", name="1 — Tickets overdue")
    expect(overdue_count).to_be_visible()
    shoot(page, screenshots, "console-index-tickets")
    overdue_count.click()

    page.wait_for_url(re.compile(r"/admin/tickets/ticket/\?response=overdue$"))
    row = page.locator("#result_list tbody tr").filter(has_text=ticket.reference)
    expect(row.get_by_text("Overdue · 30 h")).to_be_visible()
    shoot(page, screenshots, "console-inbox")
    row.get_by_role("link", name=ticket.reference).click()

    # The list's filter rides along, through the buttons too, so the way back keeps it.
    page.wait_for_url(
        re.compile(rf"/admin/tickets/ticket/{ticket.pk}/change/\?_changelist_filters=")
    )
    expect(page.get_by_role("heading", name="Is the box still sealed?")).to_be_visible()
    expect(page.get_by_text("Internal note · not shown to the seller")).to_be_visible()
    photo = page.get_by_role("link", name="courier-photo.png")
    assert photo.get_attribute("href") == (
        f"/tickets/{ticket.reference}/attachments/{ticket.messages.first().attachments.get().pk}/"
    )
    page.get_by_role("button", name="Assign to me").click()
    expect(page.get_by_text(f"Ticket {ticket.reference} is yours.")).to_be_visible()
    shoot(page, screenshots, "console-ticket")

    page.get_by_label("Message").fill("Yes: sealed with our tape, the box inside is intact.")
    page.get_by_label("Waiting on the seller").check()
    page.get_by_role("button", name="Send reply to the seller").click()

    expect(
        page.get_by_text("Reply sent: Shop A is emailed at shop-a@shops.example.")
    ).to_be_visible()
    expect(page.locator(".ticket-summary").get_by_text("Waiting on the seller")).to_be_visible()
    answer = page.locator(".ticket-message").filter(has_text="the box inside is intact")
    expect(answer.get_by_text("Reply · emailed to the seller")).to_be_visible()
    shoot(page, screenshots, "console-ticket-answered")
    assert "_changelist_filters=response%3Doverdue" in page.url
    notice = Notification.objects.get(
        kind="ticket_reply", audience="seller", ticket_reference=ticket.reference
    )
    assert notice.to_email == seller_a.contact_email
    assert f"https://returns.example/tickets/{ticket.reference}/" in notice.body_text
    ticket.refresh_from_db()
    assert (ticket.assignee, ticket.status) == (xavier, Ticket.Status.WAITING_ON_SELLER)
    assert ticket.first_response_at is not None
    assert (console_errors, failed_loads) == ([], [])


def test_the_inbox_fits_a_1280_px_screen(
    live_server, page, screenshots, alice, xavier, seller_a, provider_x
):
    provider_staff_group(xavier)
    xavier.first_name, xavier.last_name = "Xaviera", "Montgomery-Wattanapong"
    xavier.save()
    seller_a.name = "Bangkok Gadget & Accessories Official Store"
    seller_a.save()
    for _ in range(3):
        package = awaiting_package(seller_a, provider_x, description="Bluetooth speaker, black")
        ticket = open_ticket(
            author=alice,
            request=TicketRequest(
                category=Ticket.Category.SEND_BACK,
                subject="Please send the package back to our new warehouse in Samut Prakan",
                body="New address below.",
                package=package,
                delivery_address="99/9 Moo 4, Bang Phli, Samut Prakan 10540",
            ),
        )
        Ticket.objects.filter(pk=ticket.pk).update(assignee=xavier)

    page.goto(f"{live_server.url}/admin/")
    page.get_by_label("Email address").fill(xavier.email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.goto(f"{live_server.url}/admin/tickets/ticket/")
    page.set_viewport_size(DESKTOP)
    page.screenshot(path=screenshots / "console-inbox-1280.png", full_page=True)

    # Django's list scrolls sideways inside its box rather than widening the page.
    results = page.locator("#changelist .results")
    assert results.evaluate("box => box.scrollWidth <= box.clientWidth")
    assert page.evaluate("document.documentElement.scrollWidth") <= DESKTOP["width"]
    for column in ("Category", "Last activity"):
        expect(page.get_by_role("columnheader", name=column)).to_be_in_viewport()
