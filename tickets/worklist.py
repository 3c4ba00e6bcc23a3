"""The tickets rows of the console's work list (see portal.worklist), scoped to the user."""

from django.conf import settings
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext

from portal.models import User
from portal.worklist import RecentAction, WorkItem
from tickets.models import Ticket, TicketMessage


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


def recent_ticket_messages(user: User, limit: int) -> list[RecentAction]:
    """The replies and notes this user wrote on their provider's tickets."""
    if not user.has_perm("tickets.view_ticket"):
        return []
    messages = (
        TicketMessage.objects.filter(author=user, ticket__in=Ticket.objects.for_user(user))
        .select_related("ticket")
        .order_by("-created_at", "-id")[:limit]
    )
    return [
        RecentAction(
            message.created_at,
            (
                gettext("Internal note on ticket %(reference)s")
                if message.internal
                else gettext("Reply on ticket %(reference)s")
            )
            % {"reference": message.ticket.reference},
            reverse("admin:tickets_ticket_change", args=[message.ticket_id]),
        )
        for message in messages
    ]
