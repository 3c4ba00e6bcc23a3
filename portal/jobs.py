"""The job table (settings.PORTAL_JOBS): its django-q2 schedules, and running one job now.

Every schedule this module owns is named `portal:<job>`, so a schedule an
operator adds by hand in the admin is never touched.
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import connection, transaction
from django.utils import timezone
from django.utils.module_loading import import_string
from django_q.models import Schedule

from portal.batches import JobSummary

SCHEDULE_PREFIX = "portal:"

# The PostgreSQL advisory lock two syncs take turns on: any fixed 64-bit number no other
# code in this database uses (it reads "sched" in ASCII).
SYNC_LOCK_KEY = 0x7363686564


class UnknownJob(LookupError):
    pass


@dataclass(frozen=True)
class Job:
    name: str
    func: str
    minutes: int

    @property
    def schedule_name(self) -> str:
        return SCHEDULE_PREFIX + self.name

    def function(self) -> Callable[..., JobSummary]:
        try:
            function: Callable[..., JobSummary] = import_string(self.func)
            return function
        except ImportError as exc:
            raise ImproperlyConfigured(
                f"PORTAL_JOBS[{self.name!r}]: cannot import {self.func}: {exc}"
            ) from exc


def registered_jobs() -> dict[str, Job]:
    return {
        name: Job(name=name, func=spec["func"], minutes=spec["minutes"])
        for name, spec in settings.PORTAL_JOBS.items()
    }


def get_job(name: str) -> Job:
    jobs = registered_jobs()
    if name not in jobs:
        raise UnknownJob(f"There is no job named “{name}”. The jobs are: {', '.join(jobs)}.")
    return jobs[name]


def run_job(name: str, *, dry_run: bool = False, now: datetime | None = None) -> JobSummary:
    return get_job(name).function()(now=now, dry_run=dry_run)


@dataclass
class SyncReport:
    created: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)

    def __str__(self) -> str:
        return (
            f"schedules: {len(self.created)} created, {len(self.updated)} updated, "
            f"{len(self.unchanged)} unchanged, {len(self.removed)} removed"
        )


def _wanted(job: Job) -> dict[str, Any]:
    return {
        "func": job.func,
        "schedule_type": Schedule.MINUTES,
        "minutes": job.minutes,
        "repeats": -1,
        "args": None,
        "kwargs": None,
        "hook": None,
        "cluster": None,
    }


@transaction.atomic
def sync_schedules(*, now: datetime | None = None) -> SyncReport:
    """Make the `portal:` schedules match PORTAL_JOBS; running it again changes nothing.

    1. Check that every job's function imports, so a typo stops the deploy here
       rather than failing in the worker every few minutes.
    2. Create each missing schedule (first run: now); update one whose settings
       differ, in place; leave an identical one untouched.
    3. Delete `portal:` schedules no longer in the table, and duplicates.

    Two syncs at once (two nodes deploying) take turns: `SELECT … FOR UPDATE` cannot
    lock a schedule that does not exist yet, and django-q2's name column has no unique
    index, so both would create it. PostgreSQL holds an advisory lock until this
    transaction ends; SQLite runs IMMEDIATE transactions (settings), which take the
    write lock at BEGIN and so serialise the syncs already.
    """
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [SYNC_LOCK_KEY])
    now = now or timezone.now()
    jobs = registered_jobs()
    for job in jobs.values():
        job.function()
    report = SyncReport()
    for job in jobs.values():
        wanted = _wanted(job)
        rows = list(
            Schedule.objects.select_for_update().filter(name=job.schedule_name).order_by("pk")
        )
        if not rows:
            Schedule.objects.create(name=job.schedule_name, next_run=now, **wanted)
            report.created.append(job.schedule_name)
            continue
        schedule, duplicates = rows[0], rows[1:]
        for duplicate in duplicates:
            duplicate.delete()
            report.removed.append(f"{job.schedule_name} (duplicate)")
        changed = [name for name, value in wanted.items() if getattr(schedule, name) != value]
        if not changed:
            report.unchanged.append(job.schedule_name)
            continue
        for name in changed:
            setattr(schedule, name, wanted[name])
        # A shorter interval takes effect now rather than after the old, longer wait.
        schedule.next_run = min(schedule.next_run or now, now + timedelta(minutes=job.minutes))
        schedule.save()
        report.updated.append(job.schedule_name)
    stale = Schedule.objects.filter(name__startswith=SCHEDULE_PREFIX).exclude(
        name__in=[job.schedule_name for job in jobs.values()]
    )
    report.removed += sorted(stale.values_list("name", flat=True))
    stale.delete()
    return report
