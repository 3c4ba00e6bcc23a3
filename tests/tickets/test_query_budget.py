"""Each seller page runs a fixed number of queries, however many rows the seller has."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from returns.models import DeliveryAttempt, FailedPackage, Notification, PackageEvent
from tests.builders import file_ticket
from tests.files import pdf, png
from tests.urlwalk import all_routes
from tickets.models import Attachment, Ticket, TicketMessage
from tickets.services import reply_as_staff

Status = FailedPackage.Status
STATUSES = [Status.AWAITING_SELLER, Status.CLAIMED, Status.DESTRUCTION_PENDING, Status.RETURNED]
BUDGET = 10  # session, user and the page's own few reads, never one per row


def _busy_seller(seller, provider, staff):
    """200 packages (20 destroyed), each with attempts and events, 50 tickets, 200 notices."""
    now = timezone.now()
    packages = FailedPackage.objects.bulk_create(
        FailedPackage(
            provider=provider,
            seller=seller,
            tracking_number=f"BULK{n:06d}",
            order_id=f"ORD-B{n:05d}",
            status=STATUSES[n % len(STATUSES)] if n >= 20 else Status.DESTROYED,
            reason=FailedPackage.Reason.DELIVERY_FAILED,
            claim_deadline=now + timedelta(hours=n + 1),
            destroyed_at=now if n < 20 else None,
            destruction_reference=f"DX-{n}" if n < 20 else "",
            destruction_method="shredded" if n < 20 else "",
        )
        for n in range(200)
    )
    for package in packages[:3]:
        DeliveryAttempt.objects.bulk_create(
            DeliveryAttempt(package=package, number=k, attempted_at=now, outcome="failed")
            for k in range(1, 4)
        )
        PackageEvent.objects.bulk_create(
            PackageEvent(
                package=package, action="attempt_failed", to_status=package.status, channel="api"
            )
            for _ in range(10)
        )
    tickets = Ticket.objects.bulk_create(
        Ticket(
            seller=seller,
            provider=provider,
            package=packages[n + 20],
            category=Ticket.Category.QUESTION,
            subject=f"Question {n}",
        )
        for n in range(50)
    )
    TicketMessage.objects.bulk_create(
        TicketMessage(ticket=ticket, body="Where is it?") for ticket in tickets
    )
    Notification.objects.bulk_create(
        Notification(
            audience=Notification.Audience.SELLER,
            seller=seller,
            provider=provider,
            package=packages[n],
            kind=Notification.Kind.DESTRUCTION_NOTICE,
            to_email=seller.contact_email,
            subject=f"Notice {n}",
            body_text="Text",
            body_html="<p>HTML</p>",
            dedupe_key=f"bulk:{n}",
        )
        for n in range(200)
    )
    # One busy thread: many messages from both sides, with files.
    busy = tickets[0]
    for n in range(10):
        reply_as_staff(ticket=busy, author=staff, body=f"Answer {n}")
    return packages, busy


@pytest.fixture
def busy(client_for, alice, xavier, seller_a, provider_x):
    packages, ticket = _busy_seller(seller_a, provider_x, xavier)
    claimable = packages[20]  # awaiting the seller, deadline ahead
    packages[0].destruction_photo.save("photo.png", png())
    file_ticket(client_for(alice), packages[24], attachments=[png(), pdf()])
    client_for(alice).post(ticket.get_absolute_url(), {"body": "Thanks", "attachments": [png()]})
    return {
        "public_id": claimable.public_id,
        "certificate": packages[0].public_id,
        "reference": ticket.reference,
        "attachment_id": Attachment.objects.filter(message__ticket=ticket).first().pk,
        "notification_id": Notification.objects.for_user(alice).first().pk,
    }


SELLER_PAGES = [
    route
    for route in all_routes()
    if (route.name == "home" or route.name.split(":")[0] in {"returns", "tickets"})
    # Public, or opened by a token, or for owners only: their budgets are in their own
    # tests (tests/returns/test_certificates.py, tests/tickets/test_one_click.py and
    # test_one_click_leaks.py, tests/returns/test_instructions_settings.py).
    and route.name not in {"returns:verify", "tickets:act", "returns:standing_instruction"}
]


@pytest.mark.parametrize("route", SELLER_PAGES, ids=lambda route: route.name)
def test_each_seller_page_stays_within_its_query_budget_with_many_rows(
    route, busy, client_for, alice, django_assert_max_num_queries
):
    values = dict(busy)
    if route.name in {
        "returns:certificate",
        "returns:certificate_pdf",
        "returns:destruction_photo",
    }:
        values["public_id"] = busy["certificate"]
    url = reverse(route.name, kwargs={name: values[name] for name in route.params})
    client = client_for(alice)

    with django_assert_max_num_queries(BUDGET):
        response = client.get(url)

    assert response.status_code in {200, 405}


def test_the_prefilled_ticket_form_stays_within_the_budget(
    busy, client_for, alice, django_assert_max_num_queries
):
    client = client_for(alice)

    with django_assert_max_num_queries(BUDGET):
        response = client.get(
            reverse("tickets:new"), {"package": busy["public_id"], "category": "send_back"}
        )

    assert response.status_code == 200


def test_the_package_list_shows_25_packages_a_page(busy, client_for, alice):
    response = client_for(alice).get(reverse("returns:package_list"), {"page": 2})

    assert len(response.context["page"].object_list) == 25
    assert "Page 2 of 8" in response.content.decode()
