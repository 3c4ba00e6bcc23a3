"""A package's trail: its delivery attempts and its events, read-only for everyone."""

from django.contrib import admin

from returns.admin.paging import CappedPaginator
from returns.admin.scoping import ProviderScopedAdmin, ReadOnly
from returns.admin.search import ExactSearch
from returns.models import DeliveryAttempt, PackageEvent


@admin.register(DeliveryAttempt)
class DeliveryAttemptAdmin(
    ProviderScopedAdmin, ReadOnly, ExactSearch, admin.ModelAdmin[DeliveryAttempt]
):
    list_display = ["package", "number", "attempted_at", "outcome", "failure_reason"]
    list_filter = ["outcome"]
    list_select_related = ["package"]
    # Newest first by id, which the primary key's index answers; the model's ordering
    # follows the package's and would sort a join.
    ordering = ["-id"]
    search_fields = exact_search_fields = ["package__tracking_number"]
    show_full_result_count = False
    show_facets = admin.ShowFacets.NEVER
    paginator = CappedPaginator


@admin.register(PackageEvent)
class PackageEventAdmin(ProviderScopedAdmin, ReadOnly, ExactSearch, admin.ModelAdmin[PackageEvent]):
    list_display = ["created_at", "package", "action", "from_status", "to_status", "channel"]
    list_filter = ["channel", "action"]
    list_select_related = ["package", "actor"]
    ordering = ["-id"]  # as for attempts
    search_fields = exact_search_fields = ["package__tracking_number"]
    show_full_result_count = False
    show_facets = admin.ShowFacets.NEVER
    paginator = CappedPaginator
