"""The ticket page: the thread, the reply box and the status buttons (DESIGN.md §9).

Each button posts to its own view, which calls `tickets.services` and comes back
to the page, keeping the list filter the agent came from.
"""

from collections.abc import Callable
from typing import TYPE_CHECKING, Any, cast

from django.conf import settings
from django.contrib import admin, messages
from django.contrib.admin.templatetags.admin_urls import add_preserved_filters
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied
from django.db.models.options import Options
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import URLPattern, path, reverse
from django.utils.translation import gettext, pgettext_lazy
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST
from django_stubs_ext import StrOrPromise

from portal.errors import DomainError
from returns.admin.scoping import console_user
from tickets import selectors, services
from tickets.forms import StaffReplyForm
from tickets.models import STAFF_STATUSES, Ticket

Status = Ticket.Status

# The button that moves a ticket to each status, from the page's toolbar.
STATUS_BUTTONS: dict[str, StrOrPromise] = {
    Status.OPEN: _("Reopen"),
    Status.WAITING_ON_SELLER: _("Waiting on the seller"),
    Status.RESOLVED: _("Mark resolved"),
    # Translators: a button that closes a ticket (the verb).
    Status.CLOSED: pgettext_lazy("ticket action", "Close"),
}

if TYPE_CHECKING:
    # The mixin reads the ticket admin it is mixed into (its site, options, permissions).
    _TicketAdmin = admin.ModelAdmin[Ticket]
else:
    _TicketAdmin = object


class ThreadViews(_TicketAdmin):
    """Mixed into TicketAdmin: the page's context, its buttons' views and its reply box."""

    def _console_context(
        self, request: HttpRequest, ticket: Ticket, reply_form: StaffReplyForm | None
    ) -> dict[str, Any]:
        return {
            "ticket": ticket,
            "thread": selectors.thread(ticket, request.user),
            "reply_form": reply_form or _reply_form(ticket),
            "can_change": self.has_change_permission(request, ticket),
            "status_buttons": _status_buttons(ticket),
            "staff_status": STAFF_STATUSES[ticket.status],
            "is_overdue": ticket.is_overdue(),
            "response_hours": settings.TICKET_FIRST_RESPONSE_HOURS,
            "assigned_to_me": ticket.assignee_id == request.user.pk,
        }

    def get_urls(self) -> list[URLPattern]:
        def view(function: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
            return self.admin_site.admin_view(require_POST(function))

        info = f"{self.opts.app_label}_{self.opts.model_name}"
        return [
            path("<path:object_id>/reply/", view(self.reply_view), name=f"{info}_reply"),
            path("<path:object_id>/assign/", view(self.assign_view), name=f"{info}_assign"),
            path("<path:object_id>/status/", view(self.status_view), name=f"{info}_status"),
            *super().get_urls(),
        ]

    def _ticket_to_change(self, request: HttpRequest, object_id: str) -> Ticket:
        # ProviderScopedAdmin.get_object answers 404 rather than None.
        ticket = cast(Ticket, self.get_object(request, unquote(object_id)))
        if not self.has_change_permission(request, ticket):
            raise PermissionDenied
        return ticket

    def _back_to(self, request: HttpRequest, ticket: Ticket) -> HttpResponseRedirect:
        """The ticket page again, keeping the list filter the agent came from."""
        url = reverse("admin:tickets_ticket_change", args=[ticket.pk])
        context: dict[str, Options[Any] | str] = {
            "preserved_filters": self.get_preserved_filters(request),
            "opts": self.opts,
        }
        return HttpResponseRedirect(add_preserved_filters(context, url))

    def reply_view(self, request: HttpRequest, object_id: str) -> HttpResponse:
        ticket = self._ticket_to_change(request, object_id)
        form = _reply_form(ticket, request.POST, request.FILES)
        if not form.is_valid():
            # The ticket page again, with what was typed and the errors. It is rendered
            # as a GET so that the admin shows the details form rather than saving it.
            request.method = "GET"
            return self.change_view(request, object_id, extra_context={"reply_form": form})
        try:
            services.reply_as_staff(
                ticket=ticket,
                author=console_user(request),
                body=form.cleaned_data["body"],
                internal=form.internal,
                files=form.cleaned_data["attachments"],
                status=form.cleaned_data["next_status"] or None,
            )
        except DomainError as error:
            # The ticket moved meanwhile (the seller closed it, say): nothing was sent.
            self.message_user(request, error.message, messages.ERROR)
            return self._back_to(request, ticket)
        if form.internal:
            done = gettext("Internal note added: the seller does not see it and is not emailed.")
        else:
            done = gettext("Reply sent: %(seller)s is emailed at %(email)s.") % {
                "seller": ticket.seller.name,
                "email": ticket.seller.contact_email,
            }
        self.message_user(request, done, messages.SUCCESS)
        return self._back_to(request, ticket)

    def assign_view(self, request: HttpRequest, object_id: str) -> HttpResponse:
        ticket = self._ticket_to_change(request, object_id)
        try:
            user = console_user(request)
            services.assign_ticket(ticket=ticket, assignee=user, actor=user)
        except DomainError as error:
            self.message_user(request, error.message, messages.ERROR)
        else:
            self.message_user(
                request,
                gettext("Ticket %(reference)s is yours.") % {"reference": ticket.reference},
                messages.SUCCESS,
            )
        return self._back_to(request, ticket)

    def status_view(self, request: HttpRequest, object_id: str) -> HttpResponse:
        ticket = self._ticket_to_change(request, object_id)
        status = request.POST.get("status", "")
        if status not in STAFF_STATUSES:
            self.message_user(request, gettext("Choose one of the status buttons."), messages.ERROR)
            return self._back_to(request, ticket)
        try:
            services.change_ticket_status(
                ticket=ticket, status=Status(status), actor=console_user(request)
            )
        except DomainError as error:
            self.message_user(request, error.message, messages.ERROR)
        else:
            self.message_user(
                request,
                gettext("Ticket %(reference)s is now %(status)s.")
                % {"reference": ticket.reference, "status": STAFF_STATUSES[status].lower()},
                messages.SUCCESS,
            )
        return self._back_to(request, ticket)


def _reply_form(ticket: Ticket, *args: Any) -> StaffReplyForm:
    """The reply box, its next status the ticket's own unless the agent picks another.

    Every status is offered, so a move the ticket no longer allows (the seller closed
    it while the agent typed) is refused by the service in words, not as a bad choice.
    """
    statuses = list(STAFF_STATUSES.items())
    return StaffReplyForm(*args, statuses=statuses, initial={"next_status": ticket.status})


def _status_buttons(ticket: Ticket) -> list[tuple[str, StrOrPromise]]:
    buttons: list[tuple[str, StrOrPromise]] = []
    for status, label in STATUS_BUTTONS.items():
        if status not in services.STAFF_MOVES[Status(ticket.status)]:
            continue
        if status == Status.OPEN and ticket.is_open:
            label = gettext("Back to open")  # from waiting on the seller, which is no reopening
        buttons.append((status, label))
    return buttons
