"""What the ticket pages read: always through `for_user`, each in a fixed number of queries."""

from typing import NamedTuple

from django.db.models import QuerySet
from django.urls import reverse
from django.utils.http import urlencode

from portal.models import LogisticsProvider, User
from tickets.models import Ticket, TicketMessage


def tickets_for(user) -> QuerySet[Ticket]:
    return Ticket.objects.for_user(user).select_related("package", "provider", "seller")


def thread(ticket: Ticket, user) -> QuerySet[TicketMessage]:
    """The messages of a ticket this user may read (a seller never sees internal notes)."""
    return (
        TicketMessage.objects.for_user(user)
        .filter(ticket=ticket)
        .select_related("author")
        .prefetch_related("attachments")
    )


def providers_for(user) -> QuerySet[LogisticsProvider]:
    """The providers holding this seller's packages: the only ones a seller can write to."""
    return LogisticsProvider.objects.filter(packages__seller_id=user.seller_id).distinct()


def assignable_staff(provider: LogisticsProvider) -> QuerySet[User]:
    """Who may be given a ticket of this provider: its active staff."""
    return User.objects.filter(provider=provider, is_staff=True, is_active=True).order_by(
        "first_name", "email"
    )


class WorkCount(NamedTuple):
    label: str
    count: int
    url: str


def console_work_counts(user) -> list[WorkCount]:
    """The ticket lines of the console's work list, each linking to its filtered inbox."""
    tickets = Ticket.objects.for_user(user)
    inbox = reverse("admin:tickets_ticket_changelist")
    return [
        WorkCount(
            "Unassigned open tickets",
            tickets.unassigned().count(),
            f"{inbox}?{urlencode({'assigned': 'nobody'})}",
        ),
        WorkCount(
            "Overdue tickets (no first answer)",
            tickets.overdue().count(),
            f"{inbox}?{urlencode({'response': 'overdue'})}",
        ),
    ]
