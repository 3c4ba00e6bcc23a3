"""The staff ticket page's package field: an id and a lookup scoped to the ticket's seller,
never a list of every package, and the inbox's checkboxes in one pass."""

import pytest
from django.contrib import admin
from django.db import connection
from django.test.utils import CaptureQueriesContext
from pytest_django.asserts import assertNotContains

from returns.models import FailedPackage
from tests.builders import awaiting_package, question_ticket
from tests.factories import PackageFactory
from tickets.models import Ticket

INBOX = "/admin/tickets/ticket/"


def page_of(ticket: Ticket) -> str:
    return f"{INBOX}{ticket.pk}/change/"


@pytest.fixture
def ticket_x(staff, alice, seller_a, provider_x) -> Ticket:
    return question_ticket(awaiting_package(seller_a, provider_x), alice)


def test_the_ticket_page_takes_the_same_queries_for_3_or_40_packages(
    client_for, xavier, seller_a, provider_x, ticket_x
):
    client = client_for(xavier)
    client.get(page_of(ticket_x))  # the user's permissions kept (portal.auth)

    def queries_with(total: int) -> int:
        for _ in range(total - FailedPackage.objects.filter(seller=seller_a).count()):
            PackageFactory(seller=seller_a, provider=provider_x)
        with CaptureQueriesContext(connection) as captured:
            assert client.get(page_of(ticket_x)).status_code == 200
        return len(captured)

    assert queries_with(3) == queries_with(40)


def test_the_package_is_an_id_with_a_lookup_among_the_sellers_packages(
    client_for, xavier, seller_a, provider_x, ticket_x
):
    other = PackageFactory(seller=seller_a, provider=provider_x)

    response = client_for(xavier).get(page_of(ticket_x))

    html = response.content.decode()
    assert 'class="vForeignKeyRawIdAdminField"' in html
    assert f'href="/admin/returns/failedpackage/?_to_field=id&amp;seller={seller_a.pk}"' in html
    assert ticket_x.package.tracking_number in html  # the linked one, named beside its id
    assertNotContains(response, other.tracking_number)  # no list of them all


def test_a_typed_id_of_another_sellers_package_is_refused_and_not_named(
    client_for, xavier, seller_b, provider_x, ticket_x
):
    theirs = PackageFactory(seller=seller_b, provider=provider_x, tracking_number="THEIRS-1")
    linked_before = ticket_x.package

    response = client_for(xavier).post(page_of(ticket_x), {"assignee": "", "package": theirs.pk})

    assert response.status_code == 200
    assert response.context["adminform"].form.errors["package"]
    assertNotContains(response, "THEIRS-1")
    ticket_x.refresh_from_db()
    assert ticket_x.package == linked_before


def test_the_inbox_checkboxes_are_the_admins_own_in_one_pass(staff, ticket_x):
    inbox = admin.site._registry[Ticket]

    assert inbox.action_checkbox(ticket_x) == admin.ModelAdmin.action_checkbox(inbox, ticket_x)
