"""The finalize job under real concurrency, on PostgreSQL: at-least-once delivery by
django-q2 and several workers must still close each window exactly once."""

import itertools
from datetime import UTC, datetime, timedelta
from unittest import mock

import pytest
import time_machine
from django.db.models import Count

from portal.errors import DomainError
from returns import bulk, services, tasks
from returns.models import FailedPackage, Notification, PackageEvent
from tests.factories import PackageFactory
from tests.helpers import expired_packages
from tests.races import in_parallel

Status = FailedPackage.Status

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

DEADLINE = datetime(2026, 3, 10, 16, 59, 59, tzinfo=UTC)  # 23:59:59 in Bangkok

# Small batches, so that two runs over 2,000 packages take turns batch by batch.
BATCH_SIZE = 200


@pytest.fixture(autouse=True)
def small_batches(monkeypatch):
    monkeypatch.setattr(tasks, "FINALIZE_BATCH_SIZE", BATCH_SIZE)


def assert_each_finalized_once(count: int) -> None:
    assert FailedPackage.objects.filter(status=Status.DESTRUCTION_PENDING).count() == count
    assert PackageEvent.objects.filter(action="window_closed").count() == count
    assert not (
        PackageEvent.objects.values("package").annotate(n=Count("id")).filter(n__gt=1).exists()
    )
    notices = Notification.objects.values_list("kind", flat=True)
    assert notices.filter(kind=Notification.Kind.DESTRUCTION_FINALIZED).count() == count
    assert notices.filter(kind=Notification.Kind.DESTRUCTION_INSTRUCTION).count() == count
    assert notices.count() == count * 2


def test_two_finalize_runs_in_parallel_finalize_each_of_2000_packages_once(seller_a, provider_x):
    expired_packages(2000, seller=seller_a, provider=provider_x, deadline=DEADLINE)
    after_deadline = DEADLINE + timedelta(minutes=1)

    first, second = in_parallel(
        lambda: tasks.finalize_expired_windows(now=after_deadline),
        lambda: tasks.finalize_expired_windows(now=after_deadline),
    )

    assert first.failed == second.failed == 0, (first.details, second.details)
    assert first.done + second.done == 2000
    assert_each_finalized_once(2000)


def test_two_batch_statements_on_the_same_packages_finalize_each_once(seller_a, provider_x):
    """The one-statement batch on its own, without the job's locked read before it: its
    skip-locked read and compare-and-set keep two of them apart."""
    expired_packages(500, seller=seller_a, provider=provider_x, deadline=DEADLINE)
    ids = list(FailedPackage.objects.values_list("pk", flat=True))
    after_deadline = DEADLINE + timedelta(minutes=1)

    first, second = in_parallel(
        lambda: bulk.finalize_expired_packages(package_ids=ids, now=after_deadline),
        lambda: bulk.finalize_expired_packages(package_ids=ids, now=after_deadline),
    )

    assert sorted(first + second) == sorted(ids)
    assert_each_finalized_once(500)


def test_a_claim_racing_the_finalize_at_the_deadline_has_exactly_one_winner(
    seller_a, provider_x, alice
):
    wins = {"claim": 0, "finalize": 0}
    for round_ in range(10):
        # One package per round, its deadline a second before the last round's.
        deadline = DEADLINE - timedelta(seconds=round_)
        package = PackageFactory(
            seller=seller_a, provider=provider_x, awaiting=True, claim_deadline=deadline
        )
        with time_machine.travel(deadline, tick=False):  # the last moment a claim is accepted
            claim, finalize = in_parallel(
                lambda package=package: services.claim_package(
                    package=package, actor=alice, channel="web"
                ),
                lambda deadline=deadline: tasks.finalize_expired_windows(
                    now=deadline + timedelta(microseconds=1)
                ),
            )

        package.refresh_from_db()
        actions = list(package.events.values_list("action", flat=True))
        if package.status == Status.CLAIMED:
            wins["claim"] += 1
            assert isinstance(claim, FailedPackage)
            assert (finalize.done, finalize.failed) == (0, 0)
            assert actions == ["claimed"]
        else:
            wins["finalize"] += 1
            assert package.status == Status.DESTRUCTION_PENDING
            assert isinstance(claim, DomainError)
            assert claim.message == (
                f"Package {package.tracking_number} was scheduled for destruction on "
                "10 March at 23:59 Bangkok time because no ticket was filed; "
                "call SwiftLane on +66 2 555 0142."
            )
            assert finalize.done == 1
            assert actions == ["window_closed"]
    assert sum(wins.values()) == 10


class WorkerKilled(BaseException):
    """Stands in for the worker process dying mid-batch (not an error a row can catch)."""


def test_a_finalize_that_crashes_after_two_batches_is_completed_by_the_next_run(
    seller_a, provider_x
):
    expired_packages(4 * BATCH_SIZE, seller=seller_a, provider=provider_x, deadline=DEADLINE)
    after_deadline = DEADLINE + timedelta(minutes=1)
    real_finalize = bulk.finalize_expired_packages
    batches = itertools.count(1)

    def die_in_the_third_batch(*, package_ids, now):
        done = real_finalize(package_ids=package_ids, now=now)
        if next(batches) == 3:  # after the batch's writes, before its commit
            raise WorkerKilled
        return done

    with (
        mock.patch("returns.bulk.finalize_expired_packages", die_in_the_third_batch),
        pytest.raises(WorkerKilled),
    ):
        tasks.finalize_expired_windows(now=after_deadline)

    # The two committed batches stay; the third was rolled back whole.
    assert_each_finalized_once(2 * BATCH_SIZE)

    rerun = tasks.finalize_expired_windows(now=after_deadline)

    assert (rerun.done, rerun.skipped, rerun.failed) == (2 * BATCH_SIZE, 0, 0)
    assert_each_finalized_once(4 * BATCH_SIZE)
