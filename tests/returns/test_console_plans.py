"""The console's package list reads its first page from indexes, not from the whole table.

Enough rows for the planner to choose as it would at scale (it reads a small table
whole, whatever the indexes), written by the database itself; then the plan of each
query must name the index and hold no sequential scan, nor a sort for the first page.
"""

import pytest
from django.db import connection

from returns.admin.floor import WORK_ORDER
from returns.admin.search import PrefixSearch
from returns.models import FailedPackage

pytestmark = pytest.mark.postgres


ROWS = 20_000
STATUSES = ["in_delivery", "claimed", "returned", "returned", "destruction_pending"]


def plan(queryset) -> str:
    with connection.cursor() as cursor:
        sql, params = queryset.query.sql_with_params()
        cursor.execute(f"EXPLAIN {sql}", params)
        return "\n".join(row[0] for row in cursor.fetchall())


@pytest.fixture
def packages(xavier, provider_x, provider_y, seller_a):
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO returns_failedpackage (public_id, provider_id, seller_id,"
            " tracking_number, order_id, return_id, description, currency, warehouse_location,"
            " reason, status, registered_at, destruction_reference, destruction_method,"
            " destruction_photo)"
            " SELECT 'p' || n, CASE WHEN mod(n, 2) = 0 THEN %s ELSE %s END, %s,"
            " 'TH' || lpad(n::text, 8, '0'), 'ORD-' || n, '', '', '', 'R1', '',"
            " (%s::text[])[1 + mod(n, 5)], now() - n * interval '1 minute', '', '', ''"
            " FROM generate_series(1, %s) AS n",
            [provider_x.pk, provider_y.pk, seller_a.pk, STATUSES, ROWS],
        )
        cursor.execute("ANALYZE returns_failedpackage")
    return FailedPackage.objects.for_user(xavier)


def test_a_prefix_search_reads_the_pattern_indexes(packages, operator, rf):
    search = PrefixSearch()
    search.prefix_search_fields = ["tracking_number", "order_id"]
    request = rf.get("/admin/returns/failedpackage/", {"q": "th000012"})
    request.user = operator  # the seller-name match is scoped to the user's sellers

    found, _ = search.get_search_results(request, packages, "th000012")
    shown = plan(found.order_by())

    assert "package_tracking_prefix" in shown
    assert "Seq Scan" not in shown


def test_the_work_first_list_reads_its_first_page_from_the_work_index(packages):
    shown = plan(packages.order_by(*WORK_ORDER)[:50])

    assert "Sort" not in shown and "Seq Scan" not in shown


def test_one_status_reads_from_the_status_index(packages):
    shown = plan(packages.filter(status="claimed").order_by(*WORK_ORDER[1:])[:50])

    assert "Sort" not in shown and "Seq Scan" not in shown
