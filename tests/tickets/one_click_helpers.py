"""The one-click links of a notice, as its recipient would find them in the email."""

import re

from django.apps import apps
from django.test import Client
from django.urls import reverse

from returns import action_links
from returns.models import ActionLink, FailedPackage, Notification
from tests.helpers import as_sent

SEND_BACK, LET_GO = ActionLink.Action.SEND_BACK, ActionLink.Action.LET_GO
LINE = {SEND_BACK: "Send it back to me: ", LET_GO: "I don't need it: "}
ADDRESS = {
    "contact_name": "Somchai Jaidee",
    "phone": "+66 81 555 0199",
    "address": "12 Sukhumvit Soi 11\nBangkok 10110",
}


def tokens_of(notification: Notification) -> dict[str, str]:
    """Each action's token, read from the notice's text as the outbox would send it."""
    text = action_links.fill_links(as_sent(notification).body_text, notification.language)
    found = {}
    for action, label in LINE.items():
        match = re.search(re.escape(label) + r"\S+\?t=([0-9a-f]+)", text)
        if match:
            found[action] = match[1]
    return found


def url_of(token: str) -> str:
    return f"/act/?t={token}"


def row_counts() -> dict[str, int]:
    """How many rows every table of the portal holds."""
    return {model._meta.label: model._default_manager.count() for model in apps.get_models()}


def destruction_notice(package) -> Notification:
    return Notification.objects.get(package=package, kind=Notification.Kind.DESTRUCTION_NOTICE)


def act(client: Client, token: str, package: FailedPackage, action: str, **fields):
    data = {"t": token, "action": action, "package": package.public_id, **fields}
    return client.post(reverse("tickets:act"), data)


def send_back(client: Client, token: str, package: FailedPackage, **fields):
    return act(client, token, package, SEND_BACK, **{**ADDRESS, **fields})
