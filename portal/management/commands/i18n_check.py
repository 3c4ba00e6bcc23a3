from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from portal.translations.catalogs import problems


class Command(BaseCommand):
    help = (
        "Fail, naming the msgids, when extraction would add a msgid a catalog lacks, when a "
        "catalog keeps an obsolete msgid, when a translation is empty or fuzzy, or when a "
        "translation's %(name)s placeholders do not match its msgid's. Run by `make test`."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        found = problems(settings.BASE_DIR)
        for problem in found:
            self.stderr.write(str(problem))
        if found:
            raise CommandError(
                f"{len(found)} problem(s) in the translation catalogs. New or changed msgids: "
                "run `python manage.py i18n_extract`, then translate what it added."
            )
        self.stdout.write(self.style.SUCCESS("Every catalog is complete."))
