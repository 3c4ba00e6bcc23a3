from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand

from portal.translations.catalogs import update_catalogs


class Command(BaseCommand):
    help = (
        "Find every msgid in the Python code, templates and scripts and bring "
        "locale/<lang>/LC_MESSAGES/django.po and djangojs.po up to date for every language "
        "in settings.LANGUAGES: new msgids are added untranslated, unchanged ones keep their "
        "translation, gone ones are dropped. No system gettext is needed."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        for path in update_catalogs(settings.BASE_DIR):
            self.stdout.write(f"wrote {path.relative_to(settings.BASE_DIR)}")
