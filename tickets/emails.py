"""One small function per ticket notice, each an outbox row written in the caller's transaction."""

from typing import Any

from django.conf import settings

from returns import links
from returns.models import Notification
from returns.notice_queue import queue_notification, recipient_of
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


def ticket_created(
    ticket: Ticket, message: TicketMessage, *, attachments: list[Attachment] | None = None
) -> Notification:
    key = f"ticket_created:{ticket.reference}"
    return _to_provider(Kind.TICKET_CREATED, ticket, message, key, attachments)


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
