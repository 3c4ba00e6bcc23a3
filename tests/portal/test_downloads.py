"""Ticket attachments and destruction photos go to whoever the console shows them to.

Provider staff need the permission the console checks (the Provider staff
group): staff of the provider outside the group get the console's own answer
(403), another provider's staff a 404, and a seller their own files except
those on internal notes.
"""

import pytest
from django.urls import reverse

from returns.models import FailedPackage
from tests.builders import awaiting_package, destroyed_package, question_ticket
from tests.factories import UserFactory
from tests.files import pdf, png
from tickets.attachments import check_upload
from tickets.models import Attachment, Ticket
from tickets.services import reply_as_staff


@pytest.fixture
def otto(provider_x):
    """Staff status at provider X, but not in the Provider staff group."""
    return UserFactory(email="otto@swiftlane.example", provider=provider_x, is_staff=True)


@pytest.fixture
def ticket(seller_a, provider_x, alice) -> Ticket:
    return question_ticket(awaiting_package(seller_a, provider_x), alice)


@pytest.fixture
def public_file(ticket, xavier) -> Attachment:
    message = reply_as_staff(
        ticket=ticket, author=xavier, body="The label", files=[check_upload(png())]
    )
    return message.attachments.get()


@pytest.fixture
def internal_file(ticket, xavier) -> Attachment:
    message = reply_as_staff(
        ticket=ticket, author=xavier, body="Damage", internal=True, files=[check_upload(pdf())]
    )
    return message.attachments.get()


@pytest.fixture
def destroyed(seller_a, provider_x, xavier) -> FailedPackage:
    return destroyed_package(seller_a, provider_x, staff=xavier, photo=png("IMG_0042.png"))


def attachment_url(attachment: Attachment) -> str:
    return reverse("tickets:attachment", args=[attachment.message.ticket.reference, attachment.pk])


def photo_url(package: FailedPackage) -> str:
    return reverse("returns:destruction_photo", args=[package.public_id])


def console_answer(client, obj) -> int:
    meta = obj._meta
    return client.get(reverse(f"admin:{meta.app_label}_{meta.model_name}_change", args=[obj.pk]))


@pytest.mark.parametrize("kind", ["public_file", "internal_file"])
def test_provider_staff_in_the_group_get_every_file_of_their_tickets(
    client_for, xavier, kind, request
):
    response = client_for(xavier).get(attachment_url(request.getfixturevalue(kind)))

    assert response.status_code == 200


@pytest.mark.parametrize("kind", ["public_file", "internal_file"])
def test_staff_outside_the_group_get_no_attachment_as_the_console_answers(
    client_for, otto, ticket, kind, request
):
    client = client_for(otto)

    response = client.get(attachment_url(request.getfixturevalue(kind)))

    assert console_answer(client, ticket).status_code == 403
    assert response.status_code == 403


@pytest.mark.parametrize("kind", ["public_file", "internal_file"])
def test_another_providers_staff_get_a_404_for_an_attachment(client_for, yvonne, kind, request):
    response = client_for(yvonne).get(attachment_url(request.getfixturevalue(kind)))

    assert response.status_code == 404


def test_the_seller_gets_their_attachment_but_not_one_on_an_internal_note(
    client_for, alice, bob, public_file, internal_file
):
    assert client_for(alice).get(attachment_url(public_file)).status_code == 200
    assert client_for(alice).get(attachment_url(internal_file)).status_code == 404
    assert client_for(bob).get(attachment_url(public_file)).status_code == 404


def test_provider_staff_in_the_group_get_the_destruction_photo(client_for, xavier, destroyed):
    assert client_for(xavier).get(photo_url(destroyed)).status_code == 200


def test_staff_outside_the_group_get_no_photo_as_the_console_answers(client_for, otto, destroyed):
    client = client_for(otto)

    response = client.get(photo_url(destroyed))

    assert console_answer(client, destroyed).status_code == 403
    assert response.status_code == 403


def test_another_providers_staff_get_a_404_for_the_photo(client_for, yvonne, destroyed):
    assert client_for(yvonne).get(photo_url(destroyed)).status_code == 404


def test_the_seller_gets_their_photo_and_another_seller_a_404(client_for, alice, bob, destroyed):
    assert client_for(alice).get(photo_url(destroyed)).status_code == 200
    assert client_for(bob).get(photo_url(destroyed)).status_code == 404
