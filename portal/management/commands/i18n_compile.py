from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand

from portal.translations.catalogs import compile_catalogs


class Command(BaseCommand):
    help = (
        "Compile every locale/<lang>/LC_MESSAGES/*.po into the .mo Django reads (fuzzy "
        "translations left out). Run on start and on deploy; the .mo files are not committed."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        written = compile_catalogs(settings.BASE_DIR)
        if options["verbosity"] < 1:
            return
        for path in written:
            self.stdout.write(f"compiled {path.relative_to(settings.BASE_DIR)}", self.style.SUCCESS)
        if not written:
            self.stdout.write("No catalogs to compile (run `python manage.py i18n_extract`).")
