"""The console's lists: the packages an agent works from, the trail and the outbox."""

from datetime import UTC, datetime, timedelta

import pytest
from django.core.cache import cache
from django.db import IntegrityError, connection, transaction
from django.test.utils import CaptureQueriesContext

from portal.auth import permissions_of
from returns.admin.paging import CappedPaginator
from returns.models import SELLER_EVENT_LABELS, EventAction, FailedPackage, PackageEvent
from tests.factories import EventFactory, PackageFactory
from tests.returns.console import NOW, PACKAGES, listed

# --- the package list -----------------------------------------------------------------


def test_the_list_shows_the_deadline_in_the_sellers_zone_and_the_time_left(
    client_for, xavier, provider_x, seller_a, console_clock
):
    # 23:59:59 on 12 March in Bangkok.
    deadline = datetime(2026, 3, 12, 16, 59, 59, tzinfo=UTC)
    PackageFactory(
        provider=provider_x,
        seller=seller_a,
        awaiting=True,
        claim_deadline=deadline,
        tracking_number="TRK-1",
        warehouse_location="R7-S2",
    )

    text = client_for(xavier).get(PACKAGES).content.decode()

    for shown in (
        "TRK-1",
        '<td class="field-seller_name">Shop A</td>',
        "Awaiting the seller",
        "Could not be delivered",
        "12 Mar 23:59 Bangkok time",
        "2 days 7 hours left",
        "R7-S2",
    ):
        assert shown in text, shown


def test_the_package_page_reads_the_status_as_an_agent_says_it(client_for, xavier, ours):
    text = client_for(xavier).get(f"{PACKAGES}{ours.pk}/change/").content.decode()

    assert "Awaiting the seller" in text
    assert "Bangkok time (Asia/Bangkok)" in text
    assert 'name="status"' not in text


def test_the_package_page_shows_what_is_not_there_yet_as_a_dash(client_for, xavier, make):
    package = make("TRK-1")  # in delivery: no deadline, not destroyed, no event actor
    EventFactory(package=package)

    text = client_for(xavier).get(f"{PACKAGES}{package.pk}/change/").content.decode()

    assert ">None<" not in text


@pytest.fixture
def deadlines(provider_x, seller_a, console_clock):
    def package(tracking: str, hours: float, **traits) -> FailedPackage:
        return PackageFactory(
            provider=provider_x,
            seller=seller_a,
            tracking_number=tracking,
            claim_deadline=NOW + timedelta(hours=hours),
            **({"awaiting": True} | traits),
        )

    return [
        package("PASSED", -1),
        package("IN-5-HOURS", 5),
        package("IN-30-HOURS", 30),
        package("IN-5-DAYS", 120),
        package("CLAIMED-IN-5-HOURS", 5, awaiting=False, claimed=True),
    ]


@pytest.mark.parametrize(
    ("choice", "expected"),
    [
        ("closed", ["PASSED"]),
        ("today", ["IN-5-HOURS"]),
        ("48h", ["IN-5-HOURS", "IN-30-HOURS"]),
    ],
)
def test_the_deadline_filter(client_for, xavier, deadlines, choice, expected):
    response = client_for(xavier).get(PACKAGES, {"deadline": choice})

    assert sorted(listed(response)) == sorted(expected)


def test_the_status_reason_and_overdue_filters(client_for, xavier, provider_x, seller_a):
    make = PackageFactory
    make(provider=provider_x, seller=seller_a, tracking_number="CLAIMED", claimed=True)
    make(provider=provider_x, seller=seller_a, tracking_number="PENDING", pending_destruction=True)
    make(
        provider=provider_x,
        seller=seller_a,
        tracking_number="OVERDUE",
        pending_destruction=True,
        reason=FailedPackage.Reason.SELLER_REJECTED,
        destruction_overdue_at=datetime(2026, 3, 1, tzinfo=UTC),
    )
    client = client_for(xavier)

    def found(**query) -> list[str]:
        return sorted(listed(client.get(PACKAGES, query)))

    assert found(status="claimed") == ["CLAIMED"]
    assert found(status="destruction_pending") == ["OVERDUE", "PENDING"]
    assert found(reason__exact="seller_rejected") == ["OVERDUE"]
    assert found(destruction="overdue") == ["OVERDUE"]
    assert "Waiting for destruction (overdue)" in client.get(PACKAGES).content.decode()


def test_search_finds_a_package_by_the_start_of_its_tracking_number_or_order_id(
    client_for, xavier, ours, theirs
):
    client = client_for(xavier)

    assert listed(client.get(PACKAGES, {"q": "TRK-X1"})) == ["TRK-X1"]
    assert listed(client.get(PACKAGES, {"q": f" {ours.order_id} "})) == ["TRK-X1"]
    assert listed(client.get(PACKAGES, {"q": "trk-x"})) == ["TRK-X1"]
    assert listed(client.get(PACKAGES, {"q": "TRK"})) == ["TRK-X1"]  # not provider Y's
    assert listed(client.get(PACKAGES, {"q": ours.order_id[:5]})) == ["TRK-X1"]
    assert listed(client.get(PACKAGES, {"q": "X1"})) == []  # the start, not the middle


def test_the_package_list_takes_the_same_queries_for_5_or_60_packages(
    client_for, xavier, provider_x, seller_a, seller_b, django_assert_max_num_queries
):
    client = client_for(xavier)

    def queries_with(total: int) -> int:
        missing = total - FailedPackage.objects.count()
        for n in range(missing):
            PackageFactory(
                provider=provider_x, seller=[seller_a, seller_b][n % 2], awaiting=n % 3 == 0
            )
        cache.clear()  # each page as the first of its provider: the seller filter not kept
        permissions_of.cache_clear()  # and the first of its user
        with CaptureQueriesContext(connection) as captured:
            assert client.get(PACKAGES).status_code == 200
        return len(captured)

    few, many = queries_with(5), queries_with(60)

    assert few == many
    with django_assert_max_num_queries(8):
        client.get(PACKAGES)


@pytest.mark.parametrize("who", ["xavier", "operator"])
def test_the_package_lists_rows_are_read_with_the_columns_they_show(
    request, client_for, who, provider_x, seller_a
):
    for n in range(3):
        PackageFactory(provider=provider_x, seller=seller_a, awaiting=n == 0)
    client = client_for(request.getfixturevalue(who))
    client.get(PACKAGES)  # the seller filter's choices, kept a while, read now

    with CaptureQueriesContext(connection) as captured:
        response = client.get(PACKAGES)

    rows = [q["sql"] for q in captured if 'ORDER BY "returns_failedpackage"' in q["sql"]]
    assert len(rows) == 1  # and no query a row for a column left out
    assert '"returns_failedpackage"."tracking_number"' in rows[0]
    assert '"returns_failedpackage"."description"' not in rows[0]
    assert '"portal_seller"."contact_email"' not in rows[0]
    assert len(response.context["cl"].result_list) == 3


# --- the trail and the outbox ---------------------------------------------------------


def test_an_action_the_event_filter_does_not_offer_is_refused_by_the_database(ours):
    with pytest.raises(IntegrityError), transaction.atomic():
        EventFactory(package=ours, action="misplaced")

    assert not PackageEvent.objects.filter(action="misplaced").exists()


def test_every_action_has_its_sellers_wording():
    assert set(SELLER_EVENT_LABELS) == set(EventAction.values)


def test_a_long_trail_is_counted_up_to_a_cap(client_for, xavier, ours, monkeypatch):
    monkeypatch.setattr(CappedPaginator, "cap", 3)
    for _ in range(5):
        EventFactory(package=ours)

    response = client_for(xavier).get("/admin/returns/packageevent/")

    text = response.content.decode()
    assert "3+ package events" in text
    assert "3+ results" in text
    assert len(response.context["cl"].result_list) == 5


def test_staff_filter_events_by_action_from_the_fixed_list(client_for, xavier, ours):
    EventFactory(package=ours, action="destroyed", to_status="destroyed")
    EventFactory(package=ours)

    response = client_for(xavier).get(
        "/admin/returns/packageevent/", {"action__exact": "destroyed"}
    )

    assert [event.action for event in response.context["cl"].result_list] == ["destroyed"]


@pytest.mark.postgres
def test_one_sellers_capped_count_reads_the_sellers_index_alone(
    client_for, xavier, provider_x, seller_a
):
    """The seller filter's count: one index read with no table behind it. Counted with a
    LIMITed scan of the table instead, it starts wherever the last scan stopped and at 1M
    packages took 30 ms on average, up to 270 ms."""
    PackageFactory.create_batch(3, provider=provider_x, seller=seller_a)
    with CaptureQueriesContext(connection) as page:
        client_for(xavier).get(PACKAGES, {"seller": seller_a.pk})
    [sql] = [
        q["sql"]
        for q in page.captured_queries
        if q["sql"].startswith("SELECT COUNT(*)") and "returns_failedpackage" in q["sql"]
    ]
    with connection.cursor() as cursor:
        # Three rows, never vacuumed, would be read from the table whatever the indexes:
        # leave the planner only index-only scans, which just a seller index carrying the
        # provider can serve (without it, a disabled plan is all that is left).
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("SET LOCAL enable_bitmapscan = off")
        cursor.execute("SET LOCAL enable_indexscan = off")
        cursor.execute(f"EXPLAIN {sql}")
        plan = "\n".join(row[0] for row in cursor.fetchall())

    assert "Index Only Scan using package_seller " in plan, plan
