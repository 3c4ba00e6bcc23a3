"""What a carrier system sends the intake API, and how a test reads the answers."""

import json
from datetime import timedelta

from django.test import Client
from django.utils import timezone

from returns.models import (
    DeliveryAttempt,
    FailedPackage,
    IntakeEvent,
    Notification,
    PackageEvent,
)


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


def row_counts() -> dict[str, int]:
    models = [FailedPackage, DeliveryAttempt, PackageEvent, Notification, IntakeEvent]
    return {model.__name__: model.objects.count() for model in models}


def problem(response) -> tuple[str, str]:
    [only] = response.json()["detail"]
    return only["field"], only["message"]
