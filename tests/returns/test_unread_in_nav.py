"""The nav shows how many notices are unread, counted once a page; every notice on the
dashboard links to its page."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from pytest_django.asserts import assertContains, assertNotContains

from returns.models import Notification
from tests.builders import awaiting_package, question_ticket
from tests.factories import NotificationFactory, PackageFactory
from tests.helpers import as_sent
from tickets.services import reply_as_staff

UNREAD_BADGE = '<span class="visually-hidden">2 unread</span>'


def unread_counts(queries) -> int:
    """How many of the page's queries count the seller's unread notices."""
    return sum(
        1
        for query in queries
        if "COUNT(" in query["sql"]
        and Notification._meta.db_table in query["sql"]
        and "read_at" in query["sql"]
    )


def test_every_seller_page_shows_the_unread_count_in_the_nav(
    client_for, alice, seller_a, provider_x
):
    awaiting_package(seller_a, provider_x)
    awaiting_package(seller_a, provider_x)
    client = client_for(alice)

    for name in ["home", "returns:package_list", "tickets:list", "returns:notification_list"]:
        assertContains(client.get(reverse(name)), UNREAD_BADGE, html=False)

    client.post(reverse("returns:notification_read_all"))
    assertNotContains(client.get(reverse("returns:package_list")), "unread</span>")


def test_the_count_is_one_query_shared_with_the_page(client_for, alice, seller_a, provider_x):
    awaiting_package(seller_a, provider_x)
    client = client_for(alice)

    for name in ["home", "returns:notification_list", "returns:package_list"]:
        with CaptureQueriesContext(connection) as page:
            client.get(reverse(name))
        assert unread_counts(page.captured_queries) == 1, name


def test_a_ticket_notice_on_the_dashboard_links_to_its_ticket(
    client_for, alice, xavier, seller_a, provider_x
):
    package = awaiting_package(seller_a, provider_x)
    ticket = question_ticket(package, alice)
    reply_as_staff(ticket=ticket, author=xavier, body="It is on shelf B-07.")
    notice = Notification.objects.get(kind="ticket_reply", audience="seller")

    response = client_for(alice).get(reverse("home"))

    assertContains(response, f'<a href="{ticket.get_absolute_url()}">{notice.title}</a>', html=True)
    package_notice = as_sent(Notification.objects.get(kind="destruction_notice", audience="seller"))
    package_page = reverse("returns:package_detail", args=[package.public_id])
    assertContains(response, f'<a href="{package_page}">{package_notice.title}</a>', html=True)


@pytest.mark.postgres
def test_the_count_reads_the_unread_index(alice, seller_a, provider_x):
    awaiting_package(seller_a, provider_x)
    query = (
        Notification.objects.for_user(alice).filter(read_at__isnull=True).order_by().values("pk")
    )
    sql, params = query.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")  # a few rows would be read in full
        cursor.execute(f"EXPLAIN SELECT COUNT(*) FROM ({sql}) AS unread", params)
        plan = "\n".join(row[0] for row in cursor.fetchall())

    assert "notification_seller_unread" in plan


def test_past_99_the_nav_reads_99_plus_and_counts_no_further(client_for, alice, seller_a):
    package = PackageFactory(seller=seller_a)
    NotificationFactory.create_batch(99, package=package)
    client = client_for(alice)
    assertContains(client.get(reverse("returns:package_list")), "99 unread</span>")

    NotificationFactory(package=package)
    with CaptureQueriesContext(connection) as page:
        response = client.get(reverse("returns:package_list"))

    assertContains(response, '<span aria-hidden="true">99+</span>', html=False)
    assertContains(response, "More than 99 unread</span>")
    [count] = [q["sql"] for q in page.captured_queries if "read_at" in q["sql"]]
    assert "LIMIT 100" in count
    # The notices page still says how many exactly, and its nav reuses that count.
    with CaptureQueriesContext(connection) as page:
        response = client.get(reverse("returns:notification_list"))
    assertContains(response, "Mark all 100 as read")
    assertContains(response, "More than 99 unread</span>")
    assert unread_counts(page.captured_queries) == 1


def test_past_99_the_dashboard_says_more_than_99_with_the_navs_one_count(
    client_for, alice, seller_a
):
    NotificationFactory.create_batch(100, package=PackageFactory(seller=seller_a))

    with CaptureQueriesContext(connection) as page:
        response = client_for(alice).get(reverse("home"))

    assertContains(response, '<span class="badge text-bg-primary">More than 99 unread</span>')
    assertContains(response, '<span aria-hidden="true">99+</span>', html=False)
    assert unread_counts(page.captured_queries) == 1
    [count] = [q["sql"] for q in page.captured_queries if q["sql"].startswith("SELECT COUNT(")]
    assert "LIMIT 100" in count
