"""What a one-click link cannot do: other packages or actions, tampering, late or replayed use."""

from datetime import timedelta

import pytest
import time_machine

from returns import services
from returns.models import ActionLink, Channel, FailedPackage
from tests.builders import awaiting_package
from tests.tickets.one_click_helpers import LET_GO, SEND_BACK, act, send_back, url_of
from tickets.models import Ticket

Status = FailedPackage.Status

pytestmark = pytest.mark.django_db


# --- what a link cannot do ---------------------------------------------------------------


def test_a_link_does_not_act_on_another_package(package, tokens, client, seller_a, provider_x):
    other = awaiting_package(seller_a, provider_x)

    response = send_back(client, tokens[SEND_BACK], other)

    assert response.status_code == 400
    for each in (package, other):
        each.refresh_from_db()
        assert each.status == Status.AWAITING_SELLER
    assert not Ticket.objects.exists()


def test_a_link_does_not_take_another_action(package, tokens, client):
    response = act(client, tokens[SEND_BACK], package, LET_GO)

    assert response.status_code == 400
    package.refresh_from_db()
    assert package.status == Status.AWAITING_SELLER
    assert ActionLink.objects.filter(used_at__isnull=False).count() == 0


@pytest.mark.parametrize("change", ["last", "first", "cut", "long"])
def test_a_tampered_token_is_not_valid(package, tokens, client, change):
    token = tokens[SEND_BACK]
    tampered = {
        "last": token[:-1] + ("0" if token[-1] != "0" else "1"),
        "first": ("0" if token[0] != "0" else "1") + token[1:],
        "cut": token[:40],
        "long": token * 3,
    }[change]

    get = client.get(url_of(tampered))
    post = send_back(client, tampered, package)

    assert get.status_code == post.status_code == 404
    assert "This link is not valid" in get.content.decode()
    assert "/accounts/login/" in get.content.decode()
    package.refresh_from_db()
    assert package.status == Status.AWAITING_SELLER


def test_an_expired_link_says_the_window_closed(package, tokens, client):
    with time_machine.travel(package.claim_deadline + timedelta(seconds=1), tick=False):
        get = client.get(url_of(tokens[SEND_BACK]))
        post = send_back(client, tokens[SEND_BACK], package)

    assert get.status_code == 410 and post.status_code == 409
    for response in (get, post):
        page = response.content.decode()
        assert "window for package" in page and "closed on" in page
        assert "+66 2 555 0142" in page and "/accounts/login/" in page
    package.refresh_from_db()
    assert package.status == Status.AWAITING_SELLER


def test_a_link_works_until_the_last_second_of_the_deadline(package, tokens, client):
    with time_machine.travel(package.claim_deadline, tick=False):
        response = act(client, tokens[LET_GO], package, LET_GO)

    assert response.status_code == 200
    package.refresh_from_db()
    assert package.status == Status.DESTRUCTION_PENDING


def test_a_replayed_link_is_refused_with_the_package_state(package, tokens, client):
    send_back(client, tokens[SEND_BACK], package)

    again = send_back(client, tokens[SEND_BACK], package)
    opened = client.get(url_of(tokens[SEND_BACK]))

    assert again.status_code == 409 and opened.status_code == 410
    for response in (again, opened):
        assert "is already on its way back to you" in response.content.decode()
    assert Ticket.objects.filter(package=package).count() == 1
    assert package.events.filter(action="claimed").count() == 1


def test_the_other_button_is_void_once_the_package_changed_state(package, tokens, client):
    act(client, tokens[LET_GO], package, LET_GO)

    response = send_back(client, tokens[SEND_BACK], package)

    assert response.status_code == 409
    assert "because you told us you no longer need it" in response.content.decode()
    package.refresh_from_db()
    assert package.status == Status.DESTRUCTION_PENDING
    assert not Ticket.objects.exists()


def test_a_staff_phone_claim_voids_the_links(package, tokens, client, xavier):
    services.claim_package(package=package, actor=xavier, channel=Channel.ADMIN, note="Phoned")

    opened = client.get(url_of(tokens[LET_GO]))
    posted = act(client, tokens[LET_GO], package, LET_GO)

    assert opened.status_code == 410 and posted.status_code == 409
    assert "is already on its way back to you" in posted.content.decode()
    package.refresh_from_db()
    assert package.status == Status.CLAIMED


def test_a_package_with_an_open_claim_ticket_is_refused_as_a_second_claim(package, tokens, client):
    # A claim ticket on a package that is still awaiting: only a staff fix-up makes one.
    Ticket.objects.create(
        seller=package.seller,
        provider=package.provider,
        package=package,
        category=Ticket.Category.SEND_BACK,
        subject="Earlier",
    )

    response = send_back(client, tokens[SEND_BACK], package)

    assert response.status_code == 409
    assert "already has an open ticket" in response.content.decode()
    package.refresh_from_db()
    assert package.status == Status.AWAITING_SELLER
    assert ActionLink.objects.filter(used_at__isnull=False).count() == 0
