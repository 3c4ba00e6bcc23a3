"""The console's work list: what provider staff should look at today, as counts with links.

Each app contributes rows through settings.CONSOLE_WORK_LIST, so `portal` shows
packages and tickets without importing the apps that own them.
"""

from dataclasses import dataclass

from django.conf import settings
from django.utils.module_loading import import_string

from portal.models import User


@dataclass(frozen=True)
class WorkItem:
    label: str
    count: int
    url: str  # the list, filtered to exactly the rows counted
    hint: str = ""


def work_for(user: User) -> list[WorkItem]:
    return [item for path in settings.CONSOLE_WORK_LIST for item in import_string(path)(user)]
