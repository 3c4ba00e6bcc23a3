"""The provider console's ticket inbox (DESIGN.md §9): scoped lists, the thread, replies.

The list is `inbox`, its filters `filters`, the ticket page and its buttons `thread`.

Staff see their own provider's tickets only, through the console's
`ProviderScopedAdmin` (returns.admin.scoping): every list, search, filter,
action and page starts from `get_queryset`, which goes through `for_user`,
and a ticket outside it answers 404. The status is never a form field; it
moves through the page's buttons and the list's actions, which call
`tickets.services`. Messages and attachments are shown on the ticket page
and are not edited or deleted anywhere.
"""

from tickets.admin.inbox import TicketAdmin

__all__ = ["TicketAdmin"]
