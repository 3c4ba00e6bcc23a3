"""`manage.py sync_schedules`: the django-q2 schedules follow settings.PORTAL_JOBS."""

import copy
from datetime import UTC, datetime, timedelta
from io import StringIO

import pytest
import time_machine
from django.core.exceptions import ImproperlyConfigured
from django.core.management import call_command
from django.utils.module_loading import import_string
from django_q.brokers import get_broker
from django_q.models import OrmQ, Schedule
from django_q.scheduler import scheduler

from portal.batches import JobSummary
from portal.jobs import sync_schedules
from returns.models import FailedPackage
from tests.factories import PackageFactory

NOW = datetime(2026, 3, 10, 17, 0, tzinfo=UTC)

# DESIGN.md §11.
DESIGNED = {
    "portal:finalize_expired_windows": ("returns.tasks.finalize_expired_windows", 5),
    "portal:send_deadline_reminders": ("returns.tasks.send_deadline_reminders", 15),
    "portal:deliver_notifications": ("returns.tasks.deliver_notifications", 1),
    "portal:flag_overdue_destructions": ("returns.tasks.flag_overdue_destructions", 24 * 60),
    "portal:escalate_overdue_tickets": ("tickets.tasks.escalate_overdue_tickets", 30),
    # Not in §11 yet: the work list's days that are over, kept (returns.day_counts).
    "portal:count_closed_days": ("returns.day_counts.count_closed_days", 60),
}


@pytest.fixture
def clock():
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


def schedules() -> list[dict]:
    return list(Schedule.objects.order_by("name").values())


def test_sync_creates_one_schedule_per_job_at_the_designed_interval(db, clock):
    report = sync_schedules()

    assert str(report) == "schedules: 6 created, 0 updated, 0 unchanged, 0 removed"
    assert {s.name: (s.func, s.minutes) for s in Schedule.objects.all()} == DESIGNED
    for schedule in Schedule.objects.all():
        assert schedule.schedule_type == Schedule.MINUTES
        assert schedule.repeats == -1
        assert schedule.next_run == NOW


def test_sync_twice_leaves_the_schedules_exactly_as_they_were(db, clock):
    sync_schedules()
    first = schedules()

    clock.shift(timedelta(minutes=3))
    report = sync_schedules()

    assert str(report) == "schedules: 0 created, 0 updated, 6 unchanged, 0 removed"
    assert schedules() == first


def test_a_changed_interval_updates_the_schedule_in_place(db, clock, settings):
    sync_schedules()
    before = Schedule.objects.get(name="portal:flag_overdue_destructions")
    Schedule.objects.filter(pk=before.pk).update(next_run=NOW + timedelta(days=1))
    settings.PORTAL_JOBS = copy.deepcopy(settings.PORTAL_JOBS)
    settings.PORTAL_JOBS["flag_overdue_destructions"]["minutes"] = 60

    report = sync_schedules()

    assert report.updated == ["portal:flag_overdue_destructions"]
    assert Schedule.objects.count() == 6
    after = Schedule.objects.get(name="portal:flag_overdue_destructions")
    assert after.pk == before.pk
    assert after.minutes == 60
    # The shorter interval applies now, not after the day-long wait already set.
    assert after.next_run == NOW + timedelta(minutes=60)


def test_a_schedule_edited_by_hand_is_put_back(db, clock):
    sync_schedules()
    Schedule.objects.filter(name="portal:deliver_notifications").update(
        minutes=30, func="returns.tasks.nothing"
    )

    report = sync_schedules()

    assert report.updated == ["portal:deliver_notifications"]
    assert {s.name: (s.func, s.minutes) for s in Schedule.objects.all()} == DESIGNED


def test_a_job_no_longer_listed_loses_its_schedule_and_other_schedules_stay(db, clock):
    Schedule.objects.create(name="portal:retired_job", func="returns.tasks.retired", minutes=5)
    Schedule.objects.create(name="nightly-export", func="ops.tasks.export", minutes=1440)

    report = sync_schedules()

    assert report.removed == ["portal:retired_job"]
    assert set(Schedule.objects.values_list("name", flat=True)) == {*DESIGNED, "nightly-export"}


def test_duplicate_schedules_of_one_job_collapse_into_one(db, clock):
    sync_schedules()
    Schedule.objects.create(
        name="portal:deliver_notifications", func="returns.tasks.deliver_notifications", minutes=1
    )

    report = sync_schedules()

    assert report.removed == ["portal:deliver_notifications (duplicate)"]
    assert Schedule.objects.filter(name="portal:deliver_notifications").count() == 1


def test_a_job_whose_function_cannot_be_imported_stops_the_sync(db, settings):
    settings.PORTAL_JOBS = {
        **settings.PORTAL_JOBS,
        "escalate_overdue_tickets": {"func": "tickets.tasks.no_such_job", "minutes": 30},
    }

    with pytest.raises(ImproperlyConfigured, match="escalate_overdue_tickets"):
        sync_schedules()

    assert not Schedule.objects.exists()


# The scheduler closes stale connections as a worker does, which would end a test's
# wrapping transaction on PostgreSQL: this test commits for real instead.
@pytest.mark.django_db(transaction=True)
def test_the_scheduler_queues_every_job_and_each_runs_by_its_dotted_path(clock):
    PackageFactory(awaiting=True, claim_deadline=NOW - timedelta(hours=1))
    sync_schedules()

    clock.shift(timedelta(seconds=1))
    scheduler(broker=get_broker())

    queued = [row.task for row in OrmQ.objects.order_by("pk")]
    assert sorted(task["func"] for task in queued) == sorted(f for f, _ in DESIGNED.values())
    results = {}
    for task in queued:
        result = import_string(task["func"])(*task["args"], **task["kwargs"])
        assert isinstance(result, JobSummary)
        results[task["func"]] = str(result)
    assert results["returns.tasks.finalize_expired_windows"] == (
        "finalize_expired_windows: 1 done, 0 skipped, 0 failed"
    )
    assert FailedPackage.objects.get().status == FailedPackage.Status.DESTRUCTION_PENDING


def test_sync_schedules_command_reports_each_schedule(db, clock):
    out = StringIO()
    call_command("sync_schedules", stdout=out)
    call_command("sync_schedules", stdout=out)

    lines = out.getvalue().splitlines()
    assert lines[0] == (
        "created   portal:finalize_expired_windows  every 5 min "
        "→ returns.tasks.finalize_expired_windows"
    )
    assert "Schedules: 6 created, 0 updated, 0 unchanged, 0 removed" in lines
    assert lines[-1] == "Schedules: 0 created, 0 updated, 6 unchanged, 0 removed"
