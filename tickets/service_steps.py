"""Steps the ticket services share: the ticket's row lock, the staff's notes in the
thread, a message's files, and the rule of one open claim ticket per package.
"""

from collections.abc import Sequence
from datetime import datetime

from django.utils.translation import gettext

from portal.errors import DomainError
from portal.models import User
from returns.models import FailedPackage
from tickets.attachments import CheckedUpload
from tickets.models import CLAIM_CATEGORIES, Attachment, Ticket, TicketMessage

# Tickets that claim or release their package when they are filed.
PACKAGE_MOVING_CATEGORIES = [*CLAIM_CATEGORIES, Ticket.Category.NOT_NEEDED]


class DuplicateClaimError(DomainError):
    """The package already has an open ticket asking for it back; `ticket` is that one."""

    def __init__(self, ticket: Ticket) -> None:
        super().__init__(
            gettext(
                "Package %(tracking)s already has an open ticket, %(reference)s, asking for it "
                "back. Add what you need to that ticket instead."
            )
            % {"tracking": tracking_number_of(ticket.package), "reference": ticket.reference}
        )
        self.ticket = ticket


def tracking_number_of(package: FailedPackage | None) -> str:
    # A claim ticket and an unlinked ticket's old package always have one.
    return package.tracking_number if package is not None else ""


def refuse_second_claim(package: FailedPackage) -> None:
    existing = (
        Ticket.objects.open()
        .filter(package=package, category__in=CLAIM_CATEGORIES)
        .select_related("package")
        .first()
    )
    if existing is not None:
        raise DuplicateClaimError(existing)


def attach(message: TicketMessage, files: Sequence[CheckedUpload]) -> None:
    for upload in files:
        attachment = Attachment(
            message=message,
            original_name=upload.name[:200],
            content_type=upload.content_type,
            size=upload.file.size or 0,
        )
        # Written to disk before commit: a rollback leaves an orphan file, never a
        # row without its file.
        attachment.file.save(upload.name, upload.file, save=False)
        attachment.save()


def locked_ticket(ticket: Ticket) -> Ticket:
    # Only the ticket row is locked: PostgreSQL cannot lock the optional package's side
    # of the join, and replies need no lock on it.
    locked: Ticket = (
        Ticket.objects.select_for_update(of=("self",))
        .select_related("seller", "provider", "package")
        .get(pk=ticket.pk)
    )
    return locked


def staff_note(ticket: Ticket, actor: User, body: str, now: datetime) -> TicketMessage:
    return TicketMessage.objects.create(
        ticket=ticket, author=actor, body=body, internal=True, created_at=now
    )


def staff_name(user: User) -> str:
    return user.get_full_name() or user.email
