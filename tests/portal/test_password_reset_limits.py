"""Password-reset emails are limited per client address and per target email.

Every request gets the same answer (the "check your email" page), whether the
address has an account, has none, or is over a limit: the page tells nobody
which. The counts are rows in the database, so they hold across web nodes.
"""

import threading
from datetime import timedelta

import pytest
import time_machine
from django.core import mail
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from portal.throttle import take
from tests.factories import UserFactory

ADDRESS = "203.0.113.5"


@pytest.fixture
def limits(settings):
    settings.PASSWORD_RESET_EMAIL_LIMIT = 3
    settings.PASSWORD_RESET_ADDRESS_LIMIT = 10
    settings.PASSWORD_RESET_WINDOW = timedelta(hours=1)
    return settings


def ask(client, email, address=ADDRESS):
    return client.post(reverse("password_reset"), {"email": email}, REMOTE_ADDR=address)


def test_twelve_requests_for_one_email_send_three(client, alice, limits):
    answers = [ask(client, alice.email, address=f"192.0.2.{n}") for n in range(12)]

    assert len(mail.outbox) == 3
    assert {(a.status_code, a["Location"]) for a in answers} == {
        (302, reverse("password_reset_done"))
    }


def test_one_address_asking_for_many_accounts_is_limited(client, db, limits):
    users = [UserFactory(email=f"user{n}@shop.example") for n in range(12)]

    for user in users:
        ask(client, user.email)

    assert len(mail.outbox) == 10
    ask(client, "user11@shop.example", address="198.51.100.7")  # its own limit is not used up
    assert len(mail.outbox) == 11


def test_a_refused_request_looks_like_any_other(client, alice, limits):
    limits.PASSWORD_RESET_EMAIL_LIMIT = 1
    first = ask(client, alice.email)
    over_limit = ask(client, alice.email)
    unknown = ask(client, "nobody@shop.example")

    assert len(mail.outbox) == 1
    assert first["Location"] == over_limit["Location"] == unknown["Location"]
    page = client.get(first["Location"]).content
    assert page == client.get(over_limit["Location"]).content


def test_the_limit_starts_again_in_the_next_window(client, alice, limits):
    start = timezone.now().replace(minute=0, second=0, microsecond=0)
    with time_machine.travel(start + timedelta(minutes=50), tick=False):
        for _ in range(4):
            ask(client, alice.email)
    assert len(mail.outbox) == 3

    with time_machine.travel(start + timedelta(minutes=70), tick=False):
        ask(client, alice.email)

    assert len(mail.outbox) == 4


def test_an_invalid_email_is_still_a_form_error(client, db, limits):
    response = ask(client, "not an email")

    assert response.status_code == 200
    assert "Enter a valid email address." in response.content.decode()


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_requests_at_the_same_moment_never_take_more_than_the_limit():
    start = threading.Barrier(8)
    taken: list[bool] = []

    def request():
        try:
            start.wait()
            taken.append(take("reset-email:race", limit=3, window=timedelta(hours=1)))
        finally:
            connection.close()

    threads = [threading.Thread(target=request) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert sorted(taken) == [False] * 5 + [True] * 3
