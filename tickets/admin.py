"""The provider console's ticket inbox (DESIGN.md §9): scoped lists, the thread, replies.

Staff see their own provider's tickets only, through the console's
`ProviderScopedAdmin` (returns.admin.scoping): every list, search, filter,
action and page starts from `get_queryset`, which goes through `for_user`,
and a ticket outside it answers 404. The status is never a form field; it
moves through the page's buttons and the list's actions, which call
`tickets.services`. Messages and attachments are shown on the ticket page
and are not edited or deleted anywhere.
"""

from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.contrib import admin, messages
from django.contrib.admin import ModelAdmin
from django.contrib.admin.templatetags.admin_urls import add_preserved_filters
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied
from django.db.models import Model, QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import URLPattern, path, reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.html import format_html
from django.utils.translation import gettext, ngettext, pgettext_lazy
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from portal.errors import DomainError
from returns.admin.scoping import ProviderScopedAdmin
from returns.admin.widgets import OnePassCheckbox, ScopedRawIdWidget
from returns.models import FailedPackage
from tickets import desk, selectors, services
from tickets.forms import StaffReplyForm
from tickets.models import INBOX_ORDERING, STAFF_STATUSES, Ticket

Status = Ticket.Status

# The button that moves a ticket to each status, from the page's toolbar.
STATUS_BUTTONS = {
    Status.OPEN: _("Reopen"),
    Status.WAITING_ON_SELLER: _("Waiting on the seller"),
    Status.RESOLVED: _("Mark resolved"),
    # Translators: a button that closes a ticket (the verb).
    Status.CLOSED: pgettext_lazy("ticket action", "Close"),
}


class AssigneeFilter(admin.SimpleListFilter):
    title = _("assignee")
    parameter_name = "assigned"

    def lookups(self, request: HttpRequest, model_admin: ModelAdmin[Any]) -> list[tuple[str, str]]:
        return [("nobody", gettext("Unassigned (open)")), ("me", gettext("Assigned to me"))]

    def queryset(self, request: HttpRequest, queryset: QuerySet[Ticket]) -> QuerySet[Ticket]:
        if self.value() == "nobody":
            return queryset.unassigned()
        if self.value() == "me":
            return queryset.filter(assignee=request.user)
        return queryset


class ResponseFilter(admin.SimpleListFilter):
    title = _("first answer")
    parameter_name = "response"

    def lookups(self, request: HttpRequest, model_admin: ModelAdmin[Any]) -> list[tuple[str, str]]:
        return [("overdue", gettext("Overdue")), ("awaiting", gettext("Awaiting a first answer"))]

    def queryset(self, request: HttpRequest, queryset: QuerySet[Ticket]) -> QuerySet[Ticket]:
        if self.value() == "overdue":
            return queryset.overdue()
        if self.value() == "awaiting":
            return queryset.filter(status=Status.OPEN, first_response_at__isnull=True)
        return queryset


class StatusFilter(admin.SimpleListFilter):
    title = _("status")
    parameter_name = "status"

    def lookups(self, request: HttpRequest, model_admin: ModelAdmin[Any]) -> list[tuple[str, str]]:
        return list(STAFF_STATUSES.items())

    def queryset(self, request: HttpRequest, queryset: QuerySet[Ticket]) -> QuerySet[Ticket]:
        if self.value() in STAFF_STATUSES:
            return queryset.filter(status=self.value())
        return queryset


HANDLING_FIELDS = [
    "staff_status",
    "assignee",
    "opened_by",
    "first_response_at",
    "escalated_at",
    "resolved_at",
    "closed_at",
    "last_activity_at",
]
ARRANGEMENT_FIELDS = ["delivery_address", "contact_phone", "preferred_date", "preferred_time"]


@admin.register(Ticket)
class TicketAdmin(OnePassCheckbox, ProviderScopedAdmin, admin.ModelAdmin):
    # What an agent triages by comes first; the rest may scroll on a narrow screen.
    list_display = [
        "reference",
        "subject",
        "staff_status",
        "overdue",
        "assignee_name",
        "seller",
        "package",
        "category",
        # No "created" column: the overdue flag gives an unanswered ticket's age, and
        # with it the inbox was wider than a 1280-px screen.
        "last_activity",
    ]
    list_display_links = ["reference", "subject"]
    list_filter = [AssigneeFilter, ResponseFilter, StatusFilter, "category"]
    list_select_related = ["seller", "package", "assignee"]
    search_fields = ["=reference", "subject", "=package__tracking_number"]
    search_help_text = _("A whole ticket reference or tracking number, or words from the subject.")
    show_full_result_count = False
    list_per_page = 50
    ordering = INBOX_ORDERING
    actions = ["assign_to_me", "mark_resolved", "close"]
    change_form_template = "admin/tickets/ticket/change_form.html"
    view_on_site = False  # the seller's page, which staff cannot open

    class Media:
        css = {"all": ["css/ticket_inbox.css"]}

    # --- scoping ----------------------------------------------------------------------

    def get_queryset(self, request: HttpRequest) -> QuerySet[Ticket]:
        return (
            super()
            .get_queryset(request)
            .select_related("seller", "provider", "package", "assignee")
        )

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # sellers open tickets, with their first message and the package's claim

    def has_delete_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return False  # the conversation is the record of what was agreed

    def get_form(self, request: HttpRequest, obj: Ticket | None = None, **kwargs: Any):
        # The mixin scopes the choices to the user's provider; a ticket narrows them to
        # its own provider's active staff and its seller's packages there.
        form = super().get_form(request, obj, **kwargs)
        fields = form.base_fields
        if obj is not None and "assignee" in fields:
            fields["assignee"].queryset = selectors.assignable_staff(obj.provider)
            fields["assignee"].label_from_instance = _person
        if obj is not None and "package" in fields:
            packages = FailedPackage.objects.for_user(request.user).filter(
                provider=obj.provider, seller=obj.seller
            )
            fields["package"].queryset = packages
            # An id and a lookup among the seller's packages: a <select> of them all was
            # most of the page (5,000 options, 286 ms of CPU).
            fields["package"].widget = ScopedRawIdWidget(
                Ticket._meta.get_field("package").remote_field,
                self.admin_site,
                queryset=packages,
                lookup={"seller": str(obj.seller_id)},
            )
        return form

    # --- the ticket page --------------------------------------------------------------

    def get_fieldsets(self, request: HttpRequest, obj: Ticket | None = None) -> list[Any]:
        fieldsets = [
            (None, {"fields": ["reference", "subject", "seller_contact", "package", "category"]}),
            (_("Handling"), {"fields": HANDLING_FIELDS}),
        ]
        if obj is not None and any(getattr(obj, name) for name in ARRANGEMENT_FIELDS):
            fieldsets.insert(1, (_("What the seller asked for"), {"fields": ARRANGEMENT_FIELDS}))
        return fieldsets

    def get_readonly_fields(self, request: HttpRequest, obj: Ticket | None = None) -> list[str]:
        editable = {"assignee"}
        if obj is not None and obj.category not in services.PACKAGE_MOVING_CATEGORIES:
            editable.add("package")  # a question or dispute may be about a package found later
        every = ["reference", "subject", "seller_contact", "package", "category"]
        every += HANDLING_FIELDS + ARRANGEMENT_FIELDS
        return [name for name in every if name not in editable]

    def save_model(self, request: HttpRequest, obj: Ticket, form, change: bool) -> None:
        """The form edits the assignee and the package; each change goes through its service."""
        changes: dict[str, Callable[[], Ticket]] = {
            "assignee": lambda: services.assign_ticket(
                ticket=obj, assignee=form.cleaned_data["assignee"], actor=request.user
            ),
            "package": lambda: services.link_package(
                ticket=obj, package=form.cleaned_data["package"], actor=request.user
            ),
        }
        for name in form.changed_data:
            try:
                changes[name]()
            except DomainError as error:
                self.message_user(request, error.message, messages.ERROR)

    def render_change_form(
        self,
        request: HttpRequest,
        context,
        add: bool = False,
        change: bool = False,
        form_url: str = "",
        obj=None,
    ):
        if obj is not None:
            context.update(self._console_context(request, obj, context.get("reply_form")))
            context.update(desk.desk_context(request, obj, context["reply_form"]))
        return super().render_change_form(request, context, add, change, form_url, obj)

    def _console_context(self, request: HttpRequest, ticket: Ticket, reply_form) -> dict[str, Any]:
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

    # --- columns and read-only fields ---------------------------------------------------

    @admin.display(description=_("status"), ordering="status")
    def staff_status(self, ticket: Ticket) -> str:
        return STAFF_STATUSES[ticket.status]

    @admin.display(description=_("overdue"))
    def overdue(self, ticket: Ticket) -> str:
        if not ticket.is_overdue():
            return ""
        waited = (timezone.now() - ticket.created_at).total_seconds() // 3600
        # Translators: a ticket unanswered for this many hours; "h" is short for hours.
        label = gettext("Overdue · %(hours)s h") % {"hours": int(waited)}
        return format_html('<span class="ticket-overdue">{}</span>', label)

    @admin.display(description=_("last activity"), ordering="last_activity_at")
    def last_activity(self, ticket: Ticket) -> str:
        return _short(ticket.last_activity_at)

    # Plain text, not links: the seller and user admins a foreign key would link to are
    # the operators'.
    # The name, not the email: an address cannot wrap, and it widened the inbox past 1280 px.
    @admin.display(description=_("assignee"), ordering="assignee__first_name")
    def assignee_name(self, ticket: Ticket) -> str:
        if ticket.assignee is None:
            return self.get_empty_value_display()
        return _person(ticket.assignee)

    @admin.display(description=_("seller"))
    def seller_contact(self, ticket: Ticket) -> str:
        return f"{ticket.seller} · {ticket.seller.contact_email}"

    @admin.display(description=_("opened by"))
    def opened_by(self, ticket: Ticket) -> str:
        return ticket.created_by.email if ticket.created_by else ""

    # --- the page's buttons and reply box ---------------------------------------------

    def get_urls(self) -> list[URLPattern]:
        def view(function):
            return self.admin_site.admin_view(require_POST(function))

        info = f"{self.opts.app_label}_{self.opts.model_name}"
        return [
            path("<path:object_id>/reply/", view(self.reply_view), name=f"{info}_reply"),
            path("<path:object_id>/assign/", view(self.assign_view), name=f"{info}_assign"),
            path("<path:object_id>/status/", view(self.status_view), name=f"{info}_status"),
            *super().get_urls(),
        ]

    def _ticket_to_change(self, request: HttpRequest, object_id: str) -> Ticket:
        ticket = self.get_object(request, unquote(object_id))
        if not self.has_change_permission(request, ticket):
            raise PermissionDenied
        return ticket

    def _back_to(self, request: HttpRequest, ticket: Ticket) -> HttpResponseRedirect:
        """The ticket page again, keeping the list filter the agent came from."""
        url = reverse("admin:tickets_ticket_change", args=[ticket.pk])
        context = {"preserved_filters": self.get_preserved_filters(request), "opts": self.opts}
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
                author=request.user,
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
            services.assign_ticket(ticket=ticket, assignee=request.user, actor=request.user)
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
            services.change_ticket_status(ticket=ticket, status=status, actor=request.user)
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

    # --- list actions -----------------------------------------------------------------

    def _each(
        self,
        request: HttpRequest,
        queryset: QuerySet[Ticket],
        change: Callable[[Ticket], object],
        done: Callable[[int], str],
    ) -> None:
        """Apply `change` to each selected ticket; report how many were done and why others not."""
        reasons = []
        count = 0
        for ticket in queryset.order_by("pk"):
            try:
                change(ticket)
            except DomainError as error:
                reasons.append(error.message)
            else:
                count += 1
        report = done(count)
        if reasons:
            # Translators: done is the sentence before, e.g. "1 closed."; reasons are sentences.
            report = ngettext(
                "%(done)s %(count)s skipped: %(reasons)s",
                "%(done)s %(count)s skipped: %(reasons)s",
                len(reasons),
            ) % {"done": report, "count": len(reasons), "reasons": " ".join(reasons)}
        self.message_user(request, report, messages.WARNING if reasons else messages.SUCCESS)

    @admin.action(description=_("Assign the selected tickets to me"), permissions=["change"])
    def assign_to_me(self, request: HttpRequest, queryset: QuerySet[Ticket]) -> None:
        self._each(
            request,
            queryset,
            lambda t: services.assign_ticket(ticket=t, assignee=request.user, actor=request.user),
            lambda n: (
                ngettext("%(count)s assigned to you.", "%(count)s assigned to you.", n)
                % {"count": n}
            ),
        )

    @admin.action(description=_("Mark the selected tickets resolved"), permissions=["change"])
    def mark_resolved(self, request: HttpRequest, queryset: QuerySet[Ticket]) -> None:
        self._each(
            request,
            queryset,
            lambda t: services.change_ticket_status(
                ticket=t, status=Status.RESOLVED, actor=request.user
            ),
            lambda n: (
                ngettext("%(count)s marked resolved.", "%(count)s marked resolved.", n)
                % {"count": n}
            ),
        )

    @admin.action(description=_("Close the selected tickets"), permissions=["change"])
    def close(self, request: HttpRequest, queryset: QuerySet[Ticket]) -> None:
        self._each(
            request,
            queryset,
            lambda t: services.change_ticket_status(
                ticket=t, status=Status.CLOSED, actor=request.user
            ),
            # Translators: a count of tickets just closed, e.g. "2 closed."
            lambda n: ngettext("%(count)s closed.", "%(count)s closed.", n) % {"count": n},
        )


def _reply_form(ticket: Ticket, *args: Any) -> StaffReplyForm:
    """The reply box, its next status the ticket's own unless the agent picks another.

    Every status is offered, so a move the ticket no longer allows (the seller closed
    it while the agent typed) is refused by the service in words, not as a bad choice.
    """
    statuses = list(STAFF_STATUSES.items())
    return StaffReplyForm(*args, statuses=statuses, initial={"next_status": ticket.status})


def _status_buttons(ticket: Ticket) -> list[tuple[str, str]]:
    buttons = []
    for status, label in STATUS_BUTTONS.items():
        if status not in services.STAFF_MOVES[ticket.status]:
            continue
        if status == Status.OPEN and ticket.is_open:
            label = gettext("Back to open")  # from waiting on the seller, which is no reopening
        buttons.append((status, label))
    return buttons


def _person(user) -> str:
    return user.get_full_name() or user.email


def _short(moment) -> str:
    """`26 Nov 09:56`, or `26 Nov 2025` in another year: short enough for a list column."""
    local = timezone.localtime(moment)
    same_year = local.year == timezone.localtime().year
    return date_format(local, "j M H:i" if same_year else "j M Y")
