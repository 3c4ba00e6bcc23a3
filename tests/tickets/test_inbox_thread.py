"""The ticket page in the provider console: the thread, replies, internal notes, buttons."""

from datetime import timedelta

import pytest
import time_machine
from django.contrib.auth.models import Permission
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from pytest_django.asserts import assertContains, assertNotContains, assertRedirects

from returns import tasks as returns_tasks
from returns.models import Notification
from tests.builders import awaiting_package, question_ticket
from tests.factories import UserFactory
from tests.files import png
from tests.helpers import messages_on
from tickets import services
from tickets.attachments import check_uploads
from tickets.models import Attachment, Ticket

Status = Ticket.Status


def page_of(ticket: Ticket, view: str = "change") -> str:
    return f"/admin/tickets/ticket/{ticket.pk}/{view}/"


@pytest.fixture
def ticket(staff, alice, seller_a, provider_x) -> Ticket:
    return question_ticket(
        awaiting_package(seller_a, provider_x), alice, body="Is the box still sealed?"
    )


@pytest.fixture
def console(client_for, xavier, staff):
    return client_for(xavier)


def seller_notices(ticket: Ticket) -> list[Notification]:
    return list(Notification.objects.filter(ticket_reference=ticket.reference, audience="seller"))


def test_the_page_shows_the_whole_thread_with_internal_notes_marked(console, xavier, ticket):
    services.reply_as_staff(
        ticket=ticket,
        author=xavier,
        body="Photo of the seal attached.",
        files=check_uploads([png("seal.png")]),
    )
    services.reply_as_staff(ticket=ticket, author=xavier, body="Seller sounds upset", internal=True)
    attachment = Attachment.objects.get()

    response = console.get(page_of(ticket))

    assert response.status_code == 200
    assertContains(response, "Is the box still sealed?")
    assertContains(response, "Photo of the seal attached.")
    assertContains(response, "Seller sounds upset")
    assertContains(response, "Internal note · not shown to the seller", count=1)
    download = f"/tickets/{ticket.reference}/attachments/{attachment.pk}/"
    assertContains(response, f'href="{download}"')
    assert console.get(download).status_code == 200


def test_a_public_reply_emails_the_seller_a_link_to_the_ticket(console, ticket, seller_a):
    response = console.post(
        page_of(ticket, "reply"), {"body": "Yes, sealed with our tape.", "send_as": "reply"}
    )

    assertRedirects(response, page_of(ticket), fetch_redirect_response=False)
    [notice] = seller_notices(ticket)
    link = f"https://returns.example/tickets/{ticket.reference}/?lang=en"
    assert (notice.kind, notice.to_email) == ("ticket_reply", seller_a.contact_email)
    assert link in notice.body_text
    assert "Yes, sealed with our tape." in notice.body_text
    assert f'href="{link}"' in notice.body_html
    ticket.refresh_from_db()
    assert ticket.status == Status.OPEN  # "Yes, sealed" asks the seller nothing
    assert ticket.first_response_at is not None

    returns_tasks.deliver_notifications()

    [email] = [sent for sent in mail.outbox if sent.subject == notice.subject]
    assert email.to == [seller_a.contact_email]
    assert link in email.body


def test_the_reply_box_offers_the_next_status_keeping_the_current_one_by_default(console, ticket):
    form = console.get(page_of(ticket)).context["reply_form"]

    assert form["next_status"].value() == Status.OPEN
    assert [value for value, label in form.fields["next_status"].choices] == [
        Status.OPEN,
        Status.WAITING_ON_SELLER,
        Status.RESOLVED,
        Status.CLOSED,
    ]


def test_the_agent_chooses_the_status_after_a_reply_and_the_seller_reads_it(
    console, client_for, alice, xavier, ticket
):
    console.post(
        page_of(ticket, "reply"),
        {"body": "We ship on Thursday.", "send_as": "reply", "next_status": "open"},
    )
    ticket.refresh_from_db()
    assert ticket.status == Status.OPEN
    assertNotContains(client_for(alice).get(ticket.get_absolute_url()), "Waiting for your answer")

    console = client_for(xavier)  # the same test client, signed in as the agent again
    console.post(
        page_of(ticket, "reply"),
        {"body": "Which address?", "send_as": "reply", "next_status": "waiting_on_seller"},
    )

    ticket.refresh_from_db()
    assert ticket.status == Status.WAITING_ON_SELLER
    note = ticket.messages.filter(internal=True).get()
    assert (note.author, note.body) == (
        xavier,
        "Status changed from Open to Waiting for your answer.",
    )


def test_a_status_the_ticket_cannot_take_is_refused_with_the_reply_kept_on_screen(console, ticket):
    response = console.post(
        page_of(ticket, "reply"), {"body": "Hm.", "send_as": "reply", "next_status": "lost"}
    )

    assert response.status_code == 200
    assert "next_status" in response.context["reply_form"].errors
    assertContains(response, "Hm.")
    assert ticket.messages.count() == 1


def test_a_reply_to_a_ticket_closed_meanwhile_is_refused_and_sends_nothing(console, xavier, ticket):
    services.change_ticket_status(ticket=ticket, status=Status.CLOSED, actor=xavier)

    response = console.post(
        page_of(ticket, "reply"),
        {"body": "Any news?", "send_as": "reply", "next_status": "waiting_on_seller"},
        follow=True,
    )

    assert messages_on(response) == [
        f"Ticket {ticket.reference} is closed: reopen it before marking it waiting for your answer."
    ]
    assert not ticket.messages.filter(body="Any news?").exists()
    assert seller_notices(ticket) == []


def test_the_reply_is_confirmed_with_where_it_was_sent(console, ticket):
    response = console.post(
        page_of(ticket, "reply"), {"body": "Sealed.", "send_as": "reply"}, follow=True
    )

    assert messages_on(response) == ["Reply sent: Shop A is emailed at shop-a@shops.example."]


def test_an_internal_note_is_never_shown_to_the_seller_nor_emailed(
    console, client_for, alice, ticket
):
    response = console.post(
        page_of(ticket, "reply"), {"body": "Check the CCTV first", "send_as": "note"}
    )

    assert response.status_code == 302
    assert ticket.messages.get(body="Check the CCTV first").internal
    assert seller_notices(ticket) == []
    ticket.refresh_from_db()
    assert (ticket.status, ticket.first_response_at) == (Status.OPEN, None)
    assertNotContains(client_for(alice).get(ticket.get_absolute_url()), "Check the CCTV first")


def test_the_first_response_time_is_the_first_public_reply_and_is_kept(console, ticket):
    first = timezone.now() + timedelta(hours=3)
    with time_machine.travel(first, tick=False):
        console.post(page_of(ticket, "reply"), {"body": "On shelf B-07.", "send_as": "reply"})
    with time_machine.travel(first + timedelta(hours=4), tick=False):
        console.post(page_of(ticket, "reply"), {"body": "Still there.", "send_as": "reply"})

    ticket.refresh_from_db()
    assert ticket.first_response_at == first
    assert len(seller_notices(ticket)) == 2


def test_a_reply_carries_attachments_checked_like_the_sellers(console, ticket):
    console.post(
        page_of(ticket, "reply"),
        {"body": "Label attached.", "send_as": "reply", "attachments": [png("label.png")]},
    )

    [attachment] = Attachment.objects.all()
    assert (attachment.original_name, attachment.content_type) == ("label.png", "image/png")
    assert attachment.message.body == "Label attached."


def test_a_disguised_file_is_refused_and_the_typed_reply_is_kept(console, ticket):
    fake = SimpleUploadedFile("photo.png", b"MZ\x90\x00 not an image", content_type="image/png")

    response = console.post(
        page_of(ticket, "reply"),
        {"body": "See the photo.", "send_as": "reply", "attachments": [fake]},
    )

    assert response.status_code == 200
    assertContains(response, "“photo.png” is not a JPEG, PNG or PDF file.")
    assertContains(response, "See the photo.</textarea>")
    assert ticket.messages.count() == 1
    assert seller_notices(ticket) == []


def test_a_reply_needs_a_message(console, ticket):
    response = console.post(page_of(ticket, "reply"), {"body": "  ", "send_as": "reply"})

    assert response.status_code == 200
    assert response.context["reply_form"].errors == {"body": ["This field is required."]}
    assert ticket.messages.count() == 1


def test_staff_who_may_only_view_cannot_reply(client_for, ticket, provider_x):
    viewer = UserFactory(email="viewer@swiftlane.example", provider=provider_x, is_staff=True)
    viewer.user_permissions.add(Permission.objects.get(codename="view_ticket"))
    client = client_for(viewer)

    page = client.get(page_of(ticket))
    refused = client.post(page_of(ticket, "reply"), {"body": "Hi", "send_as": "reply"})

    assert page.status_code == 200
    assertNotContains(page, "Send reply to the seller")
    assert refused.status_code == 403
    assert ticket.messages.count() == 1


# --- assign and status buttons --------------------------------------------------------


def test_assign_to_me_gives_the_ticket_to_the_agent_and_says_so_in_the_thread(
    console, xavier, ticket
):
    response = console.post(page_of(ticket, "assign"), follow=True)

    assert messages_on(response) == [f"Ticket {ticket.reference} is yours."]
    ticket.refresh_from_db()
    assert ticket.assignee == xavier
    assertContains(response, "Assigned to xavier@swiftlane.example.")
    assertNotContains(response, ">Assign to me</button>")

    again = console.post(page_of(ticket, "assign"), follow=True)

    assert messages_on(again) == [
        f"Ticket {ticket.reference} is already assigned to xavier@swiftlane.example."
    ]


def test_the_status_buttons_move_the_ticket_and_record_who_did_it(console, ticket):
    page = console.get(page_of(ticket))
    resolved = console.post(page_of(ticket, "status"), {"status": "resolved"}, follow=True)

    assertContains(page, 'name="status" value="resolved"')
    assertNotContains(page, 'name="status" value="open"')
    assert messages_on(resolved) == [f"Ticket {ticket.reference} is now resolved."]
    ticket.refresh_from_db()
    assert ticket.status == Status.RESOLVED
    note = ticket.messages.get(internal=True)
    assert (note.author.email, note.body) == (
        "xavier@swiftlane.example",
        "Status changed from Open to Resolved.",
    )
    assertContains(resolved, 'name="status" value="open"')  # "Reopen"


def test_a_refused_status_change_says_why(console, xavier, ticket):
    services.change_ticket_status(ticket=ticket, status=Status.CLOSED, actor=xavier)

    refused = console.post(page_of(ticket, "status"), {"status": "resolved"}, follow=True)
    unknown = console.post(page_of(ticket, "status"), {"status": "lost"}, follow=True)

    assert messages_on(refused) == [
        f"Ticket {ticket.reference} is closed: reopen it before marking it resolved."
    ]
    assert messages_on(unknown) == ["Choose one of the status buttons."]
    ticket.refresh_from_db()
    assert ticket.status == Status.CLOSED


def test_the_buttons_answer_post_only(console, ticket):
    for view in ("reply", "assign", "status"):
        assert console.get(page_of(ticket, view)).status_code == 405
