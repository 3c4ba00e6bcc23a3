"""Bad input gets a clear answer naming what is wrong, and changes nothing."""

from datetime import timedelta

import pytest
from django.utils import timezone

from tests.factories import PackageFactory
from tests.returns.api.carrier import (
    attempt_failed,
    delivered,
    problem,
    registered,
    rejected,
    row_counts,
)


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
