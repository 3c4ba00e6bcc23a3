"""What provider staff do to a ticket: answer, assign, move its status, link its package."""

from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone

from portal.errors import DomainError
from returns.models import Notification
from tests.builders import awaiting_package, file_ticket, question_ticket
from tests.factories import PackageFactory, UserFactory
from tickets import services
from tickets.models import Ticket

Status = Ticket.Status


@pytest.fixture
def ticket(alice, seller_a, provider_x) -> Ticket:
    return question_ticket(awaiting_package(seller_a, provider_x), alice)


def notes(ticket: Ticket) -> list[tuple[str, str]]:
    internal = ticket.messages.filter(internal=True).select_related("author")
    return [(note.author.email, note.body) for note in internal]


def test_the_first_public_reply_is_the_first_response_and_is_recorded_once(ticket, xavier):
    services.reply_as_staff(ticket=ticket, author=xavier, body="Looking.", internal=True)
    ticket.refresh_from_db()
    assert ticket.first_response_at is None  # a note is not an answer the seller sees

    with time_machine.travel(timezone.now() + timedelta(hours=2), tick=False):
        services.reply_as_staff(ticket=ticket, author=xavier, body="On shelf B-07.")
        first = timezone.now()
    with time_machine.travel(first + timedelta(hours=5), tick=False):
        services.reply_as_staff(ticket=ticket, author=xavier, body="Still there.")

    ticket.refresh_from_db()
    assert ticket.first_response_at == first


def test_a_public_reply_leaves_the_status_as_it_is_unless_the_agent_names_the_next(ticket, xavier):
    services.reply_as_staff(ticket=ticket, author=xavier, body="We ship it on Thursday.")
    ticket.refresh_from_db()
    assert ticket.status == Status.OPEN
    assert notes(ticket) == []

    services.reply_as_staff(
        ticket=ticket, author=xavier, body="Which address?", status=Status.WAITING_ON_SELLER
    )
    services.reply_as_staff(ticket=ticket, author=xavier, body="Shipped.", status=Status.RESOLVED)

    ticket.refresh_from_db()
    assert ticket.status == Status.RESOLVED and ticket.resolved_at is not None
    assert notes(ticket) == [
        ("xavier@swiftlane.example", "Status changed from Open to Waiting for your answer."),
        ("xavier@swiftlane.example", "Status changed from Waiting for your answer to Resolved."),
    ]


def test_a_reply_with_a_move_staff_may_not_make_stores_and_sends_nothing(ticket, xavier):
    services.change_ticket_status(ticket=ticket, status=Status.CLOSED, actor=xavier)
    before = ticket.messages.count()

    with pytest.raises(DomainError, match="reopen it before marking it"):
        services.reply_as_staff(
            ticket=ticket, author=xavier, body="Any news?", status=Status.WAITING_ON_SELLER
        )

    assert ticket.messages.count() == before
    assert not Notification.objects.filter(kind="ticket_reply").exists()


def test_assigning_records_who_gave_the_ticket_to_whom(ticket, xavier, provider_x):
    colleague = UserFactory(
        email="xena@swiftlane.example", first_name="Xena", provider=provider_x, is_staff=True
    )

    services.assign_ticket(ticket=ticket, assignee=colleague, actor=xavier)
    services.assign_ticket(ticket=ticket, assignee=None, actor=xavier)

    ticket.refresh_from_db()
    assert ticket.assignee is None
    assert notes(ticket) == [
        ("xavier@swiftlane.example", "Assigned to Xena."),
        ("xavier@swiftlane.example", "Unassigned (was Xena)."),
    ]


def test_only_the_providers_active_staff_can_be_assigned(ticket, xavier, yvonne, alice):
    inactive = UserFactory(
        email="gone@swiftlane.example", provider=ticket.provider, is_staff=True, is_active=False
    )
    for outsider in (yvonne, alice, inactive):
        with pytest.raises(DomainError, match="does not work for SwiftLane"):
            services.assign_ticket(ticket=ticket, assignee=outsider, actor=xavier)

    ticket.refresh_from_db()
    assert ticket.assignee is None
    assert notes(ticket) == []


def test_assigning_to_the_same_person_again_is_refused(ticket, xavier):
    services.assign_ticket(ticket=ticket, assignee=xavier, actor=xavier)

    with pytest.raises(DomainError, match=r"is already assigned to xavier@swiftlane\.example"):
        services.assign_ticket(ticket=ticket, assignee=xavier, actor=xavier)


def test_resolving_closing_and_reopening_record_when_and_by_whom(ticket, xavier):
    resolved = services.change_ticket_status(ticket=ticket, status=Status.RESOLVED, actor=xavier)
    assert resolved.status == Status.RESOLVED
    assert resolved.resolved_at is not None

    closed = services.change_ticket_status(ticket=ticket, status=Status.CLOSED, actor=xavier)
    assert (closed.resolved_at, closed.closed_at is not None) == (resolved.resolved_at, True)

    reopened = services.change_ticket_status(ticket=ticket, status=Status.OPEN, actor=xavier)
    assert (reopened.status, reopened.resolved_at, reopened.closed_at) == (Status.OPEN, None, None)
    assert [body for _, body in notes(ticket)] == [
        "Status changed from Open to Resolved.",
        "Status changed from Resolved to Closed.",
        "Status changed from Closed to Open.",
    ]


def test_a_move_to_the_same_status_or_out_of_a_closed_ticket_is_refused(ticket, xavier):
    with pytest.raises(DomainError, match="is already open"):
        services.change_ticket_status(ticket=ticket, status=Status.OPEN, actor=xavier)
    services.change_ticket_status(ticket=ticket, status=Status.CLOSED, actor=xavier)

    with pytest.raises(DomainError, match="is closed: reopen it before marking it resolved"):
        services.change_ticket_status(ticket=ticket, status=Status.RESOLVED, actor=xavier)

    ticket.refresh_from_db()
    assert ticket.status == Status.CLOSED


def test_a_claim_ticket_is_not_reopened_while_another_claims_its_package(
    client_for, alice, xavier, seller_a, provider_x
):
    package = awaiting_package(seller_a, provider_x)
    file_ticket(client_for(alice), package)
    first = Ticket.objects.get(package=package)
    services.change_ticket_status(ticket=first, status=Status.CLOSED, actor=xavier)
    Ticket.objects.create(
        seller=seller_a, provider=provider_x, package=package, category="pick_up", subject="Again"
    )

    with pytest.raises(DomainError, match="already has an open ticket"):
        services.change_ticket_status(ticket=first, status=Status.OPEN, actor=xavier)


def test_a_question_is_linked_to_one_of_the_sellers_packages_at_the_provider(
    ticket, xavier, seller_a, seller_b, provider_x, provider_y
):
    other = awaiting_package(seller_a, provider_x)

    services.link_package(ticket=ticket, package=other, actor=xavier)

    ticket.refresh_from_db()
    assert ticket.package == other
    assert notes(ticket)[-1][1] == f"Linked to package {other.tracking_number}."
    for foreign in (
        PackageFactory(seller=seller_a, provider=provider_y),
        PackageFactory(seller=seller_b, provider=provider_x),
    ):
        with pytest.raises(DomainError, match="is not one of Shop A's packages at SwiftLane"):
            services.link_package(ticket=ticket, package=foreign, actor=xavier)


def test_a_claim_ticket_keeps_the_package_it_claimed(
    client_for, alice, xavier, seller_a, provider_x
):
    package = awaiting_package(seller_a, provider_x)
    file_ticket(client_for(alice), package)
    claim = Ticket.objects.get(package=package)

    with pytest.raises(DomainError, match="stays with that package"):
        services.link_package(ticket=claim, package=None, actor=xavier)
