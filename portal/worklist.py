"""The console's work list: what provider staff should look at today, as counts with links.

Each app contributes rows through settings.CONSOLE_WORK_LIST, so `portal` shows
packages and tickets without importing the apps that own them.
"""

from dataclasses import dataclass
from datetime import datetime

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


@dataclass(frozen=True)
class RecentAction:
    """One thing this user did in the console, for the index's "Recent actions" panel."""

    when: datetime
    text: str
    url: str


# Django's panel lists the admin's LogEntry rows, which nothing here writes: every change
# goes through the services, which record package events and ticket messages instead.
RECENT_ACTIONS_SHOWN = 10


def recent_for(user: User) -> list[RecentAction]:
    """This user's last actions, newest first, from every app in CONSOLE_RECENT_ACTIONS."""
    actions = [
        action
        for path in settings.CONSOLE_RECENT_ACTIONS
        for action in import_string(path)(user, RECENT_ACTIONS_SHOWN)
    ]
    return sorted(actions, key=lambda action: action.when, reverse=True)[:RECENT_ACTIONS_SHOWN]
