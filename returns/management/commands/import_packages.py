"""`manage.py import_packages <provider-code> <file.csv>`: register a provider's packages."""

import textwrap
from argparse import RawDescriptionHelpFormatter
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from portal.models import LogisticsProvider
from returns.csv_format import format_help
from returns.csv_import import import_packages


class Command(BaseCommand):
    help = "Register a provider's return packages from a CSV file, row by row."

    def create_parser(self, prog_name: str, subcommand: str, **kwargs: Any) -> CommandParser:
        parser = super().create_parser(prog_name, subcommand, **kwargs)
        parser.formatter_class = RawDescriptionHelpFormatter
        lines = [
            textwrap.fill(line, 78, initial_indent="- ", subsequent_indent="  ")
            for line in format_help()
        ]
        parser.epilog = "\n".join(["File format:", *lines])
        return parser

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("provider", help="The provider's code, e.g. swiftlane.")
        parser.add_argument("file", type=Path, help="The CSV file.")

    def handle(self, *args: Any, provider: str, file: Path, **options: Any) -> None:
        found = LogisticsProvider.objects.filter(code=provider).first()
        if found is None:
            raise CommandError(f"No provider has the code {provider!r}.")
        try:
            data = file.read_bytes()
        except OSError as exc:
            raise CommandError(f"Cannot read {file}: {exc.strerror}.") from None

        report = import_packages(provider=found, data=data)

        for problem in report.file_errors:
            self.stderr.write(problem)
        for row in report.rows:
            line = f"line {row.line}: {row.tracking_number or '(no tracking number)'} {row.outcome}"
            self.stdout.write(f"{line}: {row.message}" if row.message else line)
        self.stdout.write(str(report))
        if not report.ok:
            # A non-zero exit lets a scheduled import alert someone.
            raise CommandError("Some rows were not imported; fix them and import the file again.")
