"""Standing instructions: the seller's rule decides a package's last failed attempt, undoably."""

import itertools
import re
from datetime import timedelta
from decimal import Decimal

import pytest
import time_machine
from django.conf import settings
from django.core import mail
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from portal.emails import render_email
from portal.models import NotificationAddress, ReturnAddress, SellerRole
from returns import action_links, delivery, emails, instructions, links, outbox, services
from returns.models import (
    ActionLink,
    Channel,
    FailedPackage,
    InstructionRule,
    Notification,
    StandingInstruction,
)
from tests.factories import UserFactory
from tickets.models import Ticket

pytestmark = pytest.mark.django_db

Rule = InstructionRule
Status = FailedPackage.Status
Kind = Notification.Kind
_numbers = itertools.count(1)


def set_rule(seller, rule: str, min_value: str | None = None, currency: str = "") -> None:
    instructions.set_instruction(
        seller_id=seller.pk,
        rule=rule,
        min_value=Decimal(min_value) if min_value else None,
        currency=currency,
        by=None,
    )


def fail(seller, provider, *, value: str | None = None, currency: str = "") -> FailedPackage:
    """A package registered and failed three times through the services, as the API does."""
    n = next(_numbers)
    package = delivery.register_package(
        provider=provider,
        seller=seller,
        details=delivery.PackageDetails(
            tracking_number=f"SI{n:08d}",
            order_id=f"ORD-{n}",
            declared_value=Decimal(value) if value else None,
            currency=currency,
        ),
        channel=Channel.API,
    )
    for attempt in range(settings.MAX_DELIVERY_ATTEMPTS):
        delivery.record_failed_attempt(
            package=package,
            attempted_at=timezone.now() - timedelta(hours=3 - attempt),
            failure_reason="Nobody at the address",
            channel=Channel.API,
        )
    package.refresh_from_db()
    return package


@pytest.fixture
def address(seller_a):
    return ReturnAddress.objects.create(
        seller=seller_a,
        label="Main warehouse",
        contact_name="Somchai Jaidee",
        phone="+66 81 555 0199",
        address="12 Sukhumvit Soi 11\nBangkok 10110",
        is_default=True,
    )


def kinds(package) -> set[str]:
    return set(Notification.objects.filter(package=package).values_list("kind", flat=True))


def sent(notice: Notification) -> Notification:
    """The notice as the outbox renders it, sending it: the rule's are written unrendered."""
    outbox.deliver_notifications()
    notice.refresh_from_db()
    return notice


def undo_token(package) -> str:
    notice = sent(Notification.objects.get(package=package, kind=Kind.INSTRUCTION_APPLIED))
    [key] = action_links.MARK.findall(notice.body_text)
    return action_links.token_for(key)


def undo(package, token: str | None = None):
    data = {"t": token or undo_token(package), "action": "undo", "package": package.public_id}
    return Client().post(reverse("tickets:act"), data)


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
    notice = Notification.objects.get(package=package, kind=Kind.DESTRUCTION_NOTICE)
    assert "this package has none in THB, so we ask you this time" in notice.body_text


def test_without_a_default_address_a_send_back_rule_asks_and_says_why(seller_a, provider_x):
    set_rule(seller_a, Rule.SEND_BACK)

    package = fail(seller_a, provider_x)

    assert package.status == Status.AWAITING_SELLER
    assert not Ticket.objects.exists()
    notice = Notification.objects.get(package=package, kind=Kind.DESTRUCTION_NOTICE)
    assert "you have no default return address saved, so we ask you this time" in (notice.body_text)


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
        # reference and an open claim, the claim (move and event in a savepoint: 4), the
        # seller's and the provider's notices written unrendered (one look-up, one INSERT
        # in a savepoint: 4), the undo link, the ticket and its message, the provider's
        # ticket notice (a look-up, an INSERT in a savepoint: 4). It was 31: three notices
        # rendered inline, each looked up and written alone (the seller's other addresses
        # read for one), the reference and the open claim asked apart, and the new
        # message's attachments read back.
        (Rule.SEND_BACK, 24, Status.CLAIMED),
        # The failure's 6, the rule, the release (4), both notices unrendered (4) and the
        # undo link. It was 21: both notices rendered inline, each looked up and written
        # alone.
        (Rule.LET_GO, 16, Status.DESTRUCTION_PENDING),
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


# --- undo -------------------------------------------------------------------------------


def test_undo_of_a_send_back_reopens_the_decision_and_closes_the_rules_ticket(
    seller_a, provider_x, address
):
    set_rule(seller_a, Rule.SEND_BACK)
    package = fail(seller_a, provider_x)
    ticket = Ticket.objects.get(package=package)

    response = undo(package)

    assert response.status_code == 200
    assert "waiting for your decision again" in response.content.decode()
    package.refresh_from_db()
    assert package.status == Status.AWAITING_SELLER and package.claimed_at is None
    ticket.refresh_from_db()
    assert ticket.status == Ticket.Status.CLOSED
    event = package.events.get(action="instruction_undone")
    assert (event.channel, event.facts) == (
        Channel.EMAIL,
        {"rule": "send_back", "undone": "claimed"},
    )
    assert kinds(package) >= {Kind.INSTRUCTION_UNDONE, Kind.DESTRUCTION_NOTICE}
    # Asked as usual now: the destruction notice's buttons work.
    notice = Notification.objects.get(package=package, kind=Kind.DESTRUCTION_NOTICE)
    assert {link.action for link in ActionLink.objects.filter(notification=notice)} == {
        "send_back",
        "let_go",
    }


def test_undo_of_a_release_reopens_the_decision(seller_a, provider_x):
    set_rule(seller_a, Rule.LET_GO)
    package = fail(seller_a, provider_x)

    assert undo(package).status_code == 200

    package.refresh_from_db()
    assert package.status == Status.AWAITING_SELLER
    assert package.released_at is None and package.destruction_requested_at is None
    provider_notice = Notification.objects.get(package=package, kind=Kind.INSTRUCTION_UNDONE)
    assert "do not destroy it" in provider_notice.body_text


def test_undo_works_once(seller_a, provider_x):
    set_rule(seller_a, Rule.LET_GO)
    package = fail(seller_a, provider_x)
    token = undo_token(package)
    undo(package, token)

    again = undo(package, token)

    assert again.status_code == 409
    assert "already waiting for your decision again" in again.content.decode()
    assert package.events.filter(action="instruction_undone").count() == 1


def test_undo_after_the_deadline_is_refused(seller_a, provider_x, address):
    set_rule(seller_a, Rule.SEND_BACK)
    package = fail(seller_a, provider_x)
    token = undo_token(package)

    with time_machine.travel(package.claim_deadline + timedelta(seconds=1), tick=False):
        response = undo(package, token)

    assert response.status_code == 409
    assert "could be undone until" in response.content.decode()
    package.refresh_from_db()
    assert package.status == Status.CLAIMED


def test_undo_after_the_provider_moved_on_is_refused(seller_a, provider_x, address, xavier):
    set_rule(seller_a, Rule.SEND_BACK)
    package = fail(seller_a, provider_x)
    services.mark_returned(package=package, actor=xavier, channel=Channel.ADMIN)

    response = undo(package)

    assert response.status_code == 409
    assert "was returned to you on" in response.content.decode()


def test_undo_of_a_decision_the_seller_made_is_refused(seller_a, provider_x, alice):
    package = fail(seller_a, provider_x)
    services.release_package(package=package, actor=alice, channel=Channel.WEB)

    with pytest.raises(services.DomainError, match="not decided by your standing instruction"):
        services.undo_standing_instruction(package=package, channel=Channel.WEB)


def test_undo_after_the_package_was_destroyed_is_refused(seller_a, provider_x, xavier):
    set_rule(seller_a, Rule.LET_GO)
    package = fail(seller_a, provider_x)
    services.confirm_destruction(
        package=package, reference="D-1", method="shredded", actor=xavier, channel="admin"
    )

    response = undo(package)

    assert response.status_code == 409
    assert "was destroyed on" in response.content.decode()


# --- the settings page ------------------------------------------------------------------


@pytest.fixture
def owner(seller_a):
    return UserFactory(email="olive@shop-a.example", seller=seller_a, seller_role=SellerRole.OWNER)


def test_the_page_shows_the_rule_and_its_changes(client_for, owner, django_assert_num_queries):
    set_rule(owner.seller, Rule.LET_GO)
    client = client_for(owner)
    client.get(reverse("returns:standing_instruction"))  # the session's first read

    # The session and its user, the rule, the default address, the changes, the unread count.
    with django_assert_num_queries(6):
        response = client.get(reverse("returns:standing_instruction"))

    page = response.content.decode()
    assert response.status_code == 200
    assert re.search(r'value="let_go"[^>]*checked', page)
    assert "Always let it go" in page
    assert "no default return address saved" in page


def test_saving_a_rule_records_who_changed_it(client_for, owner):
    response = client_for(owner).post(
        reverse("returns:standing_instruction"),
        {"rule": "send_back_above", "min_value": "1500", "currency": "thb"},
    )

    assert response.status_code == 302
    rule = instructions.current_instruction(owner.seller_id)
    assert (rule.rule, rule.min_value, rule.currency, rule.set_by) == (
        "send_back_above",
        Decimal("1500.00"),
        "THB",
        owner,
    )
    page = client_for(owner).get(reverse("returns:standing_instruction")).content.decode()
    assert "olive@shop-a.example" in page and "1500.00 THB" in page


def test_a_threshold_without_value_or_currency_is_refused_and_changes_nothing(client_for, owner):
    response = client_for(owner).post(
        reverse("returns:standing_instruction"), {"rule": "send_back_above", "min_value": ""}
    )

    assert response.status_code == 400
    assert "Give the declared value to compare with." in response.content.decode()
    assert not StandingInstruction.objects.exists()


def test_saving_the_same_rule_records_nothing(client_for, owner):
    set_rule(owner.seller, Rule.LET_GO)

    client_for(owner).post(reverse("returns:standing_instruction"), {"rule": "let_go"})

    assert StandingInstruction.objects.count() == 1


def test_members_cannot_change_the_rule(client_for, alice):
    alice.seller_role = SellerRole.MEMBER  # a seller's user is an owner unless told
    alice.save(update_fields=["seller_role"])

    response = client_for(alice).post(reverse("returns:standing_instruction"), {"rule": "let_go"})

    assert response.status_code == 403
    assert not StandingInstruction.objects.exists()


def test_another_sellers_changes_are_never_shown(client_for, owner, seller_b):
    set_rule(seller_b, Rule.LET_GO)
    other_owner = UserFactory(
        email="bert@shop-b.example", seller=seller_b, seller_role=SellerRole.OWNER
    )
    instructions.set_instruction(
        seller_id=seller_b.pk, rule=Rule.SEND_BACK, min_value=None, currency="", by=other_owner
    )

    page = client_for(owner).get(reverse("returns:standing_instruction")).content.decode()

    assert "bert@shop-b.example" not in page
    assert "No changes yet" in page
    assert re.search(r'value="ask"[^>]*checked', page)


def test_the_undo_page_shows_what_the_rule_did_and_changes_nothing(seller_a, provider_x):
    set_rule(seller_a, Rule.LET_GO)
    package = fail(seller_a, provider_x)
    before = package.events.count()

    response = Client().get(reverse("tickets:act") + "?t=" + undo_token(package))

    assert response.status_code == 200
    page = response.content.decode()
    assert "Undo your standing instruction for package" in page
    assert "asked SwiftLane to destroy it" in page
    package.refresh_from_db()
    assert package.status == Status.DESTRUCTION_PENDING
    assert package.events.count() == before


def test_after_an_undo_the_sellers_next_decision_reaches_the_provider(seller_a, provider_x):
    set_rule(seller_a, Rule.LET_GO)
    package = fail(seller_a, provider_x)
    assert undo(package).status_code == 200

    services.release_package(package=package, channel=Channel.WEB)

    instructions_sent = Notification.objects.filter(
        package=package, kind=Kind.DESTRUCTION_INSTRUCTION
    )
    assert instructions_sent.count() == 2  # the rule's, kept, and the seller's own
    assert instructions_sent.filter(
        dedupe_key=f"{Kind.DESTRUCTION_INSTRUCTION}:{package.pk}"
    ).exists()


def test_undo_closes_the_rules_ticket_even_once_staff_resolved_it(seller_a, provider_x, address):
    set_rule(seller_a, Rule.SEND_BACK)
    package = fail(seller_a, provider_x)
    Ticket.objects.filter(package=package).update(status=Ticket.Status.RESOLVED)

    assert undo(package).status_code == 200

    ticket = Ticket.objects.get(package=package)
    assert ticket.status == Ticket.Status.CLOSED
    assert ticket.messages.filter(body__startswith="Closed: the seller undid").count() == 1
