"""Packages in the console: the list an agent works from and the package page; its filters
are in `package_filters`, the CSV upload in `package_import`.

A package's status is never a form field: it changes only through the list's
actions and the buttons on its page, which call the services.
"""

from collections.abc import Callable
from typing import Any, TypeAlias

from django import forms
from django.conf import settings
from django.contrib import admin
from django.contrib.admin.views.main import ChangeList
from django.db.models import Model, QuerySet
from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import lazy
from django.utils.html import format_html
from django.utils.module_loading import import_string
from django.utils.safestring import SafeString
from django.utils.text import format_lazy
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from portal import formatting
from returns import delivery
from returns.admin import rows
from returns.admin.floor import FloorViews
from returns.admin.package_actions import PACKAGE_ACTIONS
from returns.admin.package_filters import DeadlineFilter, DestructionFilter, StatusFilter
from returns.admin.package_import import PackageImportViews
from returns.admin.paging import CappedPaginator
from returns.admin.scoping import ProviderScopedAdmin, ReadOnly, SellerFilter
from returns.admin.search import PrefixSearch
from returns.admin.widgets import OnePassCheckbox
from returns.models import (
    EDITABLE_DETAILS,
    Channel,
    DeliveryAttempt,
    FailedPackage,
    PackageEvent,
)
from returns.staff_words import badge

Status = FailedPackage.Status
# A column of the package list: a field or method name, or a function of the package.
Column: TypeAlias = str | Callable[[FailedPackage], str | bool]

ATTEMPT_FIELDS = ("number", "attempted_at", "outcome", "failure_reason", "courier_note")
EVENT_FIELDS = ("created_at", "action", "from_status", "to_status", "channel", "by", "what")


class AttemptInline(ReadOnly, admin.TabularInline[DeliveryAttempt, FailedPackage]):
    model = DeliveryAttempt
    fields = readonly_fields = ATTEMPT_FIELDS
    extra = 0


class EventInline(ReadOnly, admin.TabularInline[PackageEvent, FailedPackage]):
    model = PackageEvent
    fields = readonly_fields = EVENT_FIELDS
    extra = 0

    def get_queryset(self, request: HttpRequest) -> QuerySet[PackageEvent]:
        return super().get_queryset(request).select_related("actor")

    # Plain text: the user admin, which a foreign key would link to, is the operators'.
    @admin.display(description=_("actor"))
    def by(self, event: PackageEvent) -> str:
        return event.actor.email if event.actor else self.get_empty_value_display()

    @admin.display(description=_("detail"))
    def what(self, event: PackageEvent) -> str:
        return event.description()


# What a row of the list shows (FailedPackageAdmin.list_display, the operators' provider
# column included): read alone, the rows cost 6–9 % less CPU than with every column of the
# package, its seller and its provider.
ROW_COLUMNS = (
    "tracking_number",
    "status",
    "destruction_overdue_at",
    "reason",
    "claim_deadline",
    "warehouse_location",
    "seller__name",
    "seller__time_zone",
    "provider__name",
)


class PackageChangeList(rows.OneReverseChangeList):
    """The package list, its rows read with the columns they show."""

    def get_results(self, request: HttpRequest) -> None:
        # The page's rows only: an action is given the whole rows (`get_queryset`).
        listed = self.queryset
        self.queryset = listed.only(*ROW_COLUMNS)
        try:
            super().get_results(request)
        finally:
            self.queryset = listed


STATE_FIELDS = (
    "status_label",
    "reason",
    "deadline_in_zone",
    "registered_at",
    "failed_at",
    "reminded_at",
    "claimed_at",
    "released_at",
    "returned_at",
    "destruction_requested_at",
    "destruction_overdue_at",
)
DESTRUCTION_FIELDS = (
    "destroyed_at",
    "destruction_reference",
    "destruction_method",
    "destroyed_by_email",
    "photo_link",
)


@admin.register(FailedPackage)
class FailedPackageAdmin(
    PackageImportViews,
    FloorViews,
    ProviderScopedAdmin,
    PrefixSearch,
    OnePassCheckbox,
    admin.ModelAdmin[FailedPackage],
):
    list_display = [
        "tracking_number",
        "seller_name",
        "status_label",
        "reason",
        "deadline",
        "time_left",
        "location",
    ]
    list_filter = [
        StatusFilter,
        "reason",
        DeadlineFilter,
        DestructionFilter,
        SellerFilter,
        "provider",
    ]
    list_select_related = ["seller", "provider"]
    search_fields = prefix_search_fields = ["tracking_number", "order_id"]
    search_help_text = _("The start of a tracking number or order id, or part of a seller's name.")
    show_full_result_count = False
    # A provider holds hundreds of thousands of packages: an exact count is a scan.
    paginator = CappedPaginator
    # Facet counts are one more count per filter choice, over the whole table.
    show_facets = admin.ShowFacets.NEVER
    list_per_page = 50
    actions = PACKAGE_ACTIONS
    fieldsets = [
        (None, {"fields": ["tracking_number", "public_id", "seller_card", "provider_name"]}),
        (_("Order"), {"fields": ["order_id", "return_id"]}),
        (
            _("Contents"),
            {"fields": tuple(EDITABLE_DETAILS)},
        ),
        (
            _("State"),
            {
                "fields": STATE_FIELDS,
                "description": format_lazy(
                    _("Times in {zone}; the claim deadline in the seller's time zone."),
                    zone=lazy(timezone.get_current_timezone_name, str)(),
                ),
            },
        ),
        (_("Destruction"), {"fields": DESTRUCTION_FIELDS, "classes": ["collapse"]}),
    ]
    readonly_fields = [
        "tracking_number",
        "public_id",
        "seller_card",
        "provider_name",
        "order_id",
        "return_id",
        *STATE_FIELDS,
        *DESTRUCTION_FIELDS,
    ]
    inlines = [AttemptInline, EventInline]

    def get_changelist(self, request: HttpRequest, **kwargs: Any) -> type[ChangeList]:
        return PackageChangeList

    def get_list_display(self, request: HttpRequest) -> list[Column] | tuple[Column, ...]:
        if request.user.is_superuser:
            return [*self.list_display[:2], "provider", *self.list_display[2:]]
        return self.list_display

    @admin.display(description=_("seller"), ordering="seller__name")
    def seller_name(self, package: FailedPackage) -> str:
        return package.seller.name

    @admin.display(description=_("status"), ordering="work_rank")
    def status_label(self, package: FailedPackage) -> SafeString:
        return badge(package)

    # Shown in the seller's zone, named: the deadline is the end of a day there, and it
    # is the time the seller on the phone reads on their own page.
    @admin.display(description=_("deadline"), ordering="claim_deadline")
    def deadline(self, package: FailedPackage) -> str | None:
        if package.status != Status.AWAITING_SELLER or package.claim_deadline is None:
            return None
        return formatting.local_short(package.claim_deadline, package.seller.time_zone)

    @admin.display(description=_("time left"))
    def time_left(self, package: FailedPackage) -> str | None:
        if package.status != Status.AWAITING_SELLER or package.claim_deadline is None:
            return None
        return formatting.time_left(package.claim_deadline)

    @admin.display(description=_("location"), ordering="warehouse_location")
    def location(self, package: FailedPackage) -> str:
        return package.warehouse_location

    # The page's read-only fields show None as "None"; the list shows it as "-".
    @admin.display(description=_("claim deadline"))
    def deadline_in_zone(self, package: FailedPackage) -> str:
        if package.claim_deadline is None:
            return self.get_empty_value_display()
        shown = formatting.local_datetime(package.claim_deadline, package.seller.time_zone)
        if package.status == Status.AWAITING_SELLER:
            # Translators: a deadline and the time left, e.g. "… Bangkok time (2 days left)".
            shown = gettext("%(deadline)s (%(time_left)s)") % {
                "deadline": shown,
                "time_left": formatting.time_left(package.claim_deadline),
            }
        return shown

    # Plain text rather than the links a foreign key gets: the seller, provider and
    # user admins are the operators'.
    @admin.display(description=_("seller"))
    def seller_card(self, package: FailedPackage) -> str:
        seller = package.seller
        return f"{seller} · {seller.contact_email} · {seller.time_zone}"

    @admin.display(description=_("provider"))
    def provider_name(self, package: FailedPackage) -> str:
        return package.provider.name

    @admin.display(description=_("destroyed by"))
    def destroyed_by_email(self, package: FailedPackage) -> str:
        if package.destroyed_by is None:
            return self.get_empty_value_display()
        return package.destroyed_by.email

    # The photo is private: it has no storage URL, only the view that checks who asks.
    @admin.display(description=_("photo"))
    def photo_link(self, package: FailedPackage) -> str:
        if not package.destruction_photo:
            return self.get_empty_value_display()
        url = reverse("returns:destruction_photo", args=[package.public_id])
        return format_html(
            '<a href="{}" target="_blank" rel="noopener">{}</a>', url, gettext("Open the photo")
        )

    def has_add_permission(self, request: HttpRequest) -> bool:
        # Packages arrive through the intake API or the CSV import, with their event.
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return False

    def save_model(
        self,
        request: HttpRequest,
        obj: FailedPackage,
        form: forms.ModelForm[FailedPackage],
        change: bool,
    ) -> None:
        # Through the service, which writes only what the form changed (never a status a
        # service changed while this request ran) and the audit event.
        delivery.edit_package_details(
            package=obj,
            changes={name: form.cleaned_data[name] for name in form.changed_data},
            actor=request.user,
            channel=Channel.ADMIN,
        )

    def render_change_form(
        self,
        request: HttpRequest,
        context: dict[str, Any],
        add: bool = False,
        change: bool = False,
        form_url: str = "",
        obj: FailedPackage | None = None,
    ) -> HttpResponse:
        """The page's buttons: the actions its state allows and the user may run (as on
        the scan station's card)."""
        context["package_actions"] = [
            (name, label) for name, label, _shortcut in self.card_actions(request, obj)
        ]
        # What other apps know of the package (the send-back address is a ticket's):
        # returns never imports tickets, so each app names its panel in the settings.
        context["package_panels"] = (
            [
                panel
                for name in settings.CONSOLE_PACKAGE_PANELS
                if (panel := import_string(name)(request.user, obj)) is not None
            ]
            if obj
            else []
        )
        return super().render_change_form(request, context, add, change, form_url, obj)
