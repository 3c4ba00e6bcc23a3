"""Every move the state machine does not allow is refused and writes nothing."""

from datetime import timedelta

import pytest
from django.utils import timezone

from portal.errors import DomainError
from returns import delivery, services
from returns.models import FailedPackage, Notification, PackageEvent
from tests.factories import AttemptFactory, PackageFactory

Status = FailedPackage.Status
Kind = Notification.Kind


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
