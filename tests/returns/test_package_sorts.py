"""The seller's package list: open decisions first in both of its deadline sorts, each read
from its own index."""

from datetime import timedelta

import pytest
from django.db import connection
from django.urls import reverse

from returns import selectors
from returns.models import FailedPackage
from returns.services import claim_package, mark_returned, release_package
from tests.builders import awaiting_package, destroyed_package


@pytest.fixture
def shelf(seller_a, provider_x, xavier):
    """One package in each state a seller sees, the finished ones with old deadlines kept."""
    later = awaiting_package(seller_a, provider_x)
    sooner = awaiting_package(seller_a, provider_x)
    claimed = awaiting_package(seller_a, provider_x)
    claim_package(package=claimed, channel="web")
    returned = awaiting_package(seller_a, provider_x)
    claim_package(package=returned, channel="web")
    mark_returned(package=returned, actor=xavier, channel="admin")
    released = awaiting_package(seller_a, provider_x)
    release_package(package=released, channel="web")
    destroyed = destroyed_package(seller_a, provider_x, staff=xavier)
    # Deadlines the finished packages kept from a window long closed, and two open ones.
    deadline = later.claim_deadline
    for package, days in [(returned, -20), (destroyed, -15), (claimed, -10), (released, -5)]:
        FailedPackage.objects.filter(pk=package.pk).update(
            claim_deadline=deadline + timedelta(days=days)
        )
    FailedPackage.objects.filter(pk=sooner.pk).update(claim_deadline=deadline - timedelta(days=1))
    return {
        "sooner": sooner,
        "later": later,
        "claimed": claimed,
        "released": released,
        "returned": returned,
        "destroyed": destroyed,
    }


def listed(client, sort: str) -> list[FailedPackage]:
    return list(client.get(reverse("returns:package_list"), {"sort": sort}).context["page"])


def test_soonest_deadline_lists_open_windows_first(client_for, alice, shelf):
    page = listed(client_for(alice), "deadline")

    assert page[:2] == [shelf["sooner"], shelf["later"]]
    # Then the rest, newest first: a closed window's deadline means nothing now.
    assert page[2:] == sorted(page[2:], key=lambda p: (p.registered_at, p.pk), reverse=True)


def test_needs_action_puts_open_decisions_first_and_finished_packages_last(
    client_for, alice, shelf
):
    page = listed(client_for(alice), "action")

    assert page[:4] == [shelf["sooner"], shelf["later"], shelf["claimed"], shelf["released"]]
    assert set(page[4:]) == {shelf["returned"], shelf["destroyed"]}


@pytest.mark.postgres
@pytest.mark.parametrize(
    ("sort", "index"),
    [
        ("action", "package_seller_action"),
        ("deadline", "package_seller_deadline"),
        ("newest", "package_seller_recent"),
    ],
)
def test_each_sort_reads_its_first_page_from_an_index(alice, shelf, sort, index):
    query = selectors.package_list(alice, sort=sort)[:25]
    sql, params = query.query.sql_with_params()
    with connection.cursor() as cursor:
        # A handful of rows would be sorted in memory; ask what the plan is at scale.
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("SET LOCAL enable_sort = off")
        cursor.execute(f"EXPLAIN {sql}", params)
        plan = "\n".join(row[0] for row in cursor.fetchall())

    assert index in plan
    assert "Sort" not in plan.replace("Incremental Sort", "")


def test_the_search_example_is_one_of_the_sellers_own_tracking_numbers(
    client_for, alice, seller_a, provider_x, django_assert_num_queries
):
    package = awaiting_package(seller_a, provider_x)
    client = client_for(alice)
    # The session's first read is behind us, and the seller's total is kept from it.
    client.get(reverse("returns:package_list"))

    with django_assert_num_queries(4):  # session, user, page, unread notices
        response = client.get(reverse("returns:package_list"))

    assert f'placeholder="e.g. {package.tracking_number}"' in response.content.decode()
