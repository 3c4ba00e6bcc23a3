"""Every seller page answers seller A's objects to alice and is a 404 for bob.

Driven by the URL resolver walk: a new page in `returns` or `tickets` is
covered by default, and a new path parameter fails here until it is given a
value below.
"""

from dataclasses import dataclass

import pytest
from django.urls import reverse

from returns.models import FailedPackage, Notification
from tests.builders import awaiting_package, destroyed_package, file_ticket
from tests.files import png
from tests.urlwalk import Route, all_routes
from tickets.models import Attachment, Ticket

SELLER_NAMESPACES = {"returns", "tickets"}
# Opened by a token, not a session: its own tests show it reaches one package only
# (tests/tickets/test_one_click_refusals.py). The standing instruction is for owners only
# (alice is a member): tests/returns/test_instructions_settings.py shows it scoped to the
# owner's seller.
TOKEN_ROUTES = {"tickets:act", "returns:standing_instruction"}
SELLER_ROUTES = [
    route
    for route in all_routes()
    if (route.name == "home" or route.name.split(":")[0] in SELLER_NAMESPACES)
    and route.name not in TOKEN_ROUTES
]
# The certificate check is public by design: it names no seller
# (tests/returns/test_certificates.py).
OBJECT_ROUTES = [
    route for route in SELLER_ROUTES if route.params and route.name != "returns:verify"
]
LIST_ROUTES = [route for route in SELLER_ROUTES if not route.params]


@dataclass
class SellerAWorld:
    package: FailedPackage
    destroyed: FailedPackage
    ticket: Ticket
    attachment: Attachment
    notification: Notification

    def secrets(self) -> list[str]:
        """What identifies seller A's rows on a page."""
        tracking = FailedPackage.objects.filter(seller=self.package.seller).values_list(
            "tracking_number", flat=True
        )
        return [*tracking, self.ticket.reference, self.package.public_id]

    def snapshot(self) -> tuple:
        seller = self.package.seller
        return (
            list(FailedPackage.objects.filter(seller=seller).values_list("pk", "status")),
            list(Ticket.objects.filter(seller=seller).values_list("pk", "status")),
            list(Notification.objects.filter(seller=seller).values_list("pk", "read_at")),
        )

    def url(self, route: Route) -> str:
        values = {
            "public_id": self.package.public_id,
            "reference": self.ticket.reference,
            "attachment_id": self.attachment.pk,
            "notification_id": self.notification.pk,
        }
        # Only a destroyed package has a certificate and a destruction photo.
        if route.name in {
            "returns:certificate",
            "returns:certificate_pdf",
            "returns:destruction_photo",
        }:
            values["public_id"] = self.destroyed.public_id
        missing = set(route.params) - set(values)
        assert not missing, f"Give {route.name} a value for {missing} in SellerAWorld.url"
        return reverse(route.name, kwargs={name: values[name] for name in route.params})


@pytest.fixture
def world(client_for, alice, xavier, seller_a, provider_x) -> SellerAWorld:
    destroyed = destroyed_package(seller_a, provider_x, staff=xavier, photo=png("shredder.png"))
    claimed = awaiting_package(seller_a, provider_x)
    file_ticket(client_for(alice), claimed, attachments=[png()])
    return SellerAWorld(
        package=awaiting_package(seller_a, provider_x),
        destroyed=destroyed,
        ticket=Ticket.objects.get(),
        attachment=Attachment.objects.get(),
        notification=Notification.objects.for_user(alice).first(),
    )


def test_the_walk_finds_every_seller_page():
    names = {route.name for route in SELLER_ROUTES}
    assert {
        "home",
        "returns:package_list",
        "returns:package_detail",
        "returns:release",
        "returns:certificate",
        "returns:notification_list",
        "tickets:list",
        "tickets:new",
        "tickets:detail",
        "tickets:attachment",
    } <= names


@pytest.mark.parametrize("route", OBJECT_ROUTES, ids=lambda route: route.name)
def test_seller_a_objects_answer_alice_and_are_a_404_for_bob(route, world, client_for, alice, bob):
    url = world.url(route)

    answer_for_bob = client_for(bob).get(url)
    if answer_for_bob.status_code == 405:  # an action: it is posted, not fetched
        assert client_for(bob).post(url).status_code == 404
        assert client_for(alice).post(url).status_code == 302
    else:
        assert answer_for_bob.status_code == 404
        assert client_for(alice).get(url).status_code == 200


@pytest.mark.parametrize("route", LIST_ROUTES, ids=lambda route: route.name)
def test_seller_a_rows_are_listed_for_alice_and_never_for_bob(route, world, client_for, alice, bob):
    if client_for(alice).get(route.url).status_code == 405:
        # An action without an object: bob's post must leave seller A's rows as they were.
        before = world.snapshot()
        client_for(bob).post(route.url)
        assert world.snapshot() == before
        return
    for_alice = client_for(alice).get(route.url).content.decode()
    for_bob = client_for(bob).get(route.url).content.decode()

    secrets = world.secrets()
    assert any(secret in for_alice for secret in secrets)
    assert not [secret for secret in secrets if secret in for_bob]


def test_seller_pages_refuse_provider_staff(world, client_for, xavier):
    response = client_for(xavier).get(
        reverse("returns:package_detail", args=[world.package.public_id])
    )

    assert response.status_code == 403
