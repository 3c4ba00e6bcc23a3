"""The demo world. It lives in `tickets`, the top of the app chain, as it seeds every app."""

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction

from portal import demo as portal_demo
from returns import demo as returns_demo
from tickets import demo as tickets_demo


class Command(BaseCommand):
    help = "Create or refresh the demo providers, sellers, logins and packages (idempotent)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--password",
            default=portal_demo.DEFAULT_PASSWORD,
            help="Password for every demo login (default: %(default)s).",
        )
        parser.add_argument(
            "--force", action="store_true", help="Seed even with DEBUG off (never in production)."
        )

    def handle(self, *args: Any, password: str, force: bool, **options: Any) -> None:
        if not settings.DEBUG and not force:
            raise CommandError(
                "DEBUG is off, so this looks like production: demo logins with known passwords "
                "would be created. Pass --force if this really is a demo machine."
            )
        with transaction.atomic():
            portal_demo.seed_accounts(password)
            packages = returns_demo.seed_packages()
            # Tickets talk about packages, so they come after the packages are seeded.
            tickets = tickets_demo.seed_tickets()
        self.stdout.write(self.style.SUCCESS(f"Demo data is ready ({packages} new packages)."))
        self.stdout.write(portal_demo.describe_logins(password))
        if tickets:
            self.stdout.write("Demo tickets created:\n" + "\n".join(tickets))
