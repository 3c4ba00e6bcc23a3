"""`manage.py create_api_token <provider-code> --name "carrier feed"`: a new intake API token.

The token alone goes to stdout, so a deploy script can capture it; the advice
goes to stderr. Only its digest is stored: lost means revoke and create anew.
"""

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from portal.models import LogisticsProvider
from returns.tokens import create_api_token


class Command(BaseCommand):
    help = "Create an intake API token for a provider and print it once."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("provider", help="The provider's code, e.g. swiftlane.")
        parser.add_argument(
            "--name", required=True, help="Which system will use it, e.g. “carrier feed”."
        )

    def handle(self, *args: Any, provider: str, name: str, **options: Any) -> None:
        found = LogisticsProvider.objects.filter(code=provider).first()
        if found is None:
            codes = ", ".join(LogisticsProvider.objects.values_list("code", flat=True))
            raise CommandError(f"No provider has the code {provider!r}. Known codes: {codes}.")
        if not name.strip():
            raise CommandError("Give the token a --name that says who uses it.")
        token, raw = create_api_token(provider=found, name=name)
        self.stdout.write(raw)
        self.stderr.write(
            f"Token {token.prefix}… for {found.name} ({token.name}). Store it now: "
            "it is not shown again. Revoke it in the admin under API tokens."
        )
