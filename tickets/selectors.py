"""What the ticket pages read: always through `for_user`, each in a fixed number of queries."""

from django.db.models import QuerySet

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
