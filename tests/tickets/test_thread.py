"""The ticket page: the conversation, replies both ways, closing and reopening."""

from datetime import timedelta

import time_machine
from django.urls import reverse
from pytest_django.asserts import assertContains, assertNotContains, assertRedirects

from returns.models import Notification
from tests.builders import awaiting_package, question_ticket
from tickets.models import Ticket
from tickets.services import close_ticket, reply_as_staff

Status = Ticket.Status


def test_the_seller_reads_the_thread_but_never_an_internal_note(
    client_for, alice, xavier, seller_a, provider_x
):
    ticket = question_ticket(awaiting_package(seller_a, provider_x), alice)
    reply_as_staff(ticket=ticket, author=xavier, body="Shelf B-07, safe and sound.")
    reply_as_staff(ticket=ticket, author=xavier, body="Seller sounds upset", internal=True)

    response = client_for(alice).get(ticket.get_absolute_url())

    assertContains(response, "Where is it now?")
    assertContains(response, "Shelf B-07, safe and sound.")
    assertNotContains(response, "Seller sounds upset")
    assertContains(response, "SwiftLane")  # the provider's card and its answer


def test_a_seller_reply_is_added_and_tells_the_provider(client_for, alice, seller_a, provider_x):
    ticket = question_ticket(awaiting_package(seller_a, provider_x), alice)

    response = client_for(alice).post(ticket.get_absolute_url(), {"body": "Any news?"})

    assertRedirects(response, ticket.get_absolute_url())
    assert ticket.messages.last().body == "Any news?"
    notice = Notification.objects.get(kind="ticket_reply")
    assert notice.to_email == "ops@swiftlane.example"
    assert "Any news?" in notice.body_text
    assert ticket.reference in notice.subject


def test_an_empty_reply_is_refused(client_for, alice, seller_a, provider_x):
    ticket = question_ticket(awaiting_package(seller_a, provider_x), alice)

    response = client_for(alice).post(ticket.get_absolute_url(), {"body": ""})

    assertContains(response, "This field is required.")
    assert ticket.messages.count() == 1


def test_a_staff_reply_waits_on_the_seller_and_emails_a_link_to_the_ticket(
    alice, xavier, seller_a, provider_x
):
    ticket = question_ticket(awaiting_package(seller_a, provider_x), alice)

    reply_as_staff(
        ticket=ticket, author=xavier, body="It is on shelf B-07.", status=Status.WAITING_ON_SELLER
    )

    ticket.refresh_from_db()
    assert ticket.status == Status.WAITING_ON_SELLER
    assert ticket.first_response_at is not None
    notice = Notification.objects.get(kind="ticket_reply")
    assert notice.to_email == seller_a.contact_email
    link = f"https://returns.example/tickets/{ticket.reference}/?lang=en"
    assert link in notice.body_text
    assert f'href="{link}"' in notice.body_html
    assert "It is on shelf B-07." in notice.body_text


def test_an_internal_note_is_not_emailed_and_changes_nothing_the_seller_sees(
    alice, xavier, seller_a, provider_x
):
    ticket = question_ticket(awaiting_package(seller_a, provider_x), alice)
    before = Ticket.objects.get(pk=ticket.pk)

    reply_as_staff(ticket=ticket, author=xavier, body="Check the CCTV", internal=True)

    after = Ticket.objects.get(pk=ticket.pk)
    assert (after.status, after.last_activity_at) == (before.status, before.last_activity_at)
    assert after.first_response_at is None
    assert not Notification.objects.filter(kind="ticket_reply").exists()


def test_the_seller_closes_a_ticket(client_for, alice, seller_a, provider_x):
    ticket = question_ticket(awaiting_package(seller_a, provider_x), alice)

    response = client_for(alice).post(reverse("tickets:close", args=[ticket.reference]))

    assertRedirects(response, ticket.get_absolute_url(), fetch_redirect_response=False)
    ticket.refresh_from_db()
    assert ticket.status == Status.CLOSED
    assert ticket.closed_at is not None


def test_a_reply_within_fourteen_days_reopens_a_closed_ticket(
    client_for, alice, seller_a, provider_x
):
    ticket = question_ticket(awaiting_package(seller_a, provider_x), alice)
    close_ticket(ticket=ticket)
    client = client_for(alice)

    with time_machine.travel(timedelta(days=13, hours=23)):
        page = client.get(ticket.get_absolute_url())
        response = client.post(ticket.get_absolute_url(), {"body": "It came back damaged."})

    assertContains(page, "Reply to reopen this ticket")
    assertRedirects(response, ticket.get_absolute_url(), fetch_redirect_response=False)
    ticket.refresh_from_db()
    assert ticket.status == Status.OPEN
    assert ticket.closed_at is None


def test_a_ticket_closed_more_than_fourteen_days_ago_stays_closed(
    client_for, alice, seller_a, provider_x
):
    ticket = question_ticket(awaiting_package(seller_a, provider_x), alice)
    close_ticket(ticket=ticket)

    with time_machine.travel(timedelta(days=14, minutes=1)):
        client = client_for(alice)  # signed in afresh: a session lasts two weeks
        page = client.get(ticket.get_absolute_url())
        response = client.post(ticket.get_absolute_url(), {"body": "Hello?"})

    assertContains(page, "It was closed more than 14 days ago.")
    assertNotContains(page, "Send reply")
    assertContains(response, "can no longer be reopened")
    ticket.refresh_from_db()
    assert ticket.status == Status.CLOSED
    assert ticket.messages.count() == 1


def test_the_ticket_list_shows_status_and_last_activity(client_for, alice, seller_a, provider_x):
    ticket = question_ticket(awaiting_package(seller_a, provider_x), alice)

    response = client_for(alice).get(reverse("tickets:list"))

    assertContains(response, ticket.reference)
    assertContains(response, "Open")
    assertContains(response, "Last activity")
