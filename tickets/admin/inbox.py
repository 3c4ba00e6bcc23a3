"""The ticket inbox: the scoped list an agent triages, its columns and its actions."""

import weakref
from collections.abc import Callable
from datetime import datetime
from typing import Any, cast

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.views.main import ChangeList
from django.db.models import Model, QuerySet
from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.html import format_html
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _
from django_stubs_ext import StrOrPromise

from portal.action_messages import report_done_and_skipped
from portal.errors import DomainError
from portal.models import User
from returns.admin import rows
from returns.admin.scoping import ProviderScopedAdmin, console_user
from returns.admin.widgets import OnePassCheckbox, ScopedRawIdWidget
from returns.models import FailedPackage
from tickets import desk, selectors, services
from tickets.admin.filters import AssigneeFilter, ResponseFilter, StatusFilter
from tickets.admin.thread import ThreadViews
from tickets.models import INBOX_ORDERING, STAFF_STATUSES, Ticket

Status = Ticket.Status


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
class TicketAdmin(ThreadViews, OnePassCheckbox, ProviderScopedAdmin, admin.ModelAdmin[Ticket]):
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

    # The requests whose change a service refused (save_model), until their answer is made.
    _refused: "weakref.WeakSet[HttpRequest]" = weakref.WeakSet()

    def get_changelist(self, request: HttpRequest, **kwargs: Any) -> type[ChangeList]:
        return rows.OneReverseChangeList  # two links a row, each made without a URL look-up

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

    def get_form(
        self, request: HttpRequest, obj: Ticket | None = None, change: bool = False, **kwargs: Any
    ) -> type[forms.ModelForm[Ticket]]:
        # The mixin scopes the choices to the user's provider; a ticket narrows them to
        # its own provider's active staff and its seller's packages there.
        form = super().get_form(request, obj, change, **kwargs)
        fields = form.base_fields
        if obj is not None and "assignee" in fields:
            assignee = cast(forms.ModelChoiceField[User], fields["assignee"])
            assignee.queryset = selectors.assignable_staff(obj.provider)
            # An instance attribute Django calls with the user; the stubs know only the method.
            assignee.label_from_instance = _person  # type: ignore[assignment]
        if obj is not None and "package" in fields:
            packages = FailedPackage.objects.for_user(request.user).filter(
                provider=obj.provider, seller=obj.seller
            )
            cast(forms.ModelChoiceField[FailedPackage], fields["package"]).queryset = packages
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

    def save_model(
        self, request: HttpRequest, obj: Ticket, form: forms.ModelForm[Ticket], change: bool
    ) -> None:
        """The form edits the assignee and the package; each change goes through its service."""
        actor = console_user(request)
        changes: dict[str, Callable[[], Ticket]] = {
            "assignee": lambda: services.assign_ticket(
                ticket=obj, assignee=form.cleaned_data["assignee"], actor=actor
            ),
            "package": lambda: services.link_package(
                ticket=obj, package=form.cleaned_data["package"], actor=actor
            ),
        }
        for name in form.changed_data:
            try:
                changes[name]()
            except DomainError as error:
                self.message_user(request, error.message, messages.ERROR)
                self._refused.add(request)

    def response_change(self, request: HttpRequest, obj: Ticket) -> HttpResponse:
        if request in self._refused:
            self._refused.discard(request)
            # The refusal is the page's message: back to the ticket, with no "changed
            # successfully" after it.
            return self._back_to(request, obj)
        return super().response_change(request, obj)

    def render_change_form(
        self,
        request: HttpRequest,
        context: dict[str, Any],
        add: bool = False,
        change: bool = False,
        form_url: str = "",
        obj: Ticket | None = None,
    ) -> HttpResponse:
        if obj is not None:
            context.update(self._console_context(request, obj, context.get("reply_form")))
            context.update(desk.desk_context(request, obj, context["reply_form"]))
        return super().render_change_form(request, context, add, change, form_url, obj)

    # --- columns and read-only fields ---------------------------------------------------

    @admin.display(description=_("status"), ordering="status")
    def staff_status(self, ticket: Ticket) -> StrOrPromise:
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
        report_done_and_skipped(request, done(count), reasons)

    @admin.action(description=_("Assign the selected tickets to me"), permissions=["change"])
    def assign_to_me(self, request: HttpRequest, queryset: QuerySet[Ticket]) -> None:
        user = console_user(request)
        self._each(
            request,
            queryset,
            lambda t: services.assign_ticket(ticket=t, assignee=user, actor=user),
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
                ticket=t, status=Status.RESOLVED, actor=console_user(request)
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
                ticket=t, status=Status.CLOSED, actor=console_user(request)
            ),
            # Translators: a count of tickets just closed, e.g. "2 closed."
            lambda n: ngettext("%(count)s closed.", "%(count)s closed.", n) % {"count": n},
        )


def _person(user: User) -> str:
    return user.get_full_name() or user.email


def _short(moment: datetime) -> str:
    """`26 Nov 09:56`, or `26 Nov 2025` in another year: short enough for a list column."""
    local = timezone.localtime(moment)
    same_year = local.year == timezone.localtime().year
    return date_format(local, "j M H:i" if same_year else "j M Y")
