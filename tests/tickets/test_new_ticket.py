"""Filing a ticket: category first, then the details; claim and release in the same step."""

from datetime import timedelta

import time_machine
from django.urls import reverse
from django.utils import timezone
from pytest_django.asserts import assertContains, assertNotContains, assertRedirects

from returns.models import FailedPackage, Notification
from tests.builders import awaiting_package, file_ticket
from tickets.models import Ticket

Status = FailedPackage.Status
NEW = reverse("tickets:new")


def test_the_notice_link_opens_the_send_back_form_with_the_deadline(
    client_for, alice, seller_a, provider_x
):
    package = awaiting_package(seller_a, provider_x)

    # The destruction notice's button: DESIGN.md §8, `/tickets/new/?package=<public_id>`.
    response = client_for(alice).get(NEW, {"package": package.public_id})

    assertContains(response, '<h1 class="h3">Send it back to me</h1>', html=True)
    assertContains(response, f'<option value="{package.public_id}" selected>', html=False)
    assertContains(response, "Decide before ")
    assertContains(response, "at 23:59 Bangkok time (Asia/Bangkok)")
    assertContains(response, 'class="countdown"')
    assertContains(response, "left</span>")
    assertContains(response, "Deliver it to")


def test_choose_something_else_asks_what_the_seller_needs(client_for, alice, seller_a, provider_x):
    package = awaiting_package(seller_a, provider_x)
    client = client_for(alice)

    send_back = client.get(NEW, {"package": package.public_id})
    response = client.get(NEW, {"package": package.public_id, "step": "1"})

    assertContains(send_back, f'href="{NEW}?step=1&amp;package={package.public_id}"')
    assertContains(response, "What do you need?")
    assertContains(response, f'<option value="{package.public_id}" selected>', html=False)


def test_a_link_with_a_package_that_cannot_be_claimed_asks_what_the_seller_needs(
    client_for, alice, seller_a, provider_x
):
    package = awaiting_package(seller_a, provider_x)
    file_ticket(client_for(alice), package, category="not_needed", confirm="on")

    response = client_for(alice).get(NEW, {"package": package.public_id})

    assertContains(response, "What do you need?")
    assertContains(response, f'<option value="{package.public_id}" selected>', html=False)


def test_get_it_back_opens_the_send_back_form_for_the_package(
    client_for, alice, seller_a, provider_x
):
    package = awaiting_package(seller_a, provider_x)

    response = client_for(alice).get(NEW, {"package": package.public_id, "category": "send_back"})

    assertContains(response, '<h1 class="h3">Send it back to me</h1>', html=True)
    assertContains(response, f'<option value="{package.public_id}" selected>', html=False)
    assertContains(response, "Deliver it to")
    assertContains(response, "left")  # the countdown next to the package


def test_a_send_back_ticket_within_the_window_claims_the_package(
    client_for, alice, seller_a, provider_x
):
    package = awaiting_package(seller_a, provider_x)

    response = file_ticket(client_for(alice), package, body="Please ring twice.")

    ticket = Ticket.objects.get()
    assertRedirects(response, ticket.get_absolute_url())
    package.refresh_from_db()
    assert package.status == Status.CLAIMED
    assert (ticket.seller, ticket.provider, ticket.package) == (seller_a, provider_x, package)
    assert ticket.delivery_address == "12 Sukhumvit Soi 11, Bangkok 10110"
    assert ticket.messages.get().body == "Please ring twice."
    claimed = package.events.get(action="claimed")
    assert (claimed.actor, claimed.channel, claimed.description()) == (
        alice,
        "web",
        f"Ticket {ticket.reference}",
    )
    kinds = set(Notification.objects.values_list("kind", flat=True))
    assert {"claim_confirmed", "claim_received", "ticket_created"} <= kinds


def test_the_claim_is_accepted_at_the_last_second_of_the_deadline(
    client_for, alice, seller_a, provider_x
):
    package = awaiting_package(seller_a, provider_x)
    client = client_for(alice)

    with time_machine.travel(package.claim_deadline, tick=False):
        response = file_ticket(
            client,
            package,
            category="pick_up",
            preferred_date=timezone.localdate(timezone=seller_a.zone).isoformat(),
            preferred_time="10:00",
        )

    assert response.status_code == 302
    package.refresh_from_db()
    assert package.status == Status.CLAIMED


def test_a_claim_one_second_after_the_deadline_is_refused_and_creates_nothing(
    client_for, alice, seller_a, provider_x
):
    package = awaiting_package(seller_a, provider_x)
    client = client_for(alice)
    outbox_before = Notification.objects.count()

    with time_machine.travel(package.claim_deadline + timedelta(seconds=1), tick=False):
        response = file_ticket(client, package)

    assert response.status_code == 200
    assertContains(response, "window for package")
    assertContains(response, "closed on")
    assertContains(response, "call SwiftLane on +66 2 555 0142")
    assertContains(response, 'href="tel:+6625550142"')
    assert not Ticket.objects.exists()
    package.refresh_from_db()
    assert package.status == Status.AWAITING_SELLER
    assert Notification.objects.count() == outbox_before


def test_a_refused_late_claim_shows_what_can_still_be_done_instead_of_the_form(
    client_for, alice, seller_a, provider_x
):
    package = awaiting_package(seller_a, provider_x)
    client = client_for(alice)

    with time_machine.travel(package.claim_deadline + timedelta(seconds=1), tick=False):
        posted = file_ticket(client, package)
        opened = client.get(NEW, {"package": package.public_id, "category": "send_back"})

    for response in (posted, opened):
        assertContains(response, 'class="alert alert-danger"')
        assertContains(response, "call SwiftLane on +66 2 555 0142")
        assertContains(response, '<a class="btn btn-dark" href="tel:+6625550142">')
        assertContains(response, f'href="{NEW}?package={package.public_id}&amp;category=question"')
        assertNotContains(response, "Send the ticket and keep the package")
        assertNotContains(response, 'name="delivery_address"')
        # The badges agree with the window: closed, not "Waiting for you".
        assertContains(response, "Window closed", count=1)
        assertNotContains(response, "Waiting for you")


def test_a_package_in_another_state_is_refused_with_the_reason(
    client_for, alice, seller_a, provider_x
):
    package = awaiting_package(seller_a, provider_x)
    file_ticket(client_for(alice), package, category="not_needed", confirm="on")

    response = file_ticket(client_for(alice), package)

    assertContains(response, "was scheduled for destruction on")
    assertContains(response, "because you told us you no longer need it")
    assert Ticket.objects.count() == 1


def test_no_longer_needed_releases_the_package_once_confirmed(
    client_for, alice, seller_a, provider_x
):
    package = awaiting_package(seller_a, provider_x)
    client = client_for(alice)

    unconfirmed = file_ticket(client, package, category="not_needed")
    assertContains(unconfirmed, "This field is required.")
    response = file_ticket(client, package, category="not_needed", confirm="on")

    ticket = Ticket.objects.get()
    assertRedirects(response, ticket.get_absolute_url())
    package.refresh_from_db()
    assert package.status == Status.DESTRUCTION_PENDING
    assert package.released_at is not None
    assert ticket.category == Ticket.Category.NOT_NEEDED


def test_a_second_claim_ticket_is_refused_and_points_to_the_first(
    client_for, alice, seller_a, provider_x
):
    package = awaiting_package(seller_a, provider_x)
    client = client_for(alice)
    file_ticket(client, package)
    first = Ticket.objects.get()

    response = client.post(
        NEW,
        {
            "category": "pick_up",
            "package": package.public_id,
            "preferred_date": timezone.localdate(timezone=seller_a.zone).isoformat(),
            "preferred_time": "15:30",
        },
    )

    assertContains(response, f"already has an open ticket, {first.reference}")
    assertContains(response, f'href="{first.get_absolute_url()}"')
    assert Ticket.objects.count() == 1


def test_a_send_back_ticket_needs_an_address_and_a_phone(client_for, alice, seller_a, provider_x):
    package = awaiting_package(seller_a, provider_x)

    response = file_ticket(client_for(alice), package, delivery_address="", contact_phone="")

    assert response.status_code == 200
    assert set(response.context["form"].errors) == {"delivery_address", "contact_phone"}
    package.refresh_from_db()
    assert package.status == Status.AWAITING_SELLER


def test_a_pick_up_date_in_the_past_is_refused(client_for, alice, seller_a, provider_x):
    package = awaiting_package(seller_a, provider_x)
    yesterday = timezone.localdate(timezone=seller_a.zone) - timedelta(days=1)

    response = file_ticket(
        client_for(alice),
        package,
        category="pick_up",
        preferred_date=yesterday.isoformat(),
        preferred_time="10:00",
    )

    assertContains(response, "Choose today or a later date.")
    assert not Ticket.objects.exists()


def test_a_question_without_a_package_goes_to_the_chosen_provider(
    client_for, alice, seller_a, provider_x
):
    awaiting_package(seller_a, provider_x)
    client = client_for(alice)

    missing = file_ticket(client, None, category="question", body="Do you deliver on Sundays?")
    assertContains(missing, "Choose a package or the provider your question is for.")
    response = file_ticket(
        client, None, category="question", body="Do you deliver on Sundays?", provider=provider_x.pk
    )

    ticket = Ticket.objects.get()
    assertRedirects(response, ticket.get_absolute_url())
    assert (ticket.provider, ticket.package, ticket.subject) == (provider_x, None, "Question")


def test_a_dispute_needs_a_message(client_for, alice, seller_a, provider_x):
    package = awaiting_package(seller_a, provider_x)

    response = file_ticket(client_for(alice), package, category="dispute", body="")

    assert "body" in response.context["form"].errors
    assert not Ticket.objects.exists()


def test_another_sellers_package_is_neither_offered_nor_accepted(
    client_for, bob, seller_a, provider_x
):
    package = awaiting_package(seller_a, provider_x)
    client = client_for(bob)

    page = client.get(NEW, {"package": package.public_id, "category": "send_back"})
    response = file_ticket(client, package)

    assertNotContains(page, package.tracking_number)
    assertNotContains(page, package.public_id)
    assert "package" in response.context["form"].errors
    package.refresh_from_db()
    assert package.status == Status.AWAITING_SELLER
    assert not Ticket.objects.exists()


def test_a_package_id_with_a_nul_character_is_no_package(client_for, alice, seller_a, provider_x):
    awaiting_package(seller_a, provider_x)
    client = client_for(alice)

    # In a link, like any NUL in a URL, it is a 404 (portal.middleware.NulIsNotFound).
    first_step = client.get(NEW, {"package": "\x00"})
    question = client.get(NEW, {"package": "\x00", "category": "question"})
    posted = client.post(
        f"{NEW}?category=question",
        {"package": "\x00", "body": "Where is it?", "category": "question"},
    )

    assert first_step.status_code == question.status_code == 404
    assert posted.status_code == 200
    assert "package" in posted.context["form"].errors
    assert not Ticket.objects.exists()
