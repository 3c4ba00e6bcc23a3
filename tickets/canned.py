"""Canned replies: a provider's stock answers, worded for the ticket they are put into.

A reply's text may name {tracking_number}, {deadline} and {provider_phone};
`fill` puts in the ticket's values. The braces are read by one pattern, never
by `str.format`, so a text cannot reach into the objects behind the values.
"""

import re

from django.db.models import QuerySet
from django.utils import translation
from django.utils.translation import gettext, gettext_lazy

from portal import formatting
from portal.models import LogisticsProvider, User
from tickets.models import CannedReply, Ticket

PLACEHOLDER = re.compile(r"\{([^{}]*)\}")

# Each placeholder and what it stands for, as the form's help lists them.
PLACEHOLDERS = {
    "tracking_number": gettext_lazy("the package's tracking number"),
    "deadline": gettext_lazy("its claim deadline, in the seller's time zone and language"),
    "provider_phone": gettext_lazy("your support phone number"),
}


def unknown_placeholders(text: str) -> list[str]:
    """The names in braces that are no placeholder, in the order they appear, each once."""
    found = [name for name in PLACEHOLDER.findall(text) if name not in PLACEHOLDERS]
    return list(dict.fromkeys(found))


def replies_for(user: User, provider: LogisticsProvider) -> QuerySet[CannedReply]:
    """The canned replies this user may put into a ticket of `provider`."""
    return CannedReply.objects.for_user(user).filter(provider=provider).order_by("title", "pk")


def _values(ticket: Ticket) -> dict[str, str]:
    package = ticket.package
    tracking = package.tracking_number if package else gettext("[no package on this ticket]")
    if package is not None and package.claim_deadline is not None:
        # The seller reads the reply: their zone, in their language.
        with translation.override(ticket.seller.language or None):
            deadline = formatting.local_datetime(package.claim_deadline, ticket.seller.time_zone)
    else:
        deadline = gettext("[no claim deadline]")
    return {
        "tracking_number": tracking,
        "deadline": deadline,
        "provider_phone": ticket.provider.support_phone,
    }


def fill(text: str, ticket: Ticket) -> str:
    """The reply's text with this ticket's values; an unknown name is left as written."""
    values = _values(ticket)
    return PLACEHOLDER.sub(lambda match: values.get(match.group(1), match.group(0)), text)
