"""Scheduled jobs of the tickets app (DESIGN.md §11), listed in settings.PORTAL_JOBS."""

from datetime import datetime

from django.utils import timezone

from portal.batches import JobSummary, run_in_batches
from portal.errors import DomainError
from portal.formatting import local_date
from tickets import services
from tickets.models import Ticket


def escalate_overdue_tickets(*, now: datetime | None = None, dry_run: bool = False) -> JobSummary:
    """No staff answer TICKET_FIRST_RESPONSE_HOURS after opening: flagged, provider told once."""
    now = now or timezone.now()
    # The same rows as the `ticket_awaiting_first_response` index, past the cut-off.
    overdue = (
        Ticket.objects.filter(escalated_at__isnull=True)
        .overdue(now)
        .select_related("seller", "provider", "package")
    )
    return run_in_batches(
        "escalate_overdue_tickets",
        overdue,
        lambda ticket: services.escalate_ticket(ticket=ticket, now=now),
        describe=lambda ticket: (
            f"{ticket.reference} ({ticket.seller.name}): unanswered since "
            f"{local_date(ticket.created_at, ticket.seller.time_zone)}; "
            f"tell {ticket.provider.ops_email}"
        ),
        dry_run=dry_run,
        skip_on=(DomainError,),
    )
