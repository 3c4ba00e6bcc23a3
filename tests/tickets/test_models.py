"""What the database itself guarantees about tickets."""

import re

import pytest
from django.db import IntegrityError, transaction

from tests.builders import awaiting_package
from tickets.models import REFERENCE_ALPHABET, Ticket, new_reference


def test_references_are_short_random_and_unambiguous():
    references = {new_reference() for _ in range(200)}

    assert len(references) == 200
    for reference in references:
        assert re.fullmatch(rf"RT-[{REFERENCE_ALPHABET}]{{6}}", reference)
    assert not set("01ILO") & set(REFERENCE_ALPHABET)


def claim_ticket(package, **fields) -> Ticket:
    return Ticket.objects.create(
        seller=package.seller,
        provider=package.provider,
        package=package,
        subject="Send it back",
        **{"category": Ticket.Category.SEND_BACK, **fields},
    )


def test_a_package_has_one_open_claim_ticket_at_most(seller_a, provider_x):
    package = awaiting_package(seller_a, provider_x)
    claim_ticket(package)

    with pytest.raises(IntegrityError), transaction.atomic():
        claim_ticket(package, category=Ticket.Category.PICK_UP)


def test_closed_claim_tickets_and_other_categories_do_not_count(seller_a, provider_x):
    package = awaiting_package(seller_a, provider_x)
    claim_ticket(package, status=Ticket.Status.CLOSED)
    claim_ticket(package, status=Ticket.Status.RESOLVED)
    claim_ticket(package, category=Ticket.Category.QUESTION)

    claim_ticket(package)

    assert package.tickets.count() == 4


def test_a_status_outside_the_list_is_refused(seller_a, provider_x):
    package = awaiting_package(seller_a, provider_x)

    with pytest.raises(IntegrityError), transaction.atomic():
        claim_ticket(package, status="lost")
