"""Provider staff's changes to who works a ticket and which package it is about; each
is written into the thread as an internal note.
"""

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext

from portal.errors import DomainError
from portal.models import User
from returns.models import FailedPackage
from tickets.models import Ticket
from tickets.service_steps import (
    PACKAGE_MOVING_CATEGORIES,
    locked_ticket,
    staff_name,
    staff_note,
    tracking_number_of,
)

Category = Ticket.Category


@transaction.atomic
def assign_ticket(*, ticket: Ticket, assignee: User | None, actor: User) -> Ticket:
    """Give the ticket to one of its provider's staff (or to nobody)."""
    ticket = locked_ticket(ticket)
    if assignee is not None and not (
        assignee.is_active and assignee.is_staff and assignee.provider_id == ticket.provider_id
    ):
        raise DomainError(
            gettext(
                "%(name)s does not work for %(provider)s, so cannot be given ticket %(reference)s."
            )
            % {
                "name": staff_name(assignee),
                "provider": ticket.provider.name,
                "reference": ticket.reference,
            }
        )
    if ticket.assignee_id == (assignee.pk if assignee else None):
        if assignee:
            refusal = gettext("Ticket %(reference)s is already assigned to %(name)s.")
        else:
            refusal = gettext("Ticket %(reference)s is already unassigned.")
        raise DomainError(
            refusal
            % {"reference": ticket.reference, "name": staff_name(assignee) if assignee else ""}
        )
    previous = ticket.assignee
    Ticket.objects.filter(pk=ticket.pk).update(assignee=assignee)
    if assignee is not None:
        body = gettext("Assigned to %(name)s.") % {"name": staff_name(assignee)}
    else:
        body = gettext("Unassigned (was %(name)s).") % {
            "name": staff_name(previous) if previous else ""
        }
    staff_note(ticket, actor, body, timezone.now())
    ticket.refresh_from_db()
    return ticket


@transaction.atomic
def link_package(*, ticket: Ticket, package: FailedPackage | None, actor: User) -> Ticket:
    """Say which package a question or dispute is about; claims keep the package they moved."""
    ticket = locked_ticket(ticket)
    if ticket.category in PACKAGE_MOVING_CATEGORIES:
        raise DomainError(
            gettext(
                "Ticket %(reference)s (%(category)s) moved its package when it was filed, "
                "so it stays with that package."
            )
            % {
                "reference": ticket.reference,
                "category": Category(ticket.category).label.lower(),
            }
        )
    if package is not None and (
        package.provider_id != ticket.provider_id or package.seller_id != ticket.seller_id
    ):
        raise DomainError(
            gettext("Package %(tracking)s is not one of %(seller)s's packages at %(provider)s.")
            % {
                "tracking": package.tracking_number,
                "seller": ticket.seller.name,
                "provider": ticket.provider.name,
            }
        )
    if ticket.package_id == (package.pk if package else None):
        raise DomainError(
            gettext("Ticket %(reference)s is already linked to that package.")
            % {"reference": ticket.reference}
        )
    previous = ticket.package
    Ticket.objects.filter(pk=ticket.pk).update(package=package)
    if package is not None:
        body = gettext("Linked to package %(tracking)s.") % {"tracking": package.tracking_number}
    else:
        body = gettext("No longer linked to package %(tracking)s.") % {
            "tracking": tracking_number_of(previous)
        }
    staff_note(ticket, actor, body, timezone.now())
    ticket.refresh_from_db()
    return ticket
