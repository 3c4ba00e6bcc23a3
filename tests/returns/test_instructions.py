"""Standing instructions: the seller's rule decides a package's last failed attempt."""

from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone

from portal.emails import render_email
from portal.models import NotificationAddress
from returns import delivery, emails, instructions, links, outbox
from returns.models import ActionLink, Channel, FailedPackage, Notification, StandingInstruction
from tests.helpers import as_sent
from tests.returns.instructions_helpers import Kind, Rule, Status, fail, kinds, sent, set_rule
from tickets.models import Ticket

pytestmark = pytest.mark.django_db


# --- applied at the last failed attempt -------------------------------------------------


def test_without_a_rule_the_seller_is_asked(seller_a, provider_x, address):
    package = fail(seller_a, provider_x)

    assert package.status == Status.AWAITING_SELLER
    assert Kind.DESTRUCTION_NOTICE in kinds(package)
    assert Kind.INSTRUCTION_APPLIED not in kinds(package)


def test_always_send_it_back_claims_with_a_ticket_to_the_default_address(
    seller_a, provider_x, address
):
    set_rule(seller_a, Rule.SEND_BACK)

    package = fail(seller_a, provider_x)

    assert package.status == Status.CLAIMED
    ticket = Ticket.objects.get(package=package)
    assert ticket.category == Ticket.Category.SEND_BACK
    assert ticket.delivery_address == "Somchai Jaidee\n12 Sukhumvit Soi 11\nBangkok 10110"
    assert ticket.contact_phone == "+66 81 555 0199"
    event = package.events.get(action="claimed")
    assert event.facts == {"ticket": ticket.reference, "rule": "send_back"}
    assert (
        event.description() == "Decided by the seller's standing instruction “Always send it back”."
    )
    assert kinds(package) >= {Kind.INSTRUCTION_APPLIED, Kind.CLAIM_RECEIVED, Kind.TICKET_CREATED}
    assert Kind.DESTRUCTION_NOTICE not in kinds(package)
    assert Kind.CLAIM_CONFIRMED not in kinds(package)
    notice = sent(Notification.objects.get(package=package, kind=Kind.INSTRUCTION_APPLIED))
    assert "Always send it back" in notice.body_text and ticket.reference in notice.body_text
    assert ActionLink.objects.get(notification=notice).action == "undo"


@pytest.mark.parametrize("rule", [Rule.SEND_BACK, Rule.LET_GO])
def test_the_rules_notices_are_sent_as_they_read_when_rendered_as_written(
    seller_a, provider_x, address, rule
):
    """Written unrendered (the intake API renders nothing), rendered by the outbox: the
    emails the builders rendered as they wrote them, each in its reader's language, the
    seller's to every address confirmed."""
    seller_a.language, provider_x.language = "th", "vi"
    seller_a.save()
    provider_x.save()
    NotificationAddress.objects.create(
        seller=seller_a, email="night@shop-a.example", confirmed_at=timezone.now()
    )
    set_rule(seller_a, rule)
    package = fail(seller_a, provider_x)
    ticket = Ticket.objects.filter(package=package).first()
    reference = ticket.reference if ticket else ""
    claimed = package.status == Status.CLAIMED
    to_seller = Notification.objects.get(package=package, kind=Kind.INSTRUCTION_APPLIED)
    provider_kind = Kind.CLAIM_RECEIVED if claimed else Kind.DESTRUCTION_INSTRUCTION
    to_provider = Notification.objects.get(package=package, kind=provider_kind)
    assert to_seller.subject == to_provider.subject == ""  # nothing rendered yet

    outbox.deliver_notifications()

    # What `instruction_applied`, `claim_received` and `destruction_instruction` rendered
    # when they wrote their rows.
    undo_link = to_seller.render_facts["undo_link"]
    seller_context = emails._package_context(
        package,
        rule_label=Rule(rule).label,
        claimed=claimed,
        ticket_reference=reference,
        ticket_url=links.ticket_url(reference, language="th") if reference else "",
        undo_link=undo_link,
    )
    provider_extra = {"ticket_reference": reference, "note": ""} if claimed else {}
    expected = [
        render_email(Kind.INSTRUCTION_APPLIED, seller_context, language="th"),
        render_email(
            provider_kind, emails._provider_context(package, **provider_extra), language="vi"
        ),
    ]
    for notice, email in zip([to_seller, to_provider], expected, strict=True):
        notice.refresh_from_db()
        assert notice.status == Notification.Status.SENT
        assert (notice.subject, notice.body_text, notice.body_html, notice.language) == (
            email.subject,
            email.text,
            email.html,
            email.language,
        )
    assert to_seller.recipients == ["shop-a@shops.example", "night@shop-a.example"]
    assert undo_link in to_seller.body_text  # the undo link that `ActionLink` holds
    [sent_to_seller] = [m for m in mail.outbox if m.subject == to_seller.subject]
    assert sent_to_seller.to == to_seller.recipients


def test_always_let_it_go_releases(seller_a, provider_x):
    set_rule(seller_a, Rule.LET_GO)

    package = fail(seller_a, provider_x)

    assert package.status == Status.DESTRUCTION_PENDING and package.released_at
    assert package.events.get(action="released").facts == {"rule": "let_go"}
    assert kinds(package) >= {Kind.INSTRUCTION_APPLIED, Kind.DESTRUCTION_INSTRUCTION}
    assert Kind.RELEASE_CONFIRMED not in kinds(package)


@pytest.mark.parametrize(
    ("value", "currency", "status"),
    [
        ("1000.00", "THB", Status.CLAIMED),  # at least the amount
        ("5000", "THB", Status.CLAIMED),
        ("999.99", "THB", Status.DESTRUCTION_PENDING),  # below: let go
    ],
)
def test_send_back_above_a_value_compares_the_declared_value(
    seller_a, provider_x, address, value, currency, status
):
    set_rule(seller_a, Rule.SEND_BACK_ABOVE, "1000", "THB")

    package = fail(seller_a, provider_x, value=value, currency=currency)

    assert package.status == status
    assert Kind.INSTRUCTION_APPLIED in kinds(package)


@pytest.mark.parametrize(("value", "currency"), [(None, ""), ("50", "USD")])
def test_a_package_without_a_value_in_the_rules_currency_is_left_to_the_seller(
    seller_a, provider_x, address, value, currency
):
    set_rule(seller_a, Rule.SEND_BACK_ABOVE, "1000", "THB")

    package = fail(seller_a, provider_x, value=value, currency=currency)

    assert package.status == Status.AWAITING_SELLER
    notice = as_sent(Notification.objects.get(package=package, kind=Kind.DESTRUCTION_NOTICE))
    assert "this package has none in THB, so we ask you this time" in notice.body_text


def test_without_a_default_address_a_send_back_rule_asks_and_says_why(seller_a, provider_x):
    set_rule(seller_a, Rule.SEND_BACK)

    package = fail(seller_a, provider_x)

    assert package.status == Status.AWAITING_SELLER
    assert not Ticket.objects.exists()
    notice = as_sent(Notification.objects.get(package=package, kind=Kind.DESTRUCTION_NOTICE))
    assert "you have no default return address saved, so we ask you this time" in notice.body_text


def test_a_rejected_package_is_never_touched(seller_a, provider_x, address):
    set_rule(seller_a, Rule.SEND_BACK)
    package = delivery.register_package(
        provider=provider_x,
        seller=seller_a,
        details=delivery.PackageDetails(tracking_number="REJ1", order_id="O-1"),
        channel=Channel.API,
    )

    delivery.record_seller_rejection(
        package=package, rejected_at=timezone.now(), channel=Channel.API
    )

    package.refresh_from_db()
    assert package.status == Status.DESTRUCTION_PENDING
    assert not package.events.filter(facts__has_key="rule").exists()
    assert not Ticket.objects.exists()


def test_the_verdict_never_touches_a_package_already_decided(seller_a, provider_x):
    set_rule(seller_a, Rule.LET_GO)
    rule = instructions.current_instruction(seller_a.pk)
    for status in [Status.CLAIMED, Status.DESTRUCTION_PENDING, Status.RETURNED]:
        package = FailedPackage(status=status, reason=FailedPackage.Reason.DELIVERY_FAILED)
        assert instructions.verdict(package, rule, has_address=True).action == ""


def test_changing_the_rule_never_rewrites_past_packages(seller_a, provider_x, address):
    asked = fail(seller_a, provider_x)
    set_rule(seller_a, Rule.SEND_BACK)
    sent_back = fail(seller_a, provider_x)

    set_rule(seller_a, Rule.LET_GO)

    for package, status in [(asked, Status.AWAITING_SELLER), (sent_back, Status.CLAIMED)]:
        package.refresh_from_db()
        assert package.status == status
    assert fail(seller_a, provider_x).status == Status.DESTRUCTION_PENDING
    assert StandingInstruction.objects.filter(seller=seller_a).count() == 2


@pytest.mark.parametrize(
    ("rule", "budget", "status"),
    [
        # The failure's own (the package locked, the attempt, the move, its event, in a
        # savepoint: 6), the rule, the default return address, one look-up for a free
        # reference and an open claim, the claim (move and event: 2, inside the failure's), the
        # seller's and the provider's notices written unrendered (one look-up, one INSERT
        # in a savepoint: 4, with the provider's ticket notice), the undo link, the ticket
        # and its message. It was 31: three notices rendered inline, each looked up and
        # written alone (the seller's other addresses read for one), the reference and the
        # open claim asked apart, and the new message's attachments read back; then 22,
        # the ticket's notice written in a statement of its own.
        (Rule.SEND_BACK, 18, Status.CLAIMED),
        # The failure's 6, the rule, the release (2), both notices unrendered (4) and the
        # undo link. It was 21: both notices rendered inline, each looked up and written
        # alone.
        (Rule.LET_GO, 14, Status.DESTRUCTION_PENDING),
    ],
)
def test_the_last_attempt_with_a_rule_stays_within_its_query_budget(
    seller_a, provider_x, address, django_assert_max_num_queries, rule, budget, status
):
    set_rule(seller_a, rule)
    package = fail(seller_a, provider_x)  # warms nothing: each package is its own
    other = delivery.register_package(
        provider=provider_x,
        seller=seller_a,
        details=delivery.PackageDetails(tracking_number="QB1", order_id="O-QB"),
        channel=Channel.API,
    )
    for attempt in range(2):
        delivery.record_failed_attempt(
            package=other,
            attempted_at=timezone.now() - timedelta(hours=3 - attempt),
            failure_reason="Closed",
            channel=Channel.API,
        )

    with django_assert_max_num_queries(budget):
        delivery.record_failed_attempt(
            package=other, attempted_at=timezone.now(), failure_reason="Closed", channel="api"
        )

    other.refresh_from_db()
    assert other.status == package.status == status
