"""The intake API under concurrent requests (PostgreSQL)."""

import json
import threading

import pytest
import time_machine
from django.db import connection
from django.test import Client

from returns import tokens
from returns.models import (
    DeliveryAttempt,
    FailedPackage,
    IntakeEvent,
    Notification,
    PackageEvent,
)
from tests.returns.api.carrier import Carrier, attempt_failed, registered


def send_at_once(carrier: Carrier, event: dict, threads: int = 8) -> list[tuple[int, bytes]]:
    """The same event posted by `threads` clients at the same moment; their answers."""
    body = json.dumps(event)
    start = threading.Barrier(threads)
    answers, errors = [], []

    def send():
        try:
            own_client = Carrier(Client(), carrier.token)
            start.wait()
            response = own_client.post(body)
            answers.append((response.status_code, response.content))
        except BaseException as exc:  # surfaced to the test below
            errors.append(exc)
        finally:
            connection.close()

    workers = [threading.Thread(target=send) for _ in range(threads)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()

    assert errors == []
    assert len(answers) == threads
    return answers


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_the_same_event_sent_at_once_from_many_threads_is_applied_once(carrier_x):
    carrier_x.send(registered())
    carrier_x.send(attempt_failed(1))
    carrier_x.send(attempt_failed(2))

    answers = send_at_once(carrier_x, attempt_failed(3))

    assert len(set(answers)) == 1, answers
    assert answers[0][0] == 200
    assert IntakeEvent.objects.filter(event_id="attempt-3").count() == 1
    assert DeliveryAttempt.objects.count() == 3
    assert PackageEvent.objects.filter(action="delivery_failed").count() == 1
    assert Notification.objects.filter(kind="destruction_notice").count() == 1


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_first_attempt_sent_at_once_from_many_threads_is_recorded_once(carrier_x):
    # Unlike the third, a repeated first attempt would be valid: only the event id stops it.
    carrier_x.send(registered())

    answers = send_at_once(carrier_x, attempt_failed(1))

    assert len(set(answers)) == 1, answers
    assert answers[0][0] == 200
    assert json.loads(answers[0][1])["attempts"] == 1
    assert IntakeEvent.objects.filter(event_id="attempt-1").count() == 1
    assert DeliveryAttempt.objects.count() == 1
    assert PackageEvent.objects.filter(action="attempt_failed").count() == 1


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_registration_sent_at_once_from_many_threads_registers_once(carrier_x):
    answers = send_at_once(carrier_x, registered())

    assert len(set(answers)) == 1, answers
    assert answers[0][0] == 201
    assert FailedPackage.objects.count() == 1
    assert IntakeEvent.objects.filter(event_id="reg-1").count() == 1


def test_last_use_is_written_at_most_once_a_minute(client, provider_x):
    token, raw = tokens.create_api_token(provider=provider_x, name="feed")
    carrier = Carrier(client, raw)
    with time_machine.travel("2026-03-03 10:00:00Z", tick=False):
        carrier.package()
    with time_machine.travel("2026-03-03 10:00:40Z", tick=False):
        carrier.package()
    token.refresh_from_db()
    assert token.last_used_at.isoformat() == "2026-03-03T10:00:00+00:00"

    with time_machine.travel("2026-03-03 10:01:30Z", tick=False):
        carrier.package()

    token.refresh_from_db()
    assert token.last_used_at.isoformat() == "2026-03-03T10:01:30+00:00"
