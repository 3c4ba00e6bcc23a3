"""The operators' admin: packages, their audit trail, the outbox, API tokens, intake events.

A package's status is never a form field: it changes only through the services.
Every list and lookup starts from `get_queryset`, so scoping a class to a
provider's staff is one override.
"""

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django.urls import URLPattern, path

from portal.models import LogisticsProvider
from returns import outbox, tokens
from returns.csv_format import format_help
from returns.csv_import import import_packages
from returns.forms import PackageImportForm
from returns.models import (
    ApiToken,
    DeliveryAttempt,
    FailedPackage,
    IntakeEvent,
    Notification,
    PackageEvent,
)


class ReadOnly:
    """Shown to those who may view; added, changed and deleted by no one here."""

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


class ChangedByActionsOnly:
    """The change page is read-only; the list's actions, which call services, change rows."""

    def has_change_permission(self, request, obj=None) -> bool:
        return obj is None and super().has_change_permission(request)


# --- packages -------------------------------------------------------------------------


class AttemptInline(ReadOnly, admin.TabularInline):
    model = DeliveryAttempt
    fields = ["number", "attempted_at", "outcome", "failure_reason", "courier_note"]
    readonly_fields = fields
    extra = 0


class EventInline(ReadOnly, admin.TabularInline):
    model = PackageEvent
    fields = ["created_at", "action", "from_status", "to_status", "channel", "actor", "detail"]
    readonly_fields = fields
    extra = 0


STATE_FIELDS = [
    "status",
    "reason",
    "registered_at",
    "failed_at",
    "claim_deadline",
    "reminded_at",
    "claimed_at",
    "released_at",
    "returned_at",
    "destruction_requested_at",
    "destruction_overdue_at",
]
DESTRUCTION_FIELDS = [
    "destroyed_at",
    "destruction_reference",
    "destruction_method",
    "destroyed_by",
    "destruction_photo",
]


@admin.register(FailedPackage)
class FailedPackageAdmin(admin.ModelAdmin):
    list_display = [
        "tracking_number",
        "seller",
        "provider",
        "status",
        "reason",
        "claim_deadline",
        "registered_at",
    ]
    list_filter = ["status", "reason", "provider", "seller"]
    list_select_related = ["seller", "provider"]
    search_fields = ["=tracking_number", "=order_id"]
    search_help_text = "A whole tracking number or order id."
    show_full_result_count = False
    list_per_page = 50
    fieldsets = [
        (None, {"fields": ["tracking_number", "public_id", "provider", "seller"]}),
        ("Order", {"fields": ["order_id", "return_id"]}),
        (
            "Contents",
            {
                "fields": [
                    "description",
                    "weight_grams",
                    "declared_value",
                    "currency",
                    "warehouse_location",
                ]
            },
        ),
        ("State", {"fields": STATE_FIELDS}),
        ("Destruction", {"fields": DESTRUCTION_FIELDS, "classes": ["collapse"]}),
    ]
    readonly_fields = [
        "tracking_number",
        "public_id",
        "provider",
        "seller",
        "order_id",
        "return_id",
        *STATE_FIELDS,
        *DESTRUCTION_FIELDS,
    ]
    inlines = [AttemptInline, EventInline]

    def has_add_permission(self, request: HttpRequest) -> bool:
        # Packages arrive through the intake API or the CSV import, with their event.
        return False

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    def save_model(self, request: HttpRequest, obj: FailedPackage, form, change: bool) -> None:
        # Only what the form edits: a full save could write back a status that a service
        # changed while this request ran.
        obj.save(update_fields=form.changed_data)

    def has_import_permission(self, request: HttpRequest) -> bool:
        return request.user.has_perm("returns.add_failedpackage")

    def import_providers(self, request: HttpRequest) -> QuerySet[LogisticsProvider]:
        """The providers this user may import packages for."""
        providers = LogisticsProvider.objects.all()
        if request.user.is_superuser:
            return providers
        return providers.filter(pk=request.user.provider_id)

    def get_urls(self) -> list[URLPattern]:
        view = self.admin_site.admin_view(self.import_view)
        return [path("import/", view, name="returns_failedpackage_import"), *super().get_urls()]

    def changelist_view(self, request: HttpRequest, extra_context=None) -> HttpResponse:
        extra_context = {"has_import_permission": self.has_import_permission(request)}
        return super().changelist_view(request, extra_context)

    def import_view(self, request: HttpRequest) -> TemplateResponse:
        if not self.has_import_permission(request):
            raise PermissionDenied
        posted = request.method == "POST"
        form = PackageImportForm(
            request.POST if posted else None,
            request.FILES if posted else None,
            providers=self.import_providers(request),
        )
        report = None
        if form.is_valid():
            report = import_packages(
                provider=form.cleaned_data["provider"],
                data=form.cleaned_data["file"].read(),
                actor=request.user,
            )
            level = messages.SUCCESS if report.ok else messages.WARNING
            self.message_user(request, str(report), level)
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": "Import packages from a CSV file",
            "form": form,
            "report": report,
            "format_help": format_help(),
        }
        return TemplateResponse(request, "admin/returns/failedpackage/import.html", context)


@admin.register(DeliveryAttempt)
class DeliveryAttemptAdmin(ReadOnly, admin.ModelAdmin):
    list_display = ["package", "number", "attempted_at", "outcome", "failure_reason"]
    list_filter = ["outcome"]
    list_select_related = ["package"]
    search_fields = ["=package__tracking_number"]
    show_full_result_count = False


@admin.register(PackageEvent)
class PackageEventAdmin(ReadOnly, admin.ModelAdmin):
    list_display = ["created_at", "package", "action", "from_status", "to_status", "channel"]
    list_filter = ["channel", "action"]
    list_select_related = ["package", "actor"]
    search_fields = ["=package__tracking_number"]
    show_full_result_count = False


# --- the outbox -----------------------------------------------------------------------


@admin.register(Notification)
class NotificationAdmin(ChangedByActionsOnly, admin.ModelAdmin):
    list_display = [
        "kind",
        "to_email",
        "package",
        "status",
        "attempts",
        "created_at",
        "sent_at",
        "next_attempt_at",
    ]
    list_filter = ["status", "kind", "audience"]
    list_select_related = ["package"]
    search_fields = ["to_email", "=package__tracking_number", "=ticket_reference"]
    show_full_result_count = False
    actions = ["retry"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # written by the services, with the change that causes them

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    @admin.action(description="Send the failed ones again", permissions=["change"])
    def retry(self, request: HttpRequest, queryset: QuerySet[Notification]) -> None:
        selected = list(queryset)
        requeued = sum(outbox.retry_notification(notification=n) for n in selected)
        skipped = len(selected) - requeued
        message = f"{requeued} re-queued for sending."
        if skipped:
            message += f" {skipped} skipped: only failed notifications are sent again."
        self.message_user(request, message, messages.SUCCESS if requeued else messages.WARNING)


# --- the intake API -------------------------------------------------------------------


@admin.register(ApiToken)
class ApiTokenAdmin(ChangedByActionsOnly, admin.ModelAdmin):
    list_display = ["name", "provider", "prefix", "created_at", "last_used_at", "revoked_at"]
    list_filter = ["provider", ("revoked_at", admin.EmptyFieldListFilter)]
    list_select_related = ["provider"]
    actions = ["revoke"]

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:
        return False  # revoked instead, so its history stays

    def get_fields(self, request: HttpRequest, obj=None) -> list[str]:
        if obj is None:
            return ["provider", "name"]
        return ["name", "provider", "prefix", "created_at", "last_used_at", "revoked_at"]

    def save_form(self, request: HttpRequest, form, change: bool) -> ApiToken:
        """Only the add form saves (the change page is read-only): through the service."""
        token, raw = tokens.create_api_token(
            provider=form.cleaned_data["provider"], name=form.cleaned_data["name"]
        )
        self.message_user(
            request,
            f"The new token for {token.provider} is {raw} — copy it now: it is shown only "
            "this once, and the portal keeps no copy it could show again.",
            messages.WARNING,
        )
        return token

    def save_model(self, request, obj, form, change) -> None:
        pass  # saved by the service in save_form

    def save_related(self, request, form, formsets, change) -> None:
        pass  # a token has no related rows to save

    @admin.action(description="Revoke the selected tokens", permissions=["change"])
    def revoke(self, request: HttpRequest, queryset: QuerySet[ApiToken]) -> None:
        selected = list(queryset)
        revoked = sum(tokens.revoke_api_token(token=token) for token in selected)
        message = f"{revoked} revoked; they no longer work."
        if len(selected) > revoked:
            message += f" {len(selected) - revoked} were already revoked."
        self.message_user(request, message, messages.SUCCESS)


@admin.register(IntakeEvent)
class IntakeEventAdmin(ReadOnly, admin.ModelAdmin):
    list_display = ["created_at", "provider", "event_id", "kind", "status_code"]
    list_filter = ["provider", "kind"]
    list_select_related = ["provider"]
    search_fields = ["=event_id"]
    show_full_result_count = False
