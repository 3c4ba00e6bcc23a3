"""Each intake event, end to end: the package, its attempts, events and notices."""

from datetime import UTC, datetime

import time_machine
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext

from returns import outbox
from returns.models import (
    DeliveryAttempt,
    FailedPackage,
    Notification,
)
from tests.returns.api.carrier import attempt_failed, delivered, registered, rejected


def test_registering_a_return_creates_the_package_in_delivery(carrier_x, provider_x, seller_a):
    response = carrier_x.send(registered())

    assert response.status_code == 201
    package = FailedPackage.objects.get()
    assert response.json() == {
        "event_id": "reg-1",
        "type": "return_registered",
        "tracking_number": "TRK-1",
        "public_id": package.public_id,
        "status": "in_delivery",
        "reason": "",
        "claim_deadline": None,
        "attempts": 0,
    }
    assert (package.provider, package.seller, package.order_id) == (provider_x, seller_a, "ORD-1")
    assert (package.weight_grams, str(package.declared_value), package.currency) == (
        850,
        "49.90",
        "THB",
    )
    assert package.warehouse_location == "B-12-3"
    [event] = package.events.all()
    assert (event.action, event.channel, event.to_status) == ("registered", "api", "in_delivery")


def test_a_failed_attempt_is_recorded_and_the_package_stays_in_delivery(carrier_x):
    carrier_x.send(registered())

    response = carrier_x.send(attempt_failed(1))

    assert response.status_code == 200
    assert response.json()["status"] == "in_delivery"
    assert response.json()["attempts"] == 1
    [attempt] = DeliveryAttempt.objects.all()
    assert (attempt.number, attempt.failure_reason, attempt.courier_note) == (
        1,
        "Nobody at the address",
        "Try 1",
    )
    assert Notification.objects.count() == 0


def test_through_the_api_alone_three_failed_attempts_leave_the_package_to_the_seller(carrier_x):
    # 15:20 on 3 March in Bangkok, where Shop A is: the window ends 10 March, 23:59:59 there.
    with time_machine.travel(datetime(2026, 3, 3, 8, 20, tzinfo=UTC), tick=False):
        carrier_x.send(registered())
        for number in (1, 2, 3):
            assert carrier_x.send(attempt_failed(number)).status_code == 200

        response = carrier_x.package()

    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "awaiting_seller"
    assert body["reason"] == "delivery_failed"
    assert body["claim_deadline"] == "2026-03-10T16:59:59Z"
    assert [a["number"] for a in body["attempts"]] == [1, 2, 3]
    [notice] = Notification.objects.filter(kind="destruction_notice")
    assert notice.to_email == "shop-a@shops.example"
    assert notice.status == "pending"

    outbox.deliver_notifications()

    [email] = mail.outbox
    assert email.to == ["shop-a@shops.example"]
    assert "TRK-1" in email.body
    notice.refresh_from_db()
    assert notice.status == "sent"


def test_a_failed_attempt_reads_the_package_once_and_takes_no_savepoint_of_its_own(carrier_x):
    carrier_x.send(registered())

    with CaptureQueriesContext(connection) as queries:
        response = carrier_x.send(attempt_failed(1))

    assert response.status_code == 200
    statements = [query["sql"] for query in queries]
    # The token; the package, locked, with its attempts counted; the attempt and its
    # audit event; the answer stored. The savepoint is the event's own transaction,
    # nested in the test's.
    assert len(statements) == 7, "\n".join(statements)
    assert sum(sql.startswith('SELECT "returns_failedpackage"') for sql in statements) == 1
    assert sum(sql.startswith("SAVEPOINT") for sql in statements) == 1


def test_a_registration_answers_from_the_package_it_wrote_without_reading_it_back(carrier_x):
    carrier_x.send(registered(event_id="reg-0", tracking_number="TRK-0"))  # the token's first use

    with CaptureQueriesContext(connection) as queries:
        response = carrier_x.send(registered())

    assert response.status_code == 201
    assert response.json()["attempts"] == 0
    statements = [query["sql"] for query in queries]
    # The token; the seller by shop code; the tracking number looked up, then the package
    # written in a savepoint (a twin registered a moment ago fails its unique constraint)
    # with its audit event; the answer stored. The three savepoints are the event's
    # transaction, the service's and the insert's, nested in the test's.
    assert len(statements) == 12, "\n".join(statements)
    assert sum(sql.startswith('SELECT "returns_failedpackage"') for sql in statements) == 0
    assert sum(sql.startswith("SAVEPOINT") for sql in statements) == 3


def test_the_third_failed_attempt_adds_only_the_status_change_and_the_notice(carrier_x):
    carrier_x.send(registered())
    carrier_x.send(attempt_failed(1))
    carrier_x.send(attempt_failed(2))

    with CaptureQueriesContext(connection) as queries:
        response = carrier_x.send(attempt_failed(3))

    assert response.json()["status"] == "awaiting_seller"
    statements = [query["sql"] for query in queries]
    # The seven of any attempt (see above), the package's status changed, and the notice:
    # its key looked up once, then written unrendered in a savepoint of its own (the outbox
    # reads the attempts it lists and the seller's confirmed addresses as it sends it,
    # returns.outbox.rendering); the seller's standing instruction read (one
    # indexed row, returns.instructions); and the notice's two one-click links
    # (returns.action_links), in one INSERT. The attempt was made hours before it is
    # reported, so the console's kept chart days around it are let go to be counted again
    # (returns.day_counts.reopen: one indexed DELETE, and on PostgreSQL the shared advisory
    # lock a count of those days waits on).
    reopen = 2 if connection.vendor == "postgresql" else 1
    assert len(statements) == 14 + reopen, "\n".join(statements)


def test_delivery_to_the_seller_returns_the_package(carrier_x):
    carrier_x.send(registered())
    carrier_x.send(attempt_failed(1))

    response = carrier_x.send(delivered())

    assert response.status_code == 200
    assert response.json()["status"] == "returned"
    package = FailedPackage.objects.get()
    assert package.returned_at is not None
    assert list(package.attempts.values_list("outcome", flat=True)) == ["failed", "delivered"]


def test_a_seller_rejection_sends_the_package_to_destruction(carrier_x):
    carrier_x.send(registered())

    response = carrier_x.send(rejected())

    assert response.status_code == 200
    assert response.json()["status"] == "destruction_pending"
    assert response.json()["reason"] == "seller_rejected"
    kinds = set(Notification.objects.values_list("kind", flat=True))
    assert kinds == {"destruction_instruction", "rejection_notice"}


def test_reading_a_package_shows_its_status_deadline_and_attempts(carrier_x):
    carrier_x.send(registered())
    carrier_x.send(attempt_failed(1))

    body = carrier_x.package().json()

    assert body["tracking_number"] == "TRK-1"
    assert body["shop_code"] == "SHOP-A"
    assert body["status"] == "in_delivery"
    assert body["claim_deadline"] is None
    [attempt] = body["attempts"]
    assert attempt["failure_reason"] == "Nobody at the address"
