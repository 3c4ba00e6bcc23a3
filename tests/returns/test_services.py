"""A package's registration and delivery through the services, and whose packages a user sees."""

from datetime import timedelta

import pytest
import time_machine
from django.db import connection, transaction
from django.db.transaction import TransactionManagementError
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from portal.errors import DomainError
from returns import delivery, state_change
from returns.delivery import PackageDetails
from returns.models import DeliveryAttempt, FailedPackage, Notification, PackageEvent
from tests.factories import PackageFactory, UserFactory
from tests.helpers import actions_for, kinds_for

Status = FailedPackage.Status
Kind = Notification.Kind


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
