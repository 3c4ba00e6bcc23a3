from typing import Any

from django.core.management.base import BaseCommand

from portal.jobs import registered_jobs, sync_schedules


class Command(BaseCommand):
    help = (
        "Create or update the django-q2 schedule of every job in settings.PORTAL_JOBS, "
        "and remove the portal's schedules no longer listed there. Safe to run on every deploy."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        report = sync_schedules()
        jobs = {job.schedule_name: job for job in registered_jobs().values()}
        for verb, names in [
            ("created", report.created),
            ("updated", report.updated),
            ("unchanged", report.unchanged),
            ("removed", report.removed),
        ]:
            for name in names:
                job = jobs.get(name)
                every = f"  every {job.minutes} min → {job.func}" if job else ""
                self.stdout.write(f"{verb:<9} {name}{every}")
        self.stdout.write(self.style.SUCCESS(str(report).capitalize()))
