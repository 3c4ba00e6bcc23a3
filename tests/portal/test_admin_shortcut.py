"""The console's "view on site" shortcut (`/admin/r/<content type>/<id>/`) follows the tenant rule.

Django's own answers any staff user with a redirect to any object's page, so
its Location names another provider's ticket reference, and a 404 only for an
id that does not exist. Here another tenant's object and a missing one are the
same 404.
"""

from django.contrib.contenttypes.models import ContentType
from django.urls import reverse

from tests.builders import awaiting_package, question_ticket
from tickets.models import Ticket


def shortcut_url(content_type: ContentType, object_id: int) -> str:
    return reverse("admin:view_on_site", args=[content_type.pk, object_id])


def test_staff_are_sent_to_their_own_providers_ticket(
    client_for, xavier, seller_a, provider_x, alice
):
    ticket = question_ticket(awaiting_package(seller_a, provider_x), alice)

    response = client_for(xavier).get(
        shortcut_url(ContentType.objects.get_for_model(Ticket), ticket.pk)
    )

    assert response.status_code == 302
    assert response["Location"].endswith(ticket.get_absolute_url())


def test_another_providers_ticket_and_a_missing_one_are_the_same_404(
    client_for, yvonne, seller_a, provider_x, alice
):
    ticket = question_ticket(awaiting_package(seller_a, provider_x), alice)
    tickets = ContentType.objects.get_for_model(Ticket)
    client = client_for(yvonne)

    foreign = client.get(shortcut_url(tickets, ticket.pk))
    missing = client.get(shortcut_url(tickets, ticket.pk + 1000))

    assert (foreign.status_code, missing.status_code) == (404, 404)
    assert ticket.reference not in foreign.get("Location", "")


def test_a_row_without_a_tenant_rule_is_a_404_for_provider_staff(client_for, xavier, alice):
    users = ContentType.objects.get_for_model(type(alice))

    assert client_for(xavier).get(shortcut_url(users, alice.pk)).status_code == 404


def test_operators_follow_the_shortcut_to_any_ticket(
    client_for, operator, seller_a, provider_x, alice
):
    ticket = question_ticket(awaiting_package(seller_a, provider_x), alice)

    response = client_for(operator).get(
        shortcut_url(ContentType.objects.get_for_model(Ticket), ticket.pk)
    )

    assert response.status_code == 302
    assert response["Location"].endswith(ticket.get_absolute_url())


def test_a_seller_is_sent_to_the_console_sign_in(client_for, alice):
    response = client_for(alice).get(shortcut_url(ContentType.objects.get_for_model(Ticket), 1))

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("admin:login"))
