"""The one-click actions of a notice, taken without signing in (returns.action_links).

Here rather than in `returns`: sending a package back files a send-back ticket,
and a ticket and its claim are one transaction (as `services.open_ticket`).
"""

from datetime import datetime

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext

from portal.errors import DomainError
from portal.formatting import local_date
from portal.models import ReturnAddress
from returns import action_links
from returns.models import ActionLink, Channel, FailedPackage
from returns.refusals import explain_state
from returns.services import release_package, undo_standing_instruction
from returns.state_change import locking
from tickets.models import Ticket
from tickets.services import SendBackAddress, close_undone_rule_ticket, open_send_back_ticket

Action = ActionLink.Action


@transaction.atomic
def act_by_link(*, link: ActionLink, address: SendBackAddress | None = None) -> Ticket | None:
    """Take the link's action; the send-back ticket it files, or None for a release.

    1. The link row is locked, so a second click of the same link waits here, then
       finds it used; the package is read again under its own lock.
    2. A used, expired or stale link is refused with the package's state in words.
    3. The link is marked used and the package moves through `returns.services`, in
       this transaction: a refused move leaves the link unused.
    """
    now = timezone.now()
    link = ActionLink.objects.select_for_update().get(pk=link.pk)
    package = locking(FailedPackage.objects.filter(pk=link.package_id)).get()
    link.package = package
    if not action_links.is_usable(link, now):
        raise DomainError(why_refused(link, now))
    action_links.use(link, now)
    if link.action == Action.LET_GO:
        release_package(package=package, actor=None, channel=Channel.EMAIL)
        return None
    if link.action == Action.UNDO:
        _undo(package, now)
        return None
    if address is None:
        raise DomainError(gettext("Say where the package should be sent back to."))
    return open_send_back_ticket(package, address)


def _undo(package: FailedPackage, now: datetime) -> None:
    """The rule's decision goes back to the seller; the rule's send-back ticket is closed."""
    reference = undo_standing_instruction(package=package, actor=None, channel=Channel.EMAIL)
    if not reference:
        return
    close_undone_rule_ticket(reference=reference, now=now)


def why_refused(link: ActionLink, now: datetime) -> str:
    package = link.package
    if link.action == Action.UNDO:
        if now > link.expires_at:
            return gettext(
                "The standing instruction's decision for package %(tracking)s could be undone "
                "until %(deadline)s; call %(provider)s on %(phone)s."
            ) % {
                "tracking": package.tracking_number,
                "deadline": local_date(link.expires_at, package.seller.time_zone),
                "provider": package.provider.name,
                "phone": package.provider.support_phone,
            }
        if package.status == FailedPackage.Status.AWAITING_SELLER:
            return gettext(
                "Package %(tracking)s is already waiting for your decision again. "
                "Sign in to see it and decide."
            ) % {"tracking": package.tracking_number}
    deadline = package.claim_deadline
    if package.status == FailedPackage.Status.AWAITING_SELLER and deadline and now <= deadline:
        # Waiting again, but not since this notice (its deadline moved): the link is stale.
        return gettext(
            "This link is out of date: package %(tracking)s has changed since the email was "
            "sent. Sign in to see it and decide."
        ) % {"tracking": package.tracking_number}
    return explain_state(package, now)


def open_rule_ticket(
    package: FailedPackage, address: ReturnAddress, rule: str, channel: str
) -> Ticket:
    """The send-back ticket of a standing instruction (returns.instructions), to the
    seller's default return address; it claims the package in the caller's transaction."""
    return open_send_back_ticket(
        package,
        SendBackAddress(address.contact_name, address.phone, address.address),
        rule=rule,
        channel=channel,
    )
