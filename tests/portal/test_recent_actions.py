"""The console index's "Recent actions": what this agent did, from the services' records."""

from datetime import timedelta

import time_machine
from django.utils import timezone
from pytest_django.asserts import assertContains, assertNotContains

from portal.worklist import recent_for
from returns import services
from returns.models import Channel, PackageEvent
from tests.builders import awaiting_package, question_ticket
from tests.factories import PackageFactory
from tickets import services as ticket_services


def panel(response) -> str:
    html = response.content.decode()
    return html[html.index('id="recent-actions-module"') :]


def test_the_panel_lists_the_agents_own_package_and_ticket_actions_newest_first(
    client_for, xavier, alice, seller_a, provider_x
):
    start = timezone.now()
    package = PackageFactory(
        seller=seller_a, provider=provider_x, claimed=True, tracking_number="TRK-1"
    )
    ticket = question_ticket(awaiting_package(seller_a, provider_x), alice)
    with time_machine.travel(start + timedelta(minutes=1), tick=False):
        services.mark_returned(package=package, actor=xavier, channel=Channel.ADMIN)
    with time_machine.travel(start + timedelta(minutes=2), tick=False):
        ticket_services.reply_as_staff(ticket=ticket, author=xavier, body="On shelf B-07.")
    with time_machine.travel(start + timedelta(minutes=3), tick=False):
        ticket_services.reply_as_staff(ticket=ticket, author=xavier, body="Seal ok", internal=True)

    response = client_for(xavier).get("/admin/")

    assert [action.text for action in recent_for(xavier)] == [
        f"Internal note on ticket {ticket.reference}",
        f"Reply on ticket {ticket.reference}",
        "TRK-1: Returned",
    ]
    assertContains(response, f'href="/admin/returns/failedpackage/{package.pk}/change/"')
    assertContains(response, f'href="/admin/tickets/ticket/{ticket.pk}/change/"', count=2)
    assert "None available" not in panel(response)


def test_another_agents_actions_and_another_providers_rows_never_appear(
    client_for, xavier, yvonne, seller_a, provider_x, provider_y, alice
):
    theirs = PackageFactory(
        seller=seller_a, provider=provider_y, claimed=True, tracking_number="Y-1"
    )
    services.mark_returned(package=theirs, actor=yvonne, channel=Channel.ADMIN)
    # Xavier's own event on a package of another provider (he moved there since): not his now.
    PackageEvent.objects.create(
        package=theirs, action="returned", to_status="returned", actor=xavier, channel="admin"
    )
    other_ticket = question_ticket(awaiting_package(seller_a, provider_y), alice)
    ticket_services.reply_as_staff(ticket=other_ticket, author=xavier, body="Hello")

    response = client_for(xavier).get("/admin/")

    assert recent_for(xavier) == []
    assert "None available" in panel(response)
    assertNotContains(response, "Y-1")
    assertNotContains(response, other_ticket.reference)


def test_the_panel_costs_one_query_per_app_whatever_the_history(
    xavier, seller_a, provider_x, django_assert_num_queries
):
    for _ in range(15):
        package = PackageFactory(seller=seller_a, provider=provider_x, claimed=True)
        services.mark_returned(package=package, actor=xavier, channel=Channel.ADMIN)
    recent_for(xavier)  # the user's permissions, cached on the user from here on

    with django_assert_num_queries(2):
        actions = recent_for(xavier)

    assert len(actions) == 10
