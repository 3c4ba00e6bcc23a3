"""The demo world: tickets with conversations about the demo seller's packages, once."""

from io import StringIO

from django.core.management import call_command
from django.utils import timezone

from portal.demo import DEFAULT_PASSWORD, seed_accounts
from portal.models import LogisticsProvider, Seller
from returns.delivery import PackageDetails, record_seller_rejection, register_package
from returns.models import Channel, Notification
from returns.services import claim_package
from tests.builders import awaiting_package
from tickets.demo import seed_tickets
from tickets.models import Ticket


def demo_packages() -> None:
    seller = Seller.objects.get(shop_code="SIAM-GADGETS")
    provider = LogisticsProvider.objects.get(code="swiftlane")
    awaiting_package(seller, provider)
    claim_package(package=awaiting_package(seller, provider), channel=Channel.ADMIN)
    rejected = register_package(
        provider=provider,
        seller=seller,
        details=PackageDetails(tracking_number="SL-REJECTED-1", order_id="ORD-R1"),
        channel=Channel.API,
    )
    record_seller_rejection(package=rejected, rejected_at=timezone.now(), channel=Channel.API)


def test_seed_demo_creates_tickets_about_its_own_packages(db):
    call_command("seed_demo", "--force", stdout=StringIO())

    assert Ticket.objects.filter(seller__shop_code="SIAM-GADGETS").count() == 5
    assert Ticket.objects.filter(package__tracking_number__startswith="SL-DEMO-").exists()


def test_demo_tickets_cover_each_kind_of_conversation_once(db):
    seed_accounts(DEFAULT_PASSWORD)
    demo_packages()

    first = seed_tickets()
    again = seed_tickets()

    assert len(first) == 4 and again == []
    tickets = {ticket.subject: ticket for ticket in Ticket.objects.all()}
    assert tickets["Is the box still sealed?"].status == Ticket.Status.WAITING_ON_SELLER
    assert tickets["Please send it to our new warehouse"].messages.count() == 3
    assert tickets["We did not reject this package"].category == Ticket.Category.DISPUTE
    assert tickets["Do you deliver on Saturdays?"].status == Ticket.Status.CLOSED
    assert Notification.objects.filter(kind="ticket_reply", audience="seller").exists()
