"""The outbox in the console: what was sent, what failed, and sending the failed ones again."""

from django.contrib import admin, messages
from django.db.models import Model, QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from returns import outbox
from returns.admin.paging import CappedPaginator
from returns.admin.scoping import ChangedByActionsOnly, ProviderScopedAdmin
from returns.models import Notification


@admin.register(Notification)
class NotificationAdmin(ProviderScopedAdmin, ChangedByActionsOnly, admin.ModelAdmin[Notification]):
    list_display = [
        "kind",
        "to_email",
        "package",
        "status",
        "attempts",
        "uncertain_attempts",
        "created_at",
        "sent_at",
        "next_attempt_at",
    ]
    list_filter = ["status", "kind", "audience"]
    list_select_related = ["package"]
    # Newest first by id, which the primary key's index answers without a sort.
    ordering = ["-id"]
    search_fields = ["to_email", "=package__tracking_number", "=ticket_reference"]
    show_full_result_count = False
    show_facets = admin.ShowFacets.NEVER
    paginator = CappedPaginator
    actions = ["retry"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # written by the services, with the change that causes them

    def has_delete_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return False

    @admin.action(description=_("Send the failed ones again"), permissions=["change"])
    def retry(self, request: HttpRequest, queryset: QuerySet[Notification]) -> None:
        selected = list(queryset)
        requeued = sum(outbox.retry_notification(notification=n) for n in selected)
        skipped = len(selected) - requeued
        # Translators: a count of email notifications.
        message = ngettext(
            "%(count)s re-queued for sending.", "%(count)s re-queued for sending.", requeued
        ) % {"count": requeued}
        if skipped:
            # Translators: done is the sentence before, saying how many were re-queued.
            message = ngettext(
                "%(done)s %(count)s skipped: only failed notifications are sent again.",
                "%(done)s %(count)s skipped: only failed notifications are sent again.",
                skipped,
            ) % {"done": message, "count": skipped}
        self.message_user(request, message, messages.SUCCESS if requeued else messages.WARNING)
