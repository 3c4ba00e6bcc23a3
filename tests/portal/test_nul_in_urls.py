"""A NUL character anywhere in a URL is a 404 — PostgreSQL refuses it even in a lookup,
which was a 500 on every page that looks an id up."""

import pytest
from django.urls import Resolver404, resolve

from returns import tokens
from tests.builders import awaiting_package, question_ticket

pytestmark = pytest.mark.postgres

SELLER_URLS = [
    "/packages/%00/",
    "/packages/%00/release/",
    "/packages/%00/certificate/",
    "/packages/%00/destruction-photo/",
    "/packages/?search=%00",
    "/packages/?status=%00",
    "/tickets/%00/",
    "/tickets/%00/close/",
    "/tickets/%00/attachments/1/",
    "/tickets/new/?package=%00",
    "/tickets/?status=%00",
    "/notifications/?page=%00",
    "/?x%00=1",
]

CONSOLE_URLS = [
    "/admin/returns/failedpackage/?reason__exact=%00",
    "/admin/returns/failedpackage/?status__exact=%00",
    "/admin/returns/failedpackage/?q=%00",
    "/admin/returns/failedpackage/%00/change/",
    "/admin/tickets/ticket/?status__exact=%00",
    "/admin/tickets/ticket/%00/change/",
    "/admin/returns/notification/?kind__exact=%00",
]


@pytest.mark.parametrize("url", SELLER_URLS)
def test_a_nul_in_a_seller_url_is_not_found(client_for, alice, seller_a, provider_x, url):
    package = awaiting_package(seller_a, provider_x)
    question_ticket(package, alice)

    assert client_for(alice).get(url).status_code == 404


def test_a_nul_in_an_attachment_or_photo_url_of_a_real_ticket_is_not_found(
    client_for, alice, seller_a, provider_x
):
    package = awaiting_package(seller_a, provider_x)
    ticket = question_ticket(package, alice)
    client = client_for(alice)

    assert client.get(f"/tickets/{ticket.reference}%00/").status_code == 404
    assert client.get(f"/tickets/{ticket.reference}/attachments/1%00/").status_code == 404
    assert client.get(f"/packages/{package.public_id}%00/destruction-photo/").status_code == 404


@pytest.mark.parametrize("url", CONSOLE_URLS)
def test_a_nul_in_a_console_url_is_not_found(client_for, xavier, seller_a, provider_x, url):
    awaiting_package(seller_a, provider_x)

    assert client_for(xavier).get(url).status_code == 404


def test_a_nul_in_an_api_url_is_a_json_404(client, provider_x):
    _, raw = tokens.create_api_token(provider=provider_x, name="feed")

    response = client.get("/api/v1/packages/%00?x=%00", headers={"Authorization": f"Bearer {raw}"})

    assert response.status_code == 404
    assert response["Content-Type"] == "application/json"


@pytest.mark.parametrize(
    "path",
    ["/packages/\x00/", "/packages/abc%/", "/tickets/\x00/", "/tickets/rt-abc/close/"],
)
def test_ids_outside_their_alphabet_match_no_route(path):
    with pytest.raises(Resolver404):
        resolve(path)


def test_ids_in_their_alphabet_match_their_route():
    assert resolve("/packages/Ab-9_xYz012345/").url_name == "package_detail"
    assert resolve("/tickets/RT-7K3F9Q/").url_name == "detail"
