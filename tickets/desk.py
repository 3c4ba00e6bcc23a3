"""The ticket page's desk: the package card and the canned replies (DESIGN.md §9).

Additions to the ticket page of `tickets.admin`, kept apart from it: the card
shows the ticket's package as the agent needs it on the phone (state, the
deadline in both zones, the bin) with the buttons its state allows; those
buttons post the package list's own actions, so every change still goes
through `returns.services` and comes back to the ticket.
"""

from dataclasses import dataclass
from typing import Any

from django.contrib import admin
from django.http import Http404, HttpRequest
from django.urls import reverse

from portal import formatting
from portal.tenancy import Viewer
from returns.admin.package_actions import ACTIONS_FOR_STATUS
from returns.admin.scoping import console_user
from returns.models import STAFF_STATES, FailedPackage
from tickets import canned
from tickets.forms import StaffReplyForm
from tickets.models import Ticket


@dataclass(frozen=True)
class PackageCard:
    package: FailedPackage
    state: str
    deadline_provider: str  # in the provider's zone, where the agent works
    deadline_seller: str  # in the seller's zone, as the seller reads it
    time_left: str
    actions: list[tuple[str, str]]  # (action name, button label)
    package_url: str
    actions_url: str
    certificate_url: str


def package_card(request: HttpRequest, ticket: Ticket) -> PackageCard | None:
    """The ticket's package as a card, or None for a ticket about no package.

    The seller's zone is the ticket's seller's (a ticket's package is always its
    seller's), so the card costs no query beyond the page's own.
    """
    package = ticket.package
    if package is None:
        return None
    package_admin = admin.site.get_model_admin(FailedPackage)
    allowed = package_admin.get_actions(request)
    names = ACTIONS_FOR_STATUS.get(FailedPackage.Status(package.status), [])
    waiting = package.status == FailedPackage.Status.AWAITING_SELLER
    deadline = package.claim_deadline if waiting else None
    destroyed = package.status == FailedPackage.Status.DESTROYED
    return PackageCard(
        package=package,
        state=STAFF_STATES[package.status].capitalize(),
        deadline_provider=(
            formatting.local_datetime(deadline, ticket.provider.time_zone) if deadline else ""
        ),
        deadline_seller=(
            formatting.local_datetime(deadline, ticket.seller.time_zone) if deadline else ""
        ),
        time_left=formatting.time_left(deadline) if deadline else "",
        actions=[(name, action[2].rstrip("…")) for name in names if (action := allowed.get(name))],
        package_url=reverse("admin:returns_failedpackage_change", args=[package.pk]),
        actions_url=reverse("admin:returns_failedpackage_changelist"),
        certificate_url=(
            reverse("returns:certificate_pdf", args=[package.public_id]) if destroyed else ""
        ),
    )


def desk_context(
    request: HttpRequest, ticket: Ticket, reply_form: StaffReplyForm
) -> dict[str, Any]:
    """What the desk adds to the ticket page's context.

    `?canned=<id>` (the canned-reply picker without script) fills the reply box
    with that reply, worded for this ticket; another provider's reply is a 404.
    """
    user = console_user(request)
    replies = list(canned.replies_for(user, ticket.provider))
    chosen = request.GET.get("canned", "")
    if chosen and not reply_form.is_bound:
        # One of the replies listed, so taken from them rather than read again.
        reply = next((each for each in replies if each.pk == _number(chosen)), None)
        if reply is None:
            raise Http404
        reply_form.initial["body"] = canned.fill(reply.body, ticket)
    return {
        "package_card": package_card(request, ticket),
        "canned_replies": [(reply, canned.fill(reply.body, ticket)) for reply in replies],
        "can_edit_canned": user.has_perm("tickets.change_cannedreply"),
    }


def _number(value: str) -> int:
    # A non-number is no reply at all: the lookup then finds nothing and answers 404.
    return int(value) if value.isdigit() else 0


def package_panel(user: Viewer, package: FailedPackage) -> tuple[str, Ticket] | None:
    """The console's package page: where the package goes back to, from its latest
    send-back ticket (returns' CONSOLE_PACKAGE_PANELS), scoped like the inbox."""
    ticket = (
        Ticket.objects.for_user(user)
        .filter(package=package, category=Ticket.Category.SEND_BACK)
        .exclude(delivery_address="")
        .order_by("-created_at", "-pk")
        .first()
    )
    if ticket is None:
        return None
    return "admin/tickets/ticket/_send_back_address.html", ticket
