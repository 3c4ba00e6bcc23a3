"""The scan station's batches: scan packages in, see them flagged, confirm once, print.

Each view takes the package admin (returns.admin.floor.FloorViews) for its scoped
queryset and permissions; a batch is found through `PackageBatch.objects.for_user`,
so another provider's batch is a 404. Changes go through `returns.batches`.
"""

import csv
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from django.contrib import messages
from django.http import (
    Http404,
    HttpRequest,
    HttpResponse,
    HttpResponseNotAllowed,
    HttpResponseRedirect,
    StreamingHttpResponse,
)
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.translation import gettext, ngettext

from portal.action_messages import report_done_and_skipped
from portal.errors import DomainError
from portal.tenancy import AuthenticatedRequest
from returns import batches
from returns.admin.export import cell
from returns.forms import DestructionForm
from returns.models import STAFF_STATES, BatchEntry, FailedPackage, PackageBatch
from returns.staff_words import wrong_state

if TYPE_CHECKING:
    from returns.admin.floor import FloorViews

Kind = PackageBatch.Kind


def scan_region(request: HttpRequest) -> bool:
    """The script asks for the changing part of the page only."""
    return request.headers.get("X-Scan") == "1"


def _batch(request: AuthenticatedRequest, reference: str) -> PackageBatch:
    batch: PackageBatch = get_object_or_404(
        PackageBatch.objects.for_user(request.user).select_related("provider", "confirmed_by"),
        reference=reference,
    )
    return batch


def _entries(batch: PackageBatch) -> list[BatchEntry]:
    """The batch's packages, the latest scan first, each read with its seller in one query."""
    return list(batch.entries.select_related("package__seller").order_by("-scanned_at", "-pk"))


def _batch_url(batch: PackageBatch) -> str:
    return reverse("admin:returns_batch", args=[batch.reference])


def open_batch(admin: "FloorViews", request: AuthenticatedRequest) -> HttpResponse:
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    admin.require(request, change=True)
    if request.user.provider is None:
        messages.error(request, gettext("Batches are made by a provider's staff at its warehouse."))
        return HttpResponseRedirect(reverse("admin:returns_scan"))
    try:
        batch = batches.open_batch(
            provider=request.user.provider, kind=request.POST.get("kind", ""), actor=request.user
        )
    except DomainError as error:
        messages.error(request, error.message)
        return HttpResponseRedirect(reverse("admin:returns_scan"))
    return HttpResponseRedirect(_batch_url(batch))


def batch_page(
    admin: "FloorViews",
    request: AuthenticatedRequest,
    reference: str,
    *,
    form: DestructionForm | None = None,
) -> TemplateResponse:
    admin.require(request, change=False)
    batch = _batch(request, reference)
    expected = batches.EXPECTED[batch.kind]
    entries = _entries(batch)
    rows = [(entry, wrong_state(entry.package, expected)) for entry in entries]
    if form is None and batch.kind == Kind.DESTRUCTION:
        form = DestructionForm()
    if form is not None:
        form.fields["reference"].widget.attrs["data-shortcut"] = "c"  # Alt+C: to the form
    context = {
        **admin.floor_context(request, f"{batch.get_kind_display()} · {batch.reference}"),
        "batch": batch,
        "rows": rows,
        "flagged": sum(1 for _, flag in rows if flag),
        "expected_state": STAFF_STATES[expected],
        "form": form,
        "can_change": admin.has_change_permission(request),
        "max_entries": batches.MAX_ENTRIES,
    }
    template = "admin/returns/floor/batch.html"
    if scan_region(request):
        template = "admin/returns/floor/_batch_region.html"
    return TemplateResponse(request, template, context)


def scan_into(admin: "FloorViews", request: AuthenticatedRequest, reference: str) -> HttpResponse:
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    admin.require(request, change=True)
    batch = _batch(request, reference)
    tracking = request.POST.get("tracking", "")
    try:
        entry = batches.add_to_batch(
            batch=batch, packages=admin.get_queryset(request), tracking_number=tracking
        )
    except DomainError as error:
        messages.error(request, error.message)
    else:
        flag = wrong_state(entry.package, batches.EXPECTED[batch.kind])
        if flag:
            messages.warning(
                request,
                gettext("%(flag)s: it will be skipped unless its state changes.") % {"flag": flag},
            )
        else:
            added = gettext("%(tracking)s added.")
            messages.success(request, added % {"tracking": entry.package.tracking_number})
    if scan_region(request):
        return batch_page(admin, request, reference)
    return HttpResponseRedirect(_batch_url(batch))


def remove(admin: "FloorViews", request: AuthenticatedRequest, reference: str) -> HttpResponse:
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    admin.require(request, change=True)
    batch = _batch(request, reference)
    try:
        batches.remove_from_batch(batch=batch, entry_id=int(request.POST.get("entry", "0")))
    except ValueError:
        raise Http404 from None
    except DomainError as error:
        messages.error(request, error.message)
    return HttpResponseRedirect(_batch_url(batch))


def confirm(admin: "FloorViews", request: AuthenticatedRequest, reference: str) -> HttpResponse:
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    admin.require(request, change=True)
    batch = _batch(request, reference)
    data: dict[str, Any] = {}
    if batch.kind == Kind.DESTRUCTION:
        form = DestructionForm(request.POST, request.FILES)
        if not form.is_valid():
            return batch_page(admin, request, reference, form=form)
        data = form.cleaned_data
    try:
        report = batches.confirm_batch(batch=batch, actor=request.user, **data)
    except DomainError as error:
        messages.error(request, error.message)
        return HttpResponseRedirect(_batch_url(batch))
    if batch.kind == Kind.DESTRUCTION:
        done = ngettext(
            "%(count)s package confirmed destroyed; each seller gets a certificate.",
            "%(count)s packages confirmed destroyed; each seller gets a certificate.",
            report.done,
        ) % {"count": report.done}
    else:
        done = ngettext(
            "%(count)s package marked returned.", "%(count)s packages marked returned.", report.done
        ) % {"count": report.done}
    report_done_and_skipped(request, done, report.skipped)
    return HttpResponseRedirect(reverse("admin:returns_batch_manifest", args=[batch.reference]))


def manifest(
    admin: "FloorViews", request: AuthenticatedRequest, reference: str
) -> TemplateResponse:
    admin.require(request, change=False)
    batch = _batch(request, reference)
    entries = sorted(_entries(batch), key=lambda entry: (entry.scanned_at, entry.pk))
    context = {
        **admin.floor_context(
            request, gettext("Manifest of batch %(reference)s") % {"reference": batch.reference}
        ),
        "batch": batch,
        "entries": entries,
        "method": _method_label(batch),
    }
    return TemplateResponse(request, "admin/returns/floor/manifest.html", context)


def _method_label(batch: PackageBatch) -> str:
    methods = FailedPackage.DestructionMethod
    return str(methods(batch.destruction_method).label) if batch.destruction_method else ""


MANIFEST_COLUMNS = [
    "batch", "kind", "destruction_reference", "destruction_method", "confirmed_at",
    "tracking_number", "order_id", "shop_code", "seller", "warehouse_location", "scanned_at",
    "outcome", "skip_reason", "status", "destroyed_at", "returned_at",
]  # fmt: skip


def _manifest_rows(batch: PackageBatch) -> Iterator[str]:
    writer = csv.writer(_Echo())
    yield writer.writerow(MANIFEST_COLUMNS)
    entries = batch.entries.select_related("package__seller").order_by("scanned_at", "pk")
    for entry in entries.iterator(1000):
        package = entry.package
        values = [
            batch.reference, batch.kind, batch.destruction_reference, batch.destruction_method,
            batch.confirmed_at, package.tracking_number, package.order_id,
            package.seller.shop_code, package.seller.name, package.warehouse_location,
            entry.scanned_at, entry.outcome or "waiting", entry.skip_reason, package.status,
            package.destroyed_at, package.returned_at,
        ]  # fmt: skip
        yield writer.writerow([cell(value) for value in values])


class _Echo:
    def write(self, line: str) -> str:
        return line


def manifest_csv(
    admin: "FloorViews", request: AuthenticatedRequest, reference: str
) -> StreamingHttpResponse:
    admin.require(request, change=False)
    batch = _batch(request, reference)
    return StreamingHttpResponse(
        _manifest_rows(batch),
        content_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="manifest-{batch.reference}.csv"'},
    )
