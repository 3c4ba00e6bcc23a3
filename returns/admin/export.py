"""The package list's CSV export: the selected rows, streamed, safe to open in a spreadsheet."""

import csv
from collections.abc import Callable, Iterator
from datetime import UTC, datetime

from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest, StreamingHttpResponse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from returns.models import FailedPackage

COLUMNS: list[tuple[str, Callable[[FailedPackage], object]]] = [
    ("tracking_number", lambda p: p.tracking_number),
    ("order_id", lambda p: p.order_id),
    ("return_id", lambda p: p.return_id),
    ("shop_code", lambda p: p.seller.shop_code),
    ("seller", lambda p: p.seller.name),
    ("provider", lambda p: p.provider.code),
    ("status", lambda p: p.status),
    ("reason", lambda p: p.reason),
    ("warehouse_location", lambda p: p.warehouse_location),
    ("description", lambda p: p.description),
    ("registered_at", lambda p: p.registered_at),
    ("failed_at", lambda p: p.failed_at),
    ("claim_deadline", lambda p: p.claim_deadline),
    ("claimed_at", lambda p: p.claimed_at),
    ("returned_at", lambda p: p.returned_at),
    ("destruction_requested_at", lambda p: p.destruction_requested_at),
    ("destroyed_at", lambda p: p.destroyed_at),
    ("destruction_reference", lambda p: p.destruction_reference),
    ("destruction_method", lambda p: p.destruction_method),
]

# A cell a spreadsheet would run as a formula (carrier data is not ours to trust).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def cell(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.astimezone(UTC).isoformat()
    text = str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


class _Echo:
    """csv.writer writes to this; each row goes straight into the response."""

    def write(self, line: str) -> str:
        return line


def rows(queryset: QuerySet[FailedPackage]) -> Iterator[str]:
    writer = csv.writer(_Echo())
    yield writer.writerow([name for name, _ in COLUMNS])
    for package in queryset.select_related("seller", "provider").order_by("pk").iterator(2000):
        yield writer.writerow([cell(value(package)) for _, value in COLUMNS])


@admin.action(description=_("Export selected as CSV"), permissions=["view"])
def export_csv(
    modeladmin: admin.ModelAdmin[FailedPackage],
    request: HttpRequest,
    queryset: QuerySet[FailedPackage],
) -> StreamingHttpResponse:
    filename = f"packages-{timezone.now():%Y%m%d-%H%M}.csv"
    return StreamingHttpResponse(
        rows(queryset),
        content_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )
