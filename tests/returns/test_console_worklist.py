"""The console's index: the day's work as counts, each a link to exactly those rows."""

import re
from datetime import timedelta

import pytest

from portal.worklist import work_for
from returns.models import Notification
from tests.factories import NotificationFactory, PackageFactory
from tests.returns.console import NOW

# --- the work list --------------------------------------------------------------------


@pytest.fixture
def work(provider_x, provider_y, seller_a, seller_b, console_clock):
    """Provider X's day, with provider Y's rows around it that must not be counted."""
    for provider, seller in ((provider_x, seller_a), (provider_y, seller_b)):
        make = PackageFactory
        make(
            provider=provider, seller=seller, awaiting=True, claim_deadline=NOW + timedelta(hours=3)
        )
        make(
            provider=provider, seller=seller, awaiting=True, claim_deadline=NOW + timedelta(days=5)
        )
        make(provider=provider, seller=seller, claimed=True)
        make(provider=provider, seller=seller, pending_destruction=True)
        make(
            provider=provider,
            seller=seller,
            pending_destruction=True,
            destruction_overdue_at=NOW - timedelta(days=1),
        )
        failed = NotificationFactory(
            package=make(provider=provider, seller=seller, returned=True), status="failed"
        )
        NotificationFactory(package=failed.package)  # pending


def test_the_work_list_counts_only_the_staffs_provider(xavier, work):
    counts = {item.label: item.count for item in work_for(xavier)}

    assert counts == {
        "Claim windows closing within 48 hours": 1,
        "Claimed: to send back": 1,
        "Waiting for destruction": 2,
        "Destructions overdue": 1,
        "Unassigned open tickets": 0,
        "Tickets overdue": 0,
        "Emails that could not be sent": 1,
    }


def test_each_work_list_count_links_to_a_list_of_exactly_those_rows(client_for, xavier, work):
    client = client_for(xavier)
    index = client.get("/admin/").content.decode()

    for item in work_for(xavier):
        link = item.url.replace("&", "&amp;")
        assert re.search(rf'href="{re.escape(link)}"[^>]*>{item.count}</a>', index), item.label
        assert client.get(item.url).context["cl"].result_count == item.count, item.label


def test_the_index_keeps_the_app_list_below_the_work_list(client_for, xavier, work):
    text = client_for(xavier).get("/admin/").content.decode()

    assert text.index("What needs doing") < text.index('class="app-returns module')


def test_operators_count_every_provider(operator, work):
    counts = {item.label: item.count for item in work_for(operator)}

    assert counts["Waiting for destruction"] == 4
    assert counts["Emails that could not be sent"] == 2


def test_failed_notifications_are_counted_once_notifications_are_retried(client_for, xavier, work):
    failed = Notification.objects.for_user(xavier).get(status="failed")

    client_for(xavier).post(
        "/admin/returns/notification/", {"action": "retry", "_selected_action": [failed.pk]}
    )

    counts = {item.label: item.count for item in work_for(xavier)}
    assert counts["Emails that could not be sent"] == 0
