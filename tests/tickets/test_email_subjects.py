"""The longest ticket subject with the longest shop and provider names still makes an email,
and the claim it comes with goes through: every subject fits the outbox's column."""

import pytest
from django.utils import timezone

from portal.emails import SUBJECT_MAX_LENGTH, fit_subject, render_email
from returns.models import FailedPackage, Notification
from tests.builders import awaiting_package, file_ticket
from tests.factories import PackageFactory
from tickets import emails
from tickets.models import Ticket
from tickets.services import reply_as_seller, reply_as_staff

SUBJECT_COLUMN = Notification._meta.get_field("subject").max_length


def words(length: int, word: str = "Ratchaprasong") -> str:
    """Words up to exactly `length` characters, as a person would type them."""
    return ((word + " ") * length)[:length].rstrip().ljust(length, "x")


@pytest.fixture
def long_names(seller_a, provider_x):
    seller_a.name = words(seller_a._meta.get_field("name").max_length, "Electronics")
    seller_a.save()
    provider_x.name = words(provider_x._meta.get_field("name").max_length, "Logistics")
    provider_x.save()


LONGEST_SUBJECT = words(Ticket._meta.get_field("subject").max_length)


def assert_every_subject_fits() -> None:
    subjects = list(Notification.objects.values_list("kind", "subject"))
    assert subjects
    for kind, subject in subjects:
        assert len(subject) <= SUBJECT_COLUMN, kind


def test_the_fitting_limit_is_the_outboxs_column():
    assert SUBJECT_MAX_LENGTH == SUBJECT_COLUMN


def test_a_subject_that_fits_is_left_alone_and_a_long_one_is_cut_at_a_word_with_an_ellipsis():
    assert fit_subject("Package TRK-1 is coming back", limit=40) == "Package TRK-1 is coming back"
    assert fit_subject("Package TRK-1 is coming back to you", limit=20) == "Package TRK-1 is…"
    # One long word has no boundary to cut at.
    assert fit_subject("x" * 30, limit=20) == "x" * 19 + "…"


def test_the_longest_send_back_ticket_claims_the_package_and_tells_the_provider(
    client_for, alice, seller_a, provider_x, long_names
):
    package = awaiting_package(seller_a, provider_x)

    response = file_ticket(client_for(alice), package, subject=LONGEST_SUBJECT)

    assert response.status_code == 302
    package.refresh_from_db()
    assert package.status == FailedPackage.Status.CLAIMED
    notice = Notification.objects.get(kind="ticket_created")
    assert len(notice.subject) <= SUBJECT_COLUMN
    assert notice.subject.endswith("…")
    assert_every_subject_fits()


def test_every_reply_and_the_overdue_notice_of_the_longest_ticket_fit(
    client_for, alice, xavier, seller_a, provider_x, long_names
):
    package = awaiting_package(seller_a, provider_x)
    file_ticket(client_for(alice), package, subject=LONGEST_SUBJECT)
    ticket = Ticket.objects.get()

    reply_as_staff(ticket=ticket, author=xavier, body="On its way tomorrow.")
    reply_as_seller(ticket=ticket, author=alice, body="Thank you.")
    emails.ticket_overdue(ticket, waiting_hours=30)

    kinds = set(Notification.objects.values_list("kind", flat=True))
    assert {"ticket_created", "ticket_reply", "ticket_overdue"} <= kinds
    assert_every_subject_fits()


@pytest.mark.parametrize("kind", Notification.Kind.values)
@pytest.mark.parametrize("for_seller", [True, False])
def test_every_kind_of_email_fits_with_the_longest_names(
    kind, for_seller, seller_a, provider_x, long_names
):
    package = PackageFactory.build(
        seller=seller_a,
        provider=provider_x,
        tracking_number="T" * FailedPackage._meta.get_field("tracking_number").max_length,
        claim_deadline=timezone.now(),
    )
    ticket = Ticket(seller=seller_a, provider=provider_x, package=package, subject=LONGEST_SUBJECT)
    context = {
        "package": package,
        "packages": [package],
        "seller": seller_a,
        "provider": provider_x,
        "ticket": ticket,
        "for_seller": for_seller,
        "waiting_hours": 10_000,
        "zone": seller_a.time_zone,
    }

    subject = render_email(kind, context).subject

    assert 0 < len(subject) <= SUBJECT_COLUMN
