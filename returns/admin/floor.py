"""The console for the warehouse floor: the scan station and the pick list.

Keyboard first: a barcode scanner types a tracking number and Enter; the page
answers with the package's card and its allowed actions (Alt+1, Alt+2, …), and
the cursor is back in the scan field (static/js/floor.js). Without the script
the same forms work as plain pages. Every package is looked up through the
package admin's scoped queryset: another provider's number reads as unknown.
"""

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db.models import F
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, StreamingHttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import URLPattern, path, reverse
from django.utils.translation import gettext

from portal.errors import DomainError
from portal.tenancy import AuthenticatedRequest
from returns import services
from returns.admin import batch_views
from returns.admin.batch_views import scan_region
from returns.admin.package_actions import ACTIONS_FOR_STATUS
from returns.batches import find_scanned
from returns.models import Channel, FailedPackage, PackageBatch

Status = FailedPackage.Status

# Work first (FailedPackage.work_rank): windows closing soonest, then destructions waiting
# longest (the overdue ones first), then packages to send back; the finished ones last.
WORK_ORDER = ["work_rank", F("work_due").asc(nulls_last=True), "-registered_at", "-id"]
# A printed pick list is a walk through the warehouse, not an archive.
PICK_LIST_ROWS = 500
RECENT_BATCHES = 10


if TYPE_CHECKING:
    # The mixin reads the package admin it is mixed into (its site, queryset, permissions).
    _PackageAdmin = admin.ModelAdmin[FailedPackage]
else:
    _PackageAdmin = object


def _label(action: tuple[Callable[..., Any], str, str] | None, name: str) -> str:
    """An admin action's label as a button says it ("Destroy", not "Destroy…")."""
    return str(action[2]).rstrip("…") if action else name


class FloorViews(_PackageAdmin):
    """Mixed into FailedPackageAdmin: the floor's pages, under the package list's URL."""

    def get_urls(self) -> list[URLPattern]:
        def view(function: Callable[..., HttpResponseBase], name: str, route: str) -> URLPattern:
            return path(route, self.admin_site.admin_view(function), name=name)

        batch = "batches/<str:reference>/"
        return [
            view(self.scan_view, "returns_scan", "scan/"),
            view(self.pick_list_view, "returns_pick_list", "pick-list/"),
            view(self.picked_view, "returns_picked", "pick-list/<int:package_id>/returned/"),
            view(self.open_batch_view, "returns_batch_open", "batches/"),
            view(self.batch_view, "returns_batch", batch),
            view(self.batch_scan_view, "returns_batch_scan", batch + "scan/"),
            view(self.batch_remove_view, "returns_batch_remove", batch + "remove/"),
            view(self.batch_confirm_view, "returns_batch_confirm", batch + "confirm/"),
            view(self.manifest_view, "returns_batch_manifest", batch + "manifest/"),
            view(self.manifest_csv_view, "returns_batch_manifest_csv", batch + "manifest.csv"),
            *super().get_urls(),
        ]

    def get_ordering(self, request: HttpRequest) -> list[Any]:
        # One status shown: its rank is the same on every row, and without it the
        # (provider, status, work_due, …) index serves the list.
        if request.GET.get("status") in Status.values:
            return WORK_ORDER[1:]
        return WORK_ORDER

    def floor_context(self, request: AuthenticatedRequest, title: str) -> dict[str, Any]:
        return {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": title,
            "provider": request.user.provider,
        }

    def require(self, request: HttpRequest, *, change: bool) -> None:
        allowed = self.has_change_permission if change else self.has_view_permission
        if not allowed(request):
            raise PermissionDenied

    # --- the scan station ----------------------------------------------------------------

    def scan_view(self, request: AuthenticatedRequest) -> HttpResponse:
        self.require(request, change=False)
        tracking = request.GET.get("tracking", "").strip()
        package = find_scanned(self.get_queryset(request), tracking) if tracking else None
        context = {
            **self.floor_context(request, gettext("Scan station")),
            "tracking": tracking,
            "package": package,
            "card_actions": self.card_actions(request, package),
            "return_to": request.get_full_path(),
            "batches": PackageBatch.objects.for_user(request.user)
            .select_related("created_by")
            .order_by("-created_at")[:RECENT_BATCHES],
            "can_change": self.has_change_permission(request),
        }
        template = "admin/returns/floor/scan.html"
        if scan_region(request):
            template = "admin/returns/floor/_scan_result.html"
        return TemplateResponse(request, template, context)

    def card_actions(
        self, request: HttpRequest, package: FailedPackage | None
    ) -> list[tuple[str, str, int]]:
        """(action, label, shortcut) the package's state allows and the user may run."""
        if package is None:
            return []
        allowed = self.get_actions(request)
        names = [n for n in ACTIONS_FOR_STATUS.get(Status(package.status), []) if n in allowed]
        return [(name, _label(allowed[name], name), n) for n, name in enumerate(names, 1)]

    # --- the pick list -------------------------------------------------------------------

    def pick_list_view(self, request: AuthenticatedRequest) -> TemplateResponse:
        self.require(request, change=False)
        claimed = (
            self.get_queryset(request)
            .filter(status=Status.CLAIMED)
            .select_related("seller")
            .order_by("provider_id", "warehouse_location", "id")
        )
        rows = list(claimed[: PICK_LIST_ROWS + 1])
        groups: dict[str, list[FailedPackage]] = {}
        for package in rows[:PICK_LIST_ROWS]:
            groups.setdefault(package.warehouse_location, []).append(package)
        context = {
            **self.floor_context(request, gettext("Pick list: claimed packages to send back")),
            "groups": list(groups.items()),
            "more": len(rows) > PICK_LIST_ROWS,
            "shown": PICK_LIST_ROWS,
            "can_change": self.has_change_permission(request),
        }
        return TemplateResponse(request, "admin/returns/floor/pick_list.html", context)

    def picked_view(self, request: AuthenticatedRequest, package_id: int) -> HttpResponse:
        if request.method != "POST":
            return HttpResponse(status=405, headers={"Allow": "POST"})
        self.require(request, change=True)
        package = get_object_or_404(self.get_queryset(request), pk=package_id)
        try:
            services.mark_returned(package=package, actor=request.user, channel=Channel.ADMIN)
        except DomainError as error:
            messages.error(request, error.message)
        else:
            messages.success(
                request,
                gettext("%(tracking)s marked returned.") % {"tracking": package.tracking_number},
            )
        return HttpResponseRedirect(reverse("admin:returns_pick_list"))

    # --- batches (returns.admin.batch_views) ---------------------------------------------

    def open_batch_view(self, request: AuthenticatedRequest) -> HttpResponse:
        return batch_views.open_batch(self, request)

    def batch_view(self, request: AuthenticatedRequest, reference: str) -> HttpResponse:
        return batch_views.batch_page(self, request, reference)

    def batch_scan_view(self, request: AuthenticatedRequest, reference: str) -> HttpResponse:
        return batch_views.scan_into(self, request, reference)

    def batch_remove_view(self, request: AuthenticatedRequest, reference: str) -> HttpResponse:
        return batch_views.remove(self, request, reference)

    def batch_confirm_view(self, request: AuthenticatedRequest, reference: str) -> HttpResponse:
        return batch_views.confirm(self, request, reference)

    def manifest_view(self, request: AuthenticatedRequest, reference: str) -> HttpResponse:
        return batch_views.manifest(self, request, reference)

    def manifest_csv_view(
        self, request: AuthenticatedRequest, reference: str
    ) -> StreamingHttpResponse:
        return batch_views.manifest_csv(self, request, reference)
