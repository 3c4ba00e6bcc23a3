"""The tickets rows of the console's work list (see portal.worklist), scoped to the user."""

from django.conf import settings
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext

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
            gettext("Unassigned open tickets"),
            tickets.unassigned().count(),
            _inbox(assigned="nobody"),
            # Translators: the quoted words are the name of the list action of that name.
            gettext("Take one: “Assign the selected tickets to me”."),
        ),
        WorkItem(
            gettext("Tickets overdue"),
            tickets.overdue().count(),
            _inbox(response="overdue"),
            gettext("No answer to the seller within %(hours)s hours.")
            % {"hours": settings.TICKET_FIRST_RESPONSE_HOURS},
        ),
    ]
