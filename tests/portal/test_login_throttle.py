"""Sign-in lock-outs key on the person's address, behind load balancers too.

Locked: one account from one address after AXES_FAILURE_LIMIT failures, and
one address for every account after LOGIN_ADDRESS_FAILURE_LIMIT failures
across usernames. The address is REMOTE_ADDR, or with TRUSTED_PROXY_COUNT=N
the Nth entry from the right of X-Forwarded-For.
"""

import pytest
from django.test import RequestFactory
from django.urls import reverse

from portal.clients import client_address
from tests.factories import PASSWORD

BALANCER = "10.0.0.2"
CLIENT_A = "203.0.113.5"
CLIENT_B = "198.51.100.7"


def sign_in(client, email, password=PASSWORD, *, forwarded=None, remote=BALANCER):
    headers = {"REMOTE_ADDR": remote}
    if forwarded is not None:
        headers["HTTP_X_FORWARDED_FOR"] = forwarded
    return client.post(reverse("login"), {"username": email, "password": password}, **headers)


@pytest.fixture
def limits(settings):
    settings.LOGIN_FAILURE_LIMIT = 5
    settings.LOGIN_ADDRESS_FAILURE_LIMIT = 12
    return settings


def test_behind_a_balancer_failures_from_one_client_do_not_lock_out_another(client, alice, limits):
    limits.TRUSTED_PROXY_COUNT = 1
    for _ in range(5):
        sign_in(client, alice.email, "wrong", forwarded=CLIENT_A)

    assert sign_in(client, alice.email, forwarded=CLIENT_A).status_code == 429
    assert sign_in(client, alice.email, forwarded=CLIENT_B).status_code == 302


def test_one_address_trying_many_accounts_is_stopped_for_every_account(client, alice, limits):
    limits.TRUSTED_PROXY_COUNT = 1
    answers = [
        sign_in(client, f"guess{n}@shop.example", "wrong", forwarded=CLIENT_A).status_code
        for n in range(12)
    ]

    assert answers == [200] * 11 + [429]  # the twelfth failure locks the address
    assert sign_in(client, alice.email, forwarded=CLIENT_A).status_code == 429
    assert sign_in(client, alice.email, forwarded=CLIENT_B).status_code == 302


def test_below_the_address_limit_other_accounts_from_that_address_still_sign_in(
    client, alice, limits
):
    for n in range(11):
        sign_in(client, f"guess{n}@shop.example", "wrong", remote=CLIENT_A)

    assert sign_in(client, alice.email, remote=CLIENT_A).status_code == 302


def test_without_trusted_proxies_a_forged_forwarded_for_is_ignored(client, alice, limits):
    limits.TRUSTED_PROXY_COUNT = 0
    for n in range(5):
        sign_in(client, alice.email, "wrong", remote=CLIENT_A, forwarded=f"192.0.2.{n}")

    assert sign_in(client, alice.email, remote=CLIENT_A, forwarded=CLIENT_B).status_code == 429
    assert sign_in(client, alice.email, remote=CLIENT_B).status_code == 302


@pytest.mark.parametrize(
    ("count", "forwarded", "expected"),
    [
        (0, "192.0.2.9, 203.0.113.5", BALANCER),
        (1, "192.0.2.9, 203.0.113.5", "203.0.113.5"),
        (2, "192.0.2.9, 203.0.113.5, 198.51.100.7", "203.0.113.5"),
        (2, "203.0.113.5", "203.0.113.5"),  # came in behind the outer proxy
        (1, "", BALANCER),
        (1, "not-an-address", BALANCER),
        (1, "2001:db8::1", "2001:db8::1"),
    ],
)
def test_the_client_address_is_the_nth_forwarded_entry_from_the_right(
    settings, count, forwarded, expected
):
    settings.TRUSTED_PROXY_COUNT = count
    request = RequestFactory().get("/", REMOTE_ADDR=BALANCER, HTTP_X_FORWARDED_FOR=forwarded)

    assert client_address(request) == expected
