"""Helpers for the console's tests: its URLs, its clock, and posting as its forms do."""

from datetime import UTC, datetime

PACKAGES = "/admin/returns/failedpackage/"
NOW = datetime(2026, 3, 10, 9, 0, tzinfo=UTC)


def listed(response) -> list[str]:
    """The rows of a changelist, as their names."""
    return [str(row) for row in response.context["cl"].result_list]


def run(client, action: str, packages, **data):
    """Choose the action for these packages on the list, as the list's form posts it."""
    return client.post(
        PACKAGES,
        {"action": action, "_selected_action": [p.pk for p in packages], **data},
        follow=True,
    )


def answer(client, action: str, packages, **data):
    """Send the action's intermediate page, as its form posts it, hidden fields and all."""
    page = run(client, action, packages)
    hidden = {field.name: field.value() for field in page.context["form"].hidden_fields()}
    return run(client, action, packages, confirm="yes", **hidden, **data)
