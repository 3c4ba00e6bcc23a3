"""The work list's kept days under real concurrency, on PostgreSQL: two runs of the job,
or the job and a reader, at the same moment keep each day once."""

from datetime import UTC, datetime

import pytest
import time_machine
from django.db.models import Count

from returns import day_counts
from returns.day_count_models import DayCount
from tests.builders import awaiting_package
from tests.races import in_parallel

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

TODAY = datetime(2026, 3, 20, 5, 0, tzinfo=UTC)


def assert_each_day_kept_once() -> None:
    assert (
        not DayCount.objects.values("provider", "zone", "source", "day")
        .annotate(n=Count("pk"))
        .filter(n__gt=1)
    )


def test_two_job_runs_at_once_keep_each_day_once(seller_a, provider_x, provider_y):
    with time_machine.travel(TODAY):
        awaiting_package(seller_a, provider_x)
    # Two providers in UTC, two sources, 29 days over.
    days = 2 * 2 * 29

    with time_machine.travel(TODAY.replace(day=21)):
        first, second = in_parallel(day_counts.count_closed_days, day_counts.count_closed_days)

    assert not isinstance(first, Exception), first
    assert not isinstance(second, Exception), second
    assert first.done + second.done == days
    assert DayCount.objects.count() == days
    assert_each_day_kept_once()
    assert (
        DayCount.objects.get(source="packages", provider=provider_x, day=TODAY.date()).numbers[
            "failed"
        ]
        == 1
    )


def test_readers_and_the_job_at_once_keep_each_day_once_with_the_same_numbers(seller_a, provider_x):
    with time_machine.travel(TODAY):
        awaiting_package(seller_a, provider_x)
    days = [TODAY.date().replace(day=n) for n in range(1, 21)]
    zone = UTC

    def read() -> object:
        return sorted(
            (day, numbers.get("failed", 0))
            for day, numbers in day_counts.numbers_by_day("packages", [provider_x.pk], days, zone)
        )

    with time_machine.travel(TODAY.replace(day=21)):
        outcomes = in_parallel(read, read, day_counts.count_closed_days)

    assert not any(isinstance(outcome, Exception) for outcome in outcomes), outcomes
    assert outcomes[0] == outcomes[1]
    assert dict(outcomes[0])[TODAY.date()] == 1  # type: ignore[call-overload]
    assert DayCount.objects.filter(source="packages", provider=provider_x).count() == 29
    assert_each_day_kept_once()
