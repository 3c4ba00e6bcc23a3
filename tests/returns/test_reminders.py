"""Staged deadline reminders: each stage of REMINDER_HOURS_BEFORE (72, 24) once per package,
in order, only while the seller has not decided, never after the deadline, and never a
stage that had passed when the package failed."""

import importlib
from datetime import UTC, datetime, timedelta
from functools import partial

import pytest
import time_machine
from django.apps import apps as django_apps

from portal.errors import DomainError
from returns import services, tasks
from returns.models import FailedPackage, Notification, PackageEvent
from tests.factories import PackageFactory
from tests.races import in_parallel

Status = FailedPackage.Status
Kind = Notification.Kind

DEADLINE = datetime(2026, 3, 17, 16, 59, 59, tzinfo=UTC)  # 23:59:59 in Bangkok
RACED = 120  # packages both runs race for: enough that their batches overlap


@pytest.fixture
def clock():
    with time_machine.travel(DEADLINE - timedelta(days=7), tick=False) as traveller:
        yield traveller


def at(clock, hours_before: float) -> None:
    clock.move_to(DEADLINE - timedelta(hours=hours_before))


@pytest.fixture
def make_package(seller_a, provider_x):
    def make(*, failed_hours_before: float = 7 * 24, **fields):
        return PackageFactory(
            seller=seller_a,
            provider=provider_x,
            awaiting=True,
            failed_at=DEADLINE - timedelta(hours=failed_hours_before),
            claim_deadline=DEADLINE,
            **fields,
        )

    return make


def reminders_of(package: FailedPackage) -> list[tuple[str, str]]:
    notices = package.notifications.filter(kind=Kind.DEADLINE_REMINDER).order_by("pk")
    return [(n.dedupe_key, n.subject.split(":")[0]) for n in notices]


def run() -> tuple[int, int, int]:
    summary = tasks.send_deadline_reminders()
    return summary.done, summary.skipped, summary.failed


def test_a_package_failing_normally_gets_both_stages_in_order_each_once(clock, make_package):
    package = make_package()

    at(clock, 72.25)
    assert run() == (0, 0, 0)
    at(clock, 72)
    assert run() == (1, 0, 0)
    assert run() == (0, 0, 0)
    at(clock, 30)
    assert run() == (0, 0, 0)
    at(clock, 24)
    assert run() == (1, 0, 0)
    assert run() == (0, 0, 0)
    at(clock, 0.25)
    assert run() == (0, 0, 0)

    key = f"deadline_reminder:{package.pk}"
    assert reminders_of(package) == [
        (f"{key}:72", "Reminder, 3 days left"),
        (f"{key}:24", "Reminder, 24 hours left"),
    ]
    package.refresh_from_db()
    assert package.reminded_hours_before == 24
    assert package.reminded_at == DEADLINE - timedelta(hours=24)
    assert package.events.filter(action="reminder_sent").count() == 2


def test_a_package_failing_30_hours_before_its_deadline_gets_only_the_24_hour_reminder(
    clock, make_package
):
    late = make_package(failed_hours_before=30)

    at(clock, 29.75)
    assert run() == (0, 0, 0)
    with pytest.raises(DomainError) as refused:
        services.send_deadline_reminder(package=late)
    assert refused.value.message == (
        f"Package {late.tracking_number} is not due a reminder before "
        "16 March at 23:59 Bangkok time."
    )
    at(clock, 24)
    assert run() == (1, 0, 0)

    assert reminders_of(late) == [
        (f"deadline_reminder:{late.pk}:24", "Reminder, 24 hours left"),
    ]


def test_a_package_failing_inside_the_last_stage_gets_no_reminder(clock, make_package):
    latest = make_package(failed_hours_before=10)

    at(clock, 9)
    assert run() == (0, 0, 0)
    with pytest.raises(DomainError) as refused:
        services.send_deadline_reminder(package=latest)

    assert refused.value.message == (
        f"Package {latest.tracking_number} has no reminder left to send before its deadline."
    )
    assert not latest.notifications.exists()


def test_a_job_stopped_through_a_stage_sends_only_the_stage_it_is_in_now(clock, make_package):
    package = make_package()

    at(clock, 20)
    assert run() == (1, 0, 0)
    at(clock, 19)
    assert run() == (0, 0, 0)

    assert reminders_of(package) == [
        (f"deadline_reminder:{package.pk}:24", "Reminder, 24 hours left"),
    ]


def test_a_second_reminder_of_the_same_stage_is_refused_in_words(clock, make_package):
    package = make_package()
    at(clock, 48)
    services.send_deadline_reminder(package=package)

    with pytest.raises(DomainError) as refused:
        services.send_deadline_reminder(package=package)

    assert refused.value.message == (
        f"The reminder for package {package.tracking_number} was already sent on "
        "15 March at 23:59 Bangkok time."
    )
    assert package.events.count() == 1


def test_a_package_the_seller_decided_gets_no_reminder(clock, make_package):
    claimed = make_package(status=Status.CLAIMED, claimed_at=DEADLINE - timedelta(days=6))
    released = make_package(
        status=Status.DESTRUCTION_PENDING,
        released_at=DEADLINE - timedelta(days=6),
        destruction_requested_at=DEADLINE - timedelta(days=6),
    )

    for hours in (72, 24, 1):
        at(clock, hours)
        assert run() == (0, 0, 0)

    assert not Notification.objects.filter(package__in=[claimed, released]).exists()


def test_no_reminder_after_the_deadline(clock, make_package):
    package = make_package()

    clock.move_to(DEADLINE + timedelta(minutes=1))
    assert run() == (0, 0, 0)

    assert not package.notifications.exists()
    assert not PackageEvent.objects.exists()


def test_the_stages_follow_the_setting(clock, make_package, settings):
    settings.REMINDER_HOURS_BEFORE = (36,)
    package = make_package()

    at(clock, 37)
    assert run() == (0, 0, 0)
    at(clock, 36)
    assert run() == (1, 0, 0)
    at(clock, 24)
    assert run() == (0, 0, 0)

    assert reminders_of(package) == [
        (f"deadline_reminder:{package.pk}:36", "Reminder, 36 hours left"),
    ]


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_runs_at_once_send_each_stage_once(seller_a, provider_x):
    FailedPackage.objects.bulk_create(
        PackageFactory.build(
            seller=seller_a,
            provider=provider_x,
            awaiting=True,
            failed_at=DEADLINE - timedelta(days=7),
            claim_deadline=DEADLINE,
        )
        for _ in range(RACED)
    )

    for hours in (72, 24):
        job = partial(tasks.send_deadline_reminders, now=DEADLINE - timedelta(hours=hours))
        outcomes = in_parallel(job, job)
        assert [o for o in outcomes if isinstance(o, Exception)] == []
        assert sum(o.done for o in outcomes) == RACED
        assert sum(o.failed for o in outcomes) == 0

    notices = Notification.objects.filter(kind=Kind.DEADLINE_REMINDER)
    assert notices.count() == 2 * RACED
    assert notices.filter(dedupe_key__endswith=":72").count() == RACED
    assert PackageEvent.objects.filter(action="reminder_sent").count() == 2 * RACED
    assert set(FailedPackage.objects.values_list("reminded_hours_before", flat=True)) == {24}


def test_a_package_reminded_before_the_stages_keeps_its_place(clock, make_package):
    """Migration 0015: the single 48-hour reminder counts as a 48-hour stage."""
    migration = importlib.import_module("returns.migrations.0015_staged_reminders")
    package = make_package(reminded_at=DEADLINE - timedelta(hours=47, minutes=50))

    migration.stage_of_reminders_sent(django_apps, None)

    package.refresh_from_db()
    assert package.reminded_hours_before == 48
    at(clock, 30)
    assert run() == (0, 0, 0)
    at(clock, 24)
    assert run() == (1, 0, 0)
    assert reminders_of(package) == [
        (f"deadline_reminder:{package.pk}:24", "Reminder, 24 hours left"),
    ]
