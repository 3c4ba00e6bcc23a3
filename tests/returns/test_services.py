"""Every transition of the state machine, and every refusal, as a user or agent sees them."""

from datetime import timedelta

import pytest
import time_machine
from django.core.files.base import ContentFile
from django.db import connection, transaction
from django.db.transaction import TransactionManagementError
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from portal.errors import DomainError
from returns import delivery, services, state_change
from returns.delivery import PackageDetails
from returns.models import DeliveryAttempt, FailedPackage, Notification, PackageEvent
from tests.factories import AttemptFactory, PackageFactory, UserFactory

Status = FailedPackage.Status
Kind = Notification.Kind


@pytest.fixture
def in_delivery(provider_x, seller_a):
    return PackageFactory(provider=provider_x, seller=seller_a)


@pytest.fixture
def awaiting(provider_x, seller_a):
    return PackageFactory(provider=provider_x, seller=seller_a, awaiting=True)


@pytest.fixture
def claimed(provider_x, seller_a):
    return PackageFactory(provider=provider_x, seller=seller_a, claimed=True)


@pytest.fixture
def pending(provider_x, seller_a):
    return PackageFactory(provider=provider_x, seller=seller_a, pending_destruction=True)


def kinds_for(package) -> list[str]:
    return sorted(Notification.objects.filter(package=package).values_list("kind", flat=True))


def actions_for(package) -> list[str]:
    return list(PackageEvent.objects.filter(package=package).values_list("action", flat=True))


def fail_attempt(package, hours_ago=1, reason="Nobody at the address"):
    return delivery.record_failed_attempt(
        package=package,
        attempted_at=timezone.now() - timedelta(hours=hours_ago),
        failure_reason=reason,
        channel="api",
    )


# --- registration and delivery --------------------------------------------------------


def test_registering_creates_a_package_in_delivery_with_an_event(provider_x, seller_a, xavier):
    package = delivery.register_package(
        provider=provider_x,
        seller=seller_a,
        details=PackageDetails(tracking_number="TH123", order_id="O-1", description="Lamp"),
        actor=xavier,
        channel="admin",
    )

    package.refresh_from_db()
    assert package.status == Status.IN_DELIVERY
    event = package.events.get()
    assert (event.action, event.from_status, event.to_status) == ("registered", "", "in_delivery")
    assert (event.actor, event.channel) == (xavier, "admin")


def test_registering_a_known_tracking_number_is_refused_and_writes_nothing(in_delivery):
    with pytest.raises(DomainError, match="already registered"):
        delivery.register_package(
            provider=in_delivery.provider,
            seller=in_delivery.seller,
            details=PackageDetails(tracking_number=in_delivery.tracking_number, order_id="X"),
            channel="api",
        )

    assert FailedPackage.objects.count() == 1
    assert PackageEvent.objects.count() == 0


def test_first_and_second_failed_attempts_keep_the_package_in_delivery(in_delivery):
    fail_attempt(in_delivery, hours_ago=30)
    fail_attempt(in_delivery, hours_ago=5, reason="Shop closed")

    in_delivery.refresh_from_db()
    assert in_delivery.status == Status.IN_DELIVERY
    assert list(in_delivery.attempts.values_list("number", "failure_reason")) == [
        (1, "Nobody at the address"),
        (2, "Shop closed"),
    ]
    assert actions_for(in_delivery) == ["attempt_failed", "attempt_failed"]
    assert kinds_for(in_delivery) == []


def test_third_failed_attempt_fails_the_package_and_notifies_the_seller(in_delivery):
    with time_machine.travel("2026-03-03 15:20 +07:00", tick=False):
        fail_attempt(in_delivery, hours_ago=50)
        fail_attempt(in_delivery, hours_ago=26)
        third = fail_attempt(in_delivery, hours_ago=1)

    in_delivery.refresh_from_db()
    assert in_delivery.status == Status.AWAITING_SELLER
    assert in_delivery.reason == FailedPackage.Reason.DELIVERY_FAILED
    assert in_delivery.failed_at == third.attempted_at
    assert in_delivery.claim_deadline.isoformat() == "2026-03-10T16:59:59+00:00"
    event = in_delivery.events.last()
    assert (event.action, event.from_status, event.to_status) == (
        "delivery_failed",
        "in_delivery",
        "awaiting_seller",
    )
    notice = Notification.objects.get(package=in_delivery)
    assert (notice.kind, notice.audience, notice.to_email) == (
        Kind.DESTRUCTION_NOTICE,
        "seller",
        in_delivery.seller.contact_email,
    )


def test_the_attempt_limit_comes_from_the_settings(in_delivery, settings):
    settings.MAX_DELIVERY_ATTEMPTS = 2
    fail_attempt(in_delivery, hours_ago=5)
    fail_attempt(in_delivery, hours_ago=1)

    in_delivery.refresh_from_db()
    assert in_delivery.status == Status.AWAITING_SELLER


def test_an_attempt_on_a_package_no_longer_in_delivery_is_refused(awaiting):
    with pytest.raises(DomainError, match="no longer in delivery"):
        fail_attempt(awaiting)

    assert awaiting.attempts.count() == 0
    assert PackageEvent.objects.count() == 0


def test_a_caller_holding_the_lock_has_its_copy_used_not_read_again(in_delivery):
    with transaction.atomic():
        [locked] = state_change.locking(FailedPackage.objects.filter(pk=in_delivery.pk))
        with CaptureQueriesContext(connection) as queries:
            attempt = delivery.record_failed_attempt(
                package=locked,
                attempted_at=timezone.now(),
                failure_reason="Nobody at the address",
                channel="api",
                locked=True,
            )

    assert attempt.package is locked
    assert not [q for q in queries if q["sql"].startswith('SELECT "returns_failedpackage"')]
    assert not [q for q in queries if q["sql"].startswith("SAVEPOINT")]
    assert in_delivery.attempts.count() == 1


@pytest.mark.django_db(transaction=True)
def test_a_caller_claiming_the_lock_outside_a_transaction_is_refused(in_delivery):
    with pytest.raises(TransactionManagementError):
        delivery.record_failed_attempt(
            package=in_delivery,
            attempted_at=timezone.now(),
            failure_reason="Nobody at the address",
            channel="api",
            locked=True,
        )

    assert in_delivery.attempts.count() == 0


def test_an_attempt_in_the_future_is_refused(in_delivery):
    with pytest.raises(DomainError, match="in the future"):
        fail_attempt(in_delivery, hours_ago=-2)

    assert in_delivery.attempts.count() == 0


def test_delivered_to_the_seller_closes_the_package_as_returned(in_delivery):
    delivered_at = timezone.now() - timedelta(hours=2)

    delivery.record_delivered(package=in_delivery, delivered_at=delivered_at, channel="api")

    in_delivery.refresh_from_db()
    assert (in_delivery.status, in_delivery.returned_at) == (Status.RETURNED, delivered_at)
    assert in_delivery.attempts.get().outcome == DeliveryAttempt.Outcome.DELIVERED
    assert actions_for(in_delivery) == ["delivered"]


def test_a_seller_rejection_instructs_destruction_and_informs_the_seller(in_delivery):
    delivery.record_seller_rejection(
        package=in_delivery, rejected_at=timezone.now(), note="Refused at door", channel="api"
    )

    in_delivery.refresh_from_db()
    assert in_delivery.status == Status.DESTRUCTION_PENDING
    assert in_delivery.reason == FailedPackage.Reason.SELLER_REJECTED
    assert in_delivery.destruction_requested_at is not None
    assert kinds_for(in_delivery) == [Kind.DESTRUCTION_INSTRUCTION, Kind.REJECTION_NOTICE]
    instruction = Notification.objects.get(kind=Kind.DESTRUCTION_INSTRUCTION)
    assert instruction.to_email == in_delivery.provider.ops_email
    assert instruction.audience == "provider"


# --- the seller's window --------------------------------------------------------------


def test_a_claim_within_the_window_brings_the_package_back(awaiting, alice):
    services.claim_package(package=awaiting, actor=alice, channel="web", ticket_reference="RT-AB")

    awaiting.refresh_from_db()
    assert awaiting.status == Status.CLAIMED
    assert awaiting.claimed_at is not None
    event = awaiting.events.get()
    assert (event.action, event.actor, event.description()) == ("claimed", alice, "Ticket RT-AB")
    assert kinds_for(awaiting) == [Kind.CLAIM_CONFIRMED, Kind.CLAIM_RECEIVED]


def test_a_claim_at_the_last_second_is_accepted(awaiting):
    with time_machine.travel(awaiting.claim_deadline, tick=False):
        services.claim_package(package=awaiting, channel="web")

    awaiting.refresh_from_db()
    assert awaiting.status == Status.CLAIMED


def test_a_claim_one_second_late_is_refused_with_the_providers_phone(awaiting):
    with (
        time_machine.travel(awaiting.claim_deadline + timedelta(seconds=1), tick=False),
        pytest.raises(DomainError) as refusal,
    ):
        services.claim_package(package=awaiting, channel="web")

    assert "window" in refusal.value.message
    assert awaiting.provider.support_phone in refusal.value.message
    awaiting.refresh_from_db()
    assert awaiting.status == Status.AWAITING_SELLER
    assert PackageEvent.objects.count() == 0
    assert Notification.objects.count() == 0


def test_releasing_sends_the_package_to_destruction_now(awaiting, alice):
    services.release_package(package=awaiting, actor=alice, channel="web")

    awaiting.refresh_from_db()
    assert awaiting.status == Status.DESTRUCTION_PENDING
    assert awaiting.released_at == awaiting.destruction_requested_at
    assert actions_for(awaiting) == ["released"]
    assert kinds_for(awaiting) == [Kind.DESTRUCTION_INSTRUCTION, Kind.RELEASE_CONFIRMED]


def test_releasing_after_the_deadline_is_refused(awaiting):
    with (
        time_machine.travel(awaiting.claim_deadline + timedelta(seconds=1), tick=False),
        pytest.raises(DomainError),
    ):
        services.release_package(package=awaiting, channel="web")

    awaiting.refresh_from_db()
    assert awaiting.status == Status.AWAITING_SELLER


def test_finalizing_after_the_deadline_instructs_destruction_and_tells_the_seller(awaiting):
    later = awaiting.claim_deadline + timedelta(minutes=3)

    services.finalize_expired_package(package=awaiting, now=later)

    awaiting.refresh_from_db()
    assert awaiting.status == Status.DESTRUCTION_PENDING
    assert awaiting.destruction_requested_at == later
    event = awaiting.events.get()
    assert (event.action, event.channel, event.actor) == ("window_closed", "job", None)
    assert kinds_for(awaiting) == [Kind.DESTRUCTION_FINALIZED, Kind.DESTRUCTION_INSTRUCTION]


def test_finalizing_before_the_deadline_is_refused(awaiting):
    with pytest.raises(DomainError, match="waiting for your decision"):
        services.finalize_expired_package(package=awaiting)

    awaiting.refresh_from_db()
    assert awaiting.status == Status.AWAITING_SELLER


def test_after_finalizing_a_late_claim_says_why_and_whom_to_call(awaiting):
    services.finalize_expired_package(
        package=awaiting, now=awaiting.claim_deadline + timedelta(minutes=1)
    )

    with pytest.raises(DomainError) as refusal:
        services.claim_package(package=awaiting, channel="web")

    message = refusal.value.message
    assert "scheduled for destruction" in message
    assert "because no ticket was filed" in message
    assert "Bangkok time" in message
    assert f"call SwiftLane on {awaiting.provider.support_phone}" in message


# --- provider staff -------------------------------------------------------------------


def test_marking_a_claimed_package_returned_tells_the_seller(claimed, xavier):
    services.mark_returned(package=claimed, actor=xavier, channel="admin", note="Courier run 4")

    claimed.refresh_from_db()
    assert claimed.status == Status.RETURNED
    assert claimed.returned_at is not None
    assert claimed.events.get().detail == "Courier run 4"
    assert kinds_for(claimed) == [Kind.RETURNED]


def test_withdrawing_a_claim_needs_a_reason(claimed, xavier):
    with pytest.raises(DomainError, match="Say why"):
        services.withdraw_claim(package=claimed, reason="  ", actor=xavier, channel="admin")

    claimed.refresh_from_db()
    assert claimed.status == Status.CLAIMED


def test_withdrawing_a_claim_sends_it_to_destruction_with_the_reason(claimed, xavier):
    services.withdraw_claim(
        package=claimed, reason="Redelivery failed twice", actor=xavier, channel="admin"
    )

    claimed.refresh_from_db()
    assert claimed.status == Status.DESTRUCTION_PENDING
    assert claimed.events.get().detail == "Redelivery failed twice"
    assert kinds_for(claimed) == [Kind.CLAIM_WITHDRAWN, Kind.DESTRUCTION_INSTRUCTION]
    notice = Notification.objects.get(kind=Kind.CLAIM_WITHDRAWN)
    assert "Redelivery failed twice" in notice.body_text


def test_a_destruction_photo_that_is_not_a_jpeg_or_png_is_refused(pending, xavier):
    page = ContentFile(b"<html><script>alert(1)</script></html>", name="evidence.html")

    with pytest.raises(DomainError, match="must be a JPEG or PNG picture"):
        services.confirm_destruction(
            package=pending, reference="DX-1", method="shredded", photo=page, channel="admin"
        )

    pending.refresh_from_db()
    assert (pending.status, pending.destruction_photo.name) == (Status.DESTRUCTION_PENDING, "")


def test_confirming_destruction_records_the_evidence(pending, xavier):
    photo = ContentFile(b"\x89PNG\r\n\x1a\n" + b"0" * 64, name="shredder.png")

    services.confirm_destruction(
        package=pending,
        reference="DX-2026-0042",
        method=FailedPackage.DestructionMethod.SHREDDED,
        photo=photo,
        actor=xavier,
        channel="admin",
    )

    pending.refresh_from_db()
    assert pending.status == Status.DESTROYED
    assert (pending.destruction_reference, pending.destroyed_by) == ("DX-2026-0042", xavier)
    assert pending.destruction_photo.name.startswith("destructions/")
    assert pending.destruction_photo.name.endswith(".png")
    assert "shredder" not in pending.destruction_photo.name
    assert pending.events.get().description() == "Shredded, reference DX-2026-0042"
    destroyed_notice = Notification.objects.get(kind=Kind.DESTROYED)
    assert f"/packages/{pending.public_id}/certificate/" in destroyed_notice.body_text


def test_confirming_destruction_needs_a_reference(pending):
    with pytest.raises(DomainError, match="reference is required"):
        services.confirm_destruction(
            package=pending, reference="", method="shredded", channel="admin"
        )

    pending.refresh_from_db()
    assert pending.status == Status.DESTRUCTION_PENDING


# --- every move the table does not allow ----------------------------------------------

TRANSITIONS = {
    "claim": (Status.AWAITING_SELLER, lambda p: services.claim_package(package=p, channel="web")),
    "release": (
        Status.AWAITING_SELLER,
        lambda p: services.release_package(package=p, channel="web"),
    ),
    "finalize": (
        Status.AWAITING_SELLER,
        lambda p: services.finalize_expired_package(
            package=p, now=timezone.now() + timedelta(days=30)
        ),
    ),
    "mark_returned": (
        Status.CLAIMED,
        lambda p: services.mark_returned(package=p, channel="admin"),
    ),
    "withdraw": (
        Status.CLAIMED,
        lambda p: services.withdraw_claim(package=p, reason="No answer", channel="admin"),
    ),
    "destroy": (
        Status.DESTRUCTION_PENDING,
        lambda p: services.confirm_destruction(
            package=p, reference="DX-1", method="recycled", channel="admin"
        ),
    ),
    "delivered": (
        Status.IN_DELIVERY,
        lambda p: delivery.record_delivered(package=p, delivered_at=timezone.now(), channel="api"),
    ),
    "rejected": (
        Status.IN_DELIVERY,
        lambda p: delivery.record_seller_rejection(
            package=p, rejected_at=timezone.now(), channel="api"
        ),
    ),
    "attempt": (
        Status.IN_DELIVERY,
        lambda p: delivery.record_failed_attempt(
            package=p, attempted_at=timezone.now(), failure_reason="x", channel="api"
        ),
    ),
}

STATE_TRAITS = {
    Status.IN_DELIVERY: {},
    Status.AWAITING_SELLER: {"awaiting": True},
    Status.CLAIMED: {"claimed": True},
    Status.RETURNED: {"returned": True},
    Status.DESTRUCTION_PENDING: {"pending_destruction": True},
    Status.DESTROYED: {"destroyed": True},
}

WRONG_MOVES = [
    (name, status)
    for name, (allowed_from, _) in TRANSITIONS.items()
    for status in Status
    if status != allowed_from
]


@pytest.mark.parametrize(("name", "status"), WRONG_MOVES)
def test_a_move_from_the_wrong_state_is_refused_and_writes_nothing(
    name, status, provider_x, seller_a
):
    package = PackageFactory(provider=provider_x, seller=seller_a, **STATE_TRAITS[status])
    AttemptFactory(package=package, number=1)
    before = FailedPackage.objects.values().get(pk=package.pk)

    with pytest.raises(DomainError) as refusal:
        TRANSITIONS[name][1](package)

    assert refusal.value.message  # a sentence for a person, never empty
    assert FailedPackage.objects.values().get(pk=package.pk) == before
    assert PackageEvent.objects.count() == 0
    assert Notification.objects.count() == 0
    assert package.attempts.count() == 1


# --- tenancy --------------------------------------------------------------------------


def test_packages_are_scoped_to_their_owners(
    alice, bob, xavier, yvonne, operator, provider_x, provider_y, seller_a, seller_b
):
    a_at_x = PackageFactory(provider=provider_x, seller=seller_a)
    b_at_y = PackageFactory(provider=provider_y, seller=seller_b)
    a_at_y = PackageFactory(provider=provider_y, seller=seller_a)

    def visible(user):
        return set(FailedPackage.objects.for_user(user))

    assert visible(alice) == {a_at_x, a_at_y}
    assert visible(bob) == {b_at_y}
    assert visible(xavier) == {a_at_x}
    assert visible(yvonne) == {b_at_y, a_at_y}
    assert visible(operator) == {a_at_x, b_at_y, a_at_y}


def test_a_provider_user_without_staff_rights_sees_nothing(provider_x, seller_a):
    clerk = UserFactory(email="clerk@x.example", provider=provider_x, is_staff=False)
    PackageFactory(provider=provider_x, seller=seller_a)

    assert not FailedPackage.objects.for_user(clerk).exists()
