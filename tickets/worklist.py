"""The tickets rows of the console's work list (see portal.worklist), scoped to the user."""

from django.conf import settings
from django.urls import reverse
from django.utils.http import urlencode

from portal.models import User
from portal.worklist import WorkItem
from tickets.models import Ticket


def _inbox(**filters: str) -> str:
    return reverse("admin:tickets_ticket_changelist") + "?" + urlencode(filters)


def ticket_work(user: User) -> list[WorkItem]:
    if not user.has_perm("tickets.view_ticket"):
        return []
    tickets = Ticket.objects.for_user(user)
    return [
        WorkItem(
            "Unassigned open tickets",
            tickets.unassigned().count(),
            _inbox(assigned="nobody"),
            "Take one: “Assign the selected tickets to me”.",
        ),
        WorkItem(
            "Tickets overdue",
            tickets.overdue().count(),
            _inbox(response="overdue"),
            f"No answer to the seller within {settings.TICKET_FIRST_RESPONSE_HOURS} hours.",
        ),
    ]
