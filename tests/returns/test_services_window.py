"""The seller's claim window: claims, releases and the finalize at its deadline."""

from datetime import timedelta

import pytest
import time_machine

from portal.errors import DomainError
from returns import services
from returns.models import FailedPackage, Notification, PackageEvent
from tests.helpers import actions_for, kinds_for

Status = FailedPackage.Status
Kind = Notification.Kind


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
