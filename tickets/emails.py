"""One small function per ticket notice, each an outbox row written in the caller's transaction."""

from typing import Any

from django.conf import settings

from returns import links
from returns.models import FailedPackage, Notification
from returns.notice_queue import Unrendered, queue_notification, recipient_of
from tickets.models import Attachment, Ticket, TicketMessage

Kind = Notification.Kind


def _admin_ticket_url(ticket: Ticket) -> str:
    # The provider console is the Django admin; this is its standard change page.
    language = recipient_of(None, ticket.provider)
    return links.link(f"/admin/tickets/ticket/{ticket.pk}/change/", language)


def _context(
    ticket: Ticket,
    message: TicketMessage | None,
    *,
    for_seller: bool,
    attachments: list[Attachment] | None = None,
    **extra: Any,
) -> dict[str, Any]:
    """What a ticket notice shows; its links open in the recipient's language. The
    message's `attachments` are read unless the caller knows them."""
    language = recipient_of(ticket.seller if for_seller else None, ticket.provider)
    if attachments is None:
        attachments = list(message.attachments.all()) if message is not None else []
    return {
        "ticket": ticket,
        "message": message,
        "attachments": attachments,
        "seller": ticket.seller,
        "provider": ticket.provider,
        "package": ticket.package,
        "zone": ticket.seller.time_zone,
        "ticket_url": links.ticket_url(ticket.reference, language=language),
        "for_seller": for_seller,
        **extra,
    }


def _to_provider(
    kind: Notification.Kind,
    ticket: Ticket,
    message: TicketMessage,
    key: str,
    attachments: list[Attachment] | None = None,
) -> Notification:
    return queue_notification(
        kind=kind,
        provider=ticket.provider,
        seller=None,
        to_email=ticket.provider.ops_email,
        dedupe_key=key,
        package=ticket.package,
        ticket_reference=ticket.reference,
        context=_context(
            ticket,
            message,
            admin_url=_admin_ticket_url(ticket),
            for_seller=False,
            attachments=attachments,
        ),
    )


def _created_key(reference: str) -> str:
    return f"ticket_created:{reference}"


def ticket_created(
    ticket: Ticket, message: TicketMessage, *, attachments: list[Attachment] | None = None
) -> Notification:
    return _to_provider(
        Kind.TICKET_CREATED, ticket, message, _created_key(ticket.reference), attachments
    )


def ticket_created_unrendered(reference: str) -> Unrendered:
    """`ticket_created` for a send-back ticket filed without a sign-in (a standing
    instruction on the intake API's busiest event, a one-click link): written unrendered,
    as the rule's own notices are (and with them, by a rule), and rendered by the outbox
    as it sends it (`deferred_ticket_created_context`). Only the reference is needed:
    the row may be written before the ticket, in the same transaction."""
    return Unrendered(
        Kind.TICKET_CREATED, ticket_reference=reference, dedupe_key=_created_key(reference)
    )


def deferred_ticket_created_context(reference: str, package: FailedPackage) -> dict[str, Any]:
    """What an unrendered `ticket_created` shows, as `ticket_created` shows it: the ticket
    and its opening message as they are when the notice is sent (two queries, and one
    for the message's attachments)."""
    ticket = Ticket.objects.select_related("seller", "provider").get(reference=reference)
    ticket.package = package  # read with the outbox's batch
    opening = ticket.messages.filter(internal=False).select_related("author").first()
    return _context(ticket, opening, admin_url=_admin_ticket_url(ticket), for_seller=False)


def seller_replied(ticket: Ticket, message: TicketMessage) -> Notification:
    return _to_provider(Kind.TICKET_REPLY, ticket, message, f"ticket_reply:{message.pk}")


def staff_replied(ticket: Ticket, message: TicketMessage) -> Notification:
    return queue_notification(
        kind=Kind.TICKET_REPLY,
        provider=ticket.provider,
        seller=ticket.seller,
        to_email=ticket.seller.contact_email,
        dedupe_key=f"ticket_reply:{message.pk}",
        package=ticket.package,
        ticket_reference=ticket.reference,
        context=_context(ticket, message, for_seller=True),
    )


def ticket_overdue(ticket: Ticket, *, waiting_hours: int) -> Notification:
    """No staff answer within TICKET_FIRST_RESPONSE_HOURS: the provider is told, once per ticket."""
    opening = ticket.messages.filter(internal=False).select_related("author").first()
    return queue_notification(
        kind=Kind.TICKET_OVERDUE,
        provider=ticket.provider,
        seller=None,
        to_email=ticket.provider.ops_email,
        dedupe_key=f"ticket_overdue:{ticket.reference}",
        package=ticket.package,
        ticket_reference=ticket.reference,
        context=_context(
            ticket,
            opening,
            admin_url=_admin_ticket_url(ticket),
            for_seller=False,
            response_hours=settings.TICKET_FIRST_RESPONSE_HOURS,
            waiting_hours=waiting_hours,
        ),
    )
