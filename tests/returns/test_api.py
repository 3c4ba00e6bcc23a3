"""The intake API as a carrier system uses it: tokens, events, replays and the answers."""

import json
import re
import threading
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.core import mail
from django.core.management import CommandError, call_command
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from returns import outbox, tokens
from returns.models import (
    ApiToken,
    DeliveryAttempt,
    FailedPackage,
    IntakeEvent,
    Notification,
    PackageEvent,
)
from tests.factories import PackageFactory

Status = FailedPackage.Status


def ago(**delta) -> str:
    return (timezone.now() - timedelta(**delta)).isoformat()


def registered(**fields) -> dict:
    return {
        "type": "return_registered",
        "event_id": "reg-1",
        "tracking_number": "TRK-1",
        "shop_code": "SHOP-A",
        "order_id": "ORD-1",
        "return_id": "RET-1",
        "description": "Bluetooth speaker, boxed",
        "weight_grams": 850,
        "declared_value": "49.90",
        "currency": "THB",
        "warehouse_location": "B-12-3",
        "occurred_at": ago(days=2),
        **fields,
    }


def attempt_failed(number: int, **fields) -> dict:
    return {
        "type": "delivery_attempt_failed",
        "event_id": f"attempt-{number}",
        "tracking_number": "TRK-1",
        "attempted_at": ago(hours=10 - number),
        "failure_reason": "Nobody at the address",
        "courier_note": f"Try {number}",
        **fields,
    }


def delivered(**fields) -> dict:
    return {
        "type": "delivered_to_seller",
        "event_id": "delivered-1",
        "tracking_number": "TRK-1",
        "delivered_at": ago(hours=1),
        **fields,
    }


def rejected(**fields) -> dict:
    return {
        "type": "seller_rejected",
        "event_id": "rejected-1",
        "tracking_number": "TRK-1",
        "rejected_at": ago(hours=1),
        "note": "Seller refused at the door",
        **fields,
    }


class Carrier:
    """A carrier system calling the API with its provider's token."""

    def __init__(self, client: Client, token: str):
        self.client = client
        self.token = token
        self.headers = {"Authorization": f"Bearer {token}"}

    def send(self, event: dict):
        return self.post(json.dumps(event))

    def post(self, body: str):
        return self.client.post(
            "/api/v1/events", body, content_type="application/json", headers=self.headers
        )

    def package(self, tracking_number: str = "TRK-1"):
        return self.client.get(f"/api/v1/packages/{tracking_number}", headers=self.headers)


@pytest.fixture
def carrier_x(client, provider_x, seller_a):
    _, raw = tokens.create_api_token(provider=provider_x, name="SwiftLane feed")
    return Carrier(client, raw)


@pytest.fixture
def carrier_y(client, provider_y):
    _, raw = tokens.create_api_token(provider=provider_y, name="NordParcel feed")
    return Carrier(client, raw)


def row_counts() -> dict[str, int]:
    models = [FailedPackage, DeliveryAttempt, PackageEvent, Notification, IntakeEvent]
    return {model.__name__: model.objects.count() for model in models}


def problem(response) -> tuple[str, str]:
    [only] = response.json()["detail"]
    return only["field"], only["message"]


# --- tokens ---------------------------------------------------------------------------


def test_a_request_without_a_token_is_unauthorized(client, db):
    response = client.get("/api/v1/packages/TRK-1")

    assert response.status_code == 401
    assert response.json() == {"detail": "Unauthorized"}
    assert response["WWW-Authenticate"] == "Bearer"


def test_a_wrong_token_is_unauthorized(client, carrier_x):
    carrier_x.send(registered())
    stranger = Carrier(client, "not-a-token-anyone-was-given")

    assert stranger.package().status_code == 401
    assert stranger.send(attempt_failed(1)).status_code == 401
    assert DeliveryAttempt.objects.count() == 0


def test_a_revoked_token_is_unauthorized(client, provider_x, seller_a):
    token, raw = tokens.create_api_token(provider=provider_x, name="old feed")
    tokens.revoke_api_token(token=token)

    response = Carrier(client, raw).send(registered())

    assert response.status_code == 401
    assert FailedPackage.objects.count() == 0


def test_using_a_token_records_when_it_was_last_used(client, provider_x):
    token, raw = tokens.create_api_token(provider=provider_x, name="feed")

    Carrier(client, raw).package()

    token.refresh_from_db()
    assert token.last_used_at is not None


def test_another_providers_package_is_not_found(carrier_x, carrier_y):
    carrier_x.send(registered())

    response = carrier_y.package("TRK-1")

    assert response.status_code == 404
    assert response.json() == {"detail": "No package with tracking number TRK-1 at NordParcel."}


def test_another_providers_package_cannot_be_touched(carrier_x, carrier_y):
    carrier_x.send(registered())
    before = row_counts()

    response = carrier_y.send(attempt_failed(1))

    assert response.status_code == 422
    assert problem(response) == (
        "tracking_number",
        "No package with tracking number TRK-1 is registered at NordParcel.",
    )
    assert row_counts() == before


def test_create_api_token_prints_a_working_token_and_stores_only_its_digest(
    client, capsys, provider_x, seller_a
):
    call_command("create_api_token", "swiftlane", name="carrier feed")

    out, err = capsys.readouterr()
    raw = out.strip()
    token = ApiToken.objects.get()
    assert token.name == "carrier feed"
    assert token.provider == provider_x
    assert token.digest == ApiToken.digest_of(raw)
    assert raw.startswith(token.prefix)
    assert raw not in {token.name, token.prefix, token.digest}
    assert "not shown again" in err
    assert Carrier(client, raw).send(registered()).status_code == 201


def test_create_api_token_names_the_known_providers_when_the_code_is_wrong(provider_x):
    with pytest.raises(CommandError, match="Known codes: swiftlane"):
        call_command("create_api_token", "swiftlan", name="feed")


# --- each event, end to end -----------------------------------------------------------


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


def test_the_third_failed_attempt_adds_only_the_status_change_and_the_notice(carrier_x):
    carrier_x.send(registered())
    carrier_x.send(attempt_failed(1))
    carrier_x.send(attempt_failed(2))

    with CaptureQueriesContext(connection) as queries:
        response = carrier_x.send(attempt_failed(3))

    assert response.json()["status"] == "awaiting_seller"
    statements = [query["sql"] for query in queries]
    # The seven of any attempt (see above), the package's status changed, and the notice:
    # the attempts it lists, its key looked up once, the seller's other confirmed addresses,
    # then written in a savepoint of its own; the seller's standing instruction read (one
    # indexed row, returns.instructions); and the notice's two one-click links
    # (returns.action_links), in one INSERT.
    assert len(statements) == 16, "\n".join(statements)


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


# --- replays --------------------------------------------------------------------------


def test_a_replayed_event_gets_the_first_answer_and_changes_nothing(carrier_x):
    carrier_x.send(registered())
    carrier_x.send(attempt_failed(1))
    carrier_x.send(attempt_failed(2))
    first = carrier_x.send(attempt_failed(3))

    again = carrier_x.send(attempt_failed(3))

    assert again.status_code == first.status_code == 200
    assert again.content == first.content
    assert IntakeEvent.objects.filter(event_id="attempt-3").count() == 1
    assert DeliveryAttempt.objects.count() == 3
    assert PackageEvent.objects.filter(action="delivery_failed").count() == 1
    assert Notification.objects.filter(kind="destruction_notice").count() == 1


def test_a_replayed_registration_answers_201_again(carrier_x):
    first = carrier_x.send(registered())

    again = carrier_x.send(registered())

    assert again.status_code == 201
    assert again.content == first.content
    assert FailedPackage.objects.count() == 1


def test_an_event_id_reused_for_another_kind_of_event_is_refused(carrier_x):
    carrier_x.send(registered())
    before = row_counts()

    response = carrier_x.send(attempt_failed(1, event_id="reg-1"))

    assert response.status_code == 422
    assert problem(response) == (
        "event_id",
        "Event id reg-1 was already used for a return_registered event.",
    )
    assert row_counts() == before


def test_two_providers_may_use_the_same_event_id(carrier_x, carrier_y):
    carrier_x.send(registered(event_id="e-1"))

    response = carrier_y.send(registered(event_id="e-1"))

    assert response.status_code == 201
    assert FailedPackage.objects.count() == 2


def test_a_refused_event_can_be_corrected_and_sent_again_under_the_same_id(carrier_x):
    assert carrier_x.send(registered(shop_code="SHOP-TYPO")).status_code == 422

    response = carrier_x.send(registered())

    assert response.status_code == 201
    assert FailedPackage.objects.get().seller.shop_code == "SHOP-A"


# --- answers to bad input -------------------------------------------------------------


def test_malformed_json_is_a_400_naming_the_body(carrier_x):
    response = carrier_x.post('{"type": "return_registered", ')

    assert response.status_code == 400
    field, message = problem(response)
    assert field == "body"
    assert message.startswith("The body is not valid JSON")
    assert row_counts() == dict.fromkeys(row_counts(), 0)


def test_a_missing_field_is_a_422_naming_it(carrier_x):
    event = registered()
    del event["order_id"]

    response = carrier_x.send(event)

    assert response.status_code == 422
    assert problem(response) == ("order_id", "Field required")


@pytest.mark.parametrize(
    "event, field",
    [
        (registered(event_id="reg\x001"), "event_id"),
        (registered(tracking_number="TRK\x001"), "tracking_number"),
        (registered(shop_code="SHOP-A\x00"), "shop_code"),
        (registered(description="Speaker\x00"), "description"),
        (attempt_failed(1, failure_reason="\x00"), "failure_reason"),
        (attempt_failed(1, courier_note="Gate\x00"), "courier_note"),
        (rejected(note="Refused\x00"), "note"),
    ],
)
def test_a_nul_character_in_any_text_is_a_422_naming_the_field(carrier_x, event, field):
    response = carrier_x.send(event)

    assert response.status_code == 422
    assert problem(response) == (field, "Value error, a NUL character (\\u0000) cannot be stored")
    assert row_counts() == dict.fromkeys(row_counts(), 0)


def test_a_tracking_number_with_a_nul_character_is_not_found(carrier_x):
    response = carrier_x.package("TRK%001")

    assert response.status_code == 404


def test_an_unknown_event_type_is_a_422_naming_the_type(carrier_x):
    response = carrier_x.send(registered(type="package_teleported"))

    assert response.status_code == 422
    assert problem(response)[0] == "type"


def test_an_unknown_seller_is_a_422_naming_the_shop_code(carrier_x):
    response = carrier_x.send(registered(shop_code="SHOP-Z"))

    assert response.status_code == 422
    assert problem(response) == ("shop_code", "No seller has the shop code SHOP-Z.")
    assert row_counts() == dict.fromkeys(row_counts(), 0)


def test_a_time_in_the_future_is_a_422_naming_the_field(carrier_x):
    carrier_x.send(registered())
    before = row_counts()
    tomorrow = (timezone.now() + timedelta(days=1)).isoformat()

    response = carrier_x.send(attempt_failed(1, attempted_at=tomorrow))

    assert response.status_code == 422
    field, message = problem(response)
    assert field == "attempted_at"
    assert message.endswith("is in the future.")
    assert row_counts() == before


def test_a_time_without_a_zone_is_a_422_naming_the_field(carrier_x):
    response = carrier_x.send(registered(occurred_at="2026-03-03T15:20:00"))

    assert response.status_code == 422
    assert problem(response) == ("occurred_at", "Input should have timezone info")


def test_an_unknown_tracking_number_is_a_422(carrier_x):
    response = carrier_x.send(delivered(tracking_number="TRK-404"))

    assert response.status_code == 422
    assert problem(response) == (
        "tracking_number",
        "No package with tracking number TRK-404 is registered at SwiftLane.",
    )


def test_an_attempt_on_a_destroyed_package_is_a_422(carrier_x, provider_x, seller_a):
    PackageFactory(provider=provider_x, seller=seller_a, tracking_number="TRK-1", destroyed=True)
    before = row_counts()

    response = carrier_x.send(attempt_failed(1))

    assert response.status_code == 422
    assert problem(response) == (
        "tracking_number",
        "Package TRK-1 is no longer in delivery (it is destroyed), "
        "so a failed attempt cannot be recorded.",
    )
    assert row_counts() == before


def test_registering_a_tracking_number_twice_is_a_409_with_the_reason(carrier_x):
    carrier_x.send(registered())
    before = row_counts()

    response = carrier_x.send(registered(event_id="reg-2"))

    assert response.status_code == 409
    assert response.json() == {
        "detail": "Tracking number TRK-1 is already registered at SwiftLane."
    }
    assert row_counts() == before


# --- the documents --------------------------------------------------------------------


def test_the_openapi_document_lists_every_endpoint_and_event(client, db):
    document = client.get("/api/v1/openapi.json").json()

    assert set(document["paths"]) == {"/api/v1/events", "/api/v1/packages/{tracking_number}"}
    body = document["paths"]["/api/v1/events"]["post"]["requestBody"]
    mapping = body["content"]["application/json"]["schema"]["discriminator"]["mapping"]
    assert set(mapping) == {
        "return_registered",
        "delivery_attempt_failed",
        "delivered_to_seller",
        "seller_rejected",
    }
    answers = document["paths"]["/api/v1/events"]["post"]["responses"]
    assert {"200", "201", "400", "401", "409", "422"} <= set(answers)
    assert "422" in document["info"]["description"]


def test_the_docs_page_loads_only_same_origin_assets(client, db):
    response = client.get("/api/v1/docs")

    assert response.status_code == 200
    assert "default-src 'self'" in response["Content-Security-Policy"]
    html = response.content.decode()
    assets = re.findall(r'(?:src|href)="([^"]*)"', html)
    assert assets, "the page should load Swagger UI"
    assert all(url.startswith("/static/") for url in assets), assets
    # Under default-src 'self' an inline script would be blocked: every script is a file,
    # except the settings block, which is data and never executed.
    for tag in re.findall(r"<script[^>]*>", html):
        assert 'src="/static/' in tag or 'type="application/json"' in tag, tag


# --- races (PostgreSQL) ---------------------------------------------------------------


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
