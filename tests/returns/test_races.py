"""Races on PostgreSQL: the compare-and-set decides, and nothing happens twice."""

import contextlib
import threading
from datetime import timedelta

import pytest
from django.db import connection, transaction
from django.utils import timezone

from portal.errors import DomainError
from returns import delivery, services
from returns.models import FailedPackage, Notification, PackageEvent
from tests.factories import PackageFactory

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

PACKAGES = 30


def run_together(*jobs) -> None:
    """Start every job at the same moment, each on its own thread and connection."""
    start = threading.Barrier(len(jobs))
    errors: list[BaseException] = []

    def wrap(job):
        try:
            start.wait()
            job()
        except BaseException as exc:  # surfaced to the test below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=wrap, args=(job,)) for job in jobs]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []


def test_claims_racing_the_finalize_at_the_deadline_end_in_exactly_one_state(provider_x, seller_a):
    deadline = timezone.now() + timedelta(minutes=5)
    packages = [
        PackageFactory(provider=provider_x, seller=seller_a, awaiting=True, claim_deadline=deadline)
        for _ in range(PACKAGES)
    ]
    claimed, refused = [], []

    def seller_claims():
        for package in packages:
            try:
                services.claim_package(package=package, channel="web")
                claimed.append(package.pk)
            except DomainError as refusal:
                assert "scheduled for destruction" in refusal.message
                refused.append(package.pk)

    def job_finalizes():
        # The job's clock is past the deadline; the seller's is not: both may try each row.
        for package in reversed(packages):
            with contextlib.suppress(DomainError):
                services.finalize_expired_package(
                    package=package, now=deadline + timedelta(seconds=1)
                )

    run_together(seller_claims, job_finalizes)

    statuses = dict(FailedPackage.objects.values_list("pk", "status"))
    assert sorted(statuses) == sorted(claimed + refused)
    assert {statuses[pk] for pk in claimed} <= {"claimed"}
    assert {statuses[pk] for pk in refused} <= {"destruction_pending"}
    for package in packages:
        [event] = PackageEvent.objects.filter(package=package)
        expected = "claimed" if statuses[package.pk] == "claimed" else "window_closed"
        assert event.action == expected
        kinds = sorted(Notification.objects.filter(package=package).values_list("kind", flat=True))
        if expected == "claimed":
            assert kinds == ["claim_confirmed", "claim_received"]
        else:
            assert kinds == ["destruction_finalized", "destruction_instruction"]


def test_recording_an_attempt_locks_the_package_not_its_seller_or_provider(provider_x, seller_a):
    # Otherwise every event of a provider would wait for the previous one's commit.
    held, other = (PackageFactory(provider=provider_x, seller=seller_a) for _ in range(2))
    recorded, done = threading.Event(), threading.Event()

    def attempt_in_an_open_transaction():
        with transaction.atomic():
            delivery.record_failed_attempt(
                package=held, attempted_at=timezone.now(), failure_reason="1", channel="api"
            )
            recorded.set()
            done.wait(10)

    def attempt_on_another_package():
        recorded.wait(10)
        try:
            with transaction.atomic():
                connection.cursor().execute("SET LOCAL lock_timeout = '2s'")
                delivery.record_failed_attempt(
                    package=other, attempted_at=timezone.now(), failure_reason="1", channel="api"
                )
        finally:
            done.set()

    run_together(attempt_in_an_open_transaction, attempt_on_another_package)

    assert (held.attempts.count(), other.attempts.count()) == (1, 1)


def test_two_agents_recording_the_last_attempt_fail_the_package_once(provider_x, seller_a):
    package = PackageFactory(provider=provider_x, seller=seller_a)
    delivery.record_failed_attempt(
        package=package, attempted_at=timezone.now(), failure_reason="1", channel="api"
    )
    delivery.record_failed_attempt(
        package=package, attempted_at=timezone.now(), failure_reason="2", channel="api"
    )
    outcomes = []

    def third_attempt():
        try:
            delivery.record_failed_attempt(
                package=package, attempted_at=timezone.now(), failure_reason="3", channel="api"
            )
            outcomes.append("recorded")
        except DomainError:
            outcomes.append("refused")

    run_together(third_attempt, third_attempt, third_attempt)

    assert sorted(outcomes) == ["recorded", "refused", "refused"]
    assert package.attempts.count() == 3
    assert Notification.objects.filter(kind="destruction_notice").count() == 1
