from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from portal.jobs import UnknownJob, registered_jobs, run_job


class Command(BaseCommand):
    help = (
        "Run one scheduled job now and print what it did (for cron-only deployments and "
        "operators). Exits with an error when a row failed."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("name", help=f"One of: {', '.join(registered_jobs())}.")
        parser.add_argument(
            "--dry-run", action="store_true", help="List what would change; change nothing."
        )

    def handle(self, *args: Any, name: str, dry_run: bool, **options: Any) -> None:
        try:
            summary = run_job(name, dry_run=dry_run)
        except UnknownJob as exc:
            raise CommandError(str(exc)) from None
        self.stdout.write(str(summary))
        for line in summary.details:
            self.stdout.write(f"  {line}")
        if summary.failed:
            raise CommandError(
                f"{summary.failed} failed (listed above); the next run tries them again."
            )
