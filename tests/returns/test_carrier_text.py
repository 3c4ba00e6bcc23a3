"""A courier's note is bounded on every channel: the API, the CSV import and the console."""

import pytest

from returns import tokens
from returns.csv_import import import_packages
from returns.models import DeliveryAttempt, FailedPackage
from tests.returns.api.carrier import (
    Carrier,
    attempt_failed,
    problem,
    registered,
    rejected,
    row_counts,
)
from tests.returns.console import answer
from tests.returns.test_csv_import import csv_bytes, failed, row, when

NOTE_LIMIT = DeliveryAttempt._meta.get_field("courier_note").max_length


@pytest.fixture
def carrier(client, provider_x, seller_a):
    _, raw = tokens.create_api_token(provider=provider_x, name="SwiftLane feed")
    return Carrier(client, raw)


def test_the_note_is_bounded_in_the_database():
    assert NOTE_LIMIT == 1000


@pytest.mark.parametrize(
    ("event", "field"),
    [
        (attempt_failed(1, courier_note="x" * (NOTE_LIMIT + 1)), "courier_note"),
        (rejected(note="x" * (NOTE_LIMIT + 1)), "note"),
    ],
)
def test_a_note_over_the_limit_is_a_422_naming_the_field(carrier, event, field):
    carrier.send(registered())
    before = row_counts()

    response = carrier.send(event)

    assert response.status_code == 422
    assert problem(response)[0] == field
    assert row_counts() == before


def test_a_note_at_the_limit_is_recorded(carrier):
    carrier.send(registered())

    response = carrier.send(attempt_failed(1, courier_note="x" * NOTE_LIMIT))

    assert response.status_code == 200
    assert DeliveryAttempt.objects.get().courier_note == "x" * NOTE_LIMIT


def test_a_five_megabyte_note_is_a_json_413_and_changes_nothing(carrier):
    carrier.send(registered())
    before = row_counts()

    response = carrier.send(attempt_failed(1, courier_note="x" * 5_000_000))

    assert response.status_code == 413
    assert response["Content-Type"] == "application/json"
    assert problem(response)[0] == "body"
    assert row_counts() == before


def test_csv_notes_over_the_limit_are_reported_on_their_row(provider_x, seller_a):
    long = "x" * (NOTE_LIMIT + 1)
    data = csv_bytes(
        row("TRK-1", **failed(5), attempt_1_note=long),
        row("TRK-2", outcome="rejected", outcome_at=when(1), outcome_note=long),
        row("TRK-3", **failed(5), attempt_1_note="x" * NOTE_LIMIT),
        header=[*csv_bytes().decode().strip().split(","), "attempt_1_note"],
    )

    report = import_packages(provider=provider_x, data=data)

    assert {r.line: r.message for r in report.errors} == {
        2: f"attempt_1_note is longer than {NOTE_LIMIT} characters",
        3: f"outcome_note is longer than {NOTE_LIMIT} characters",
    }
    assert [r.tracking_number for r in report.imported] == ["TRK-3"]


def test_a_console_note_over_the_limit_is_refused(client_for, xavier, provider_x, seller_a):
    package = FailedPackage.objects.create(
        provider=provider_x, seller=seller_a, tracking_number="TRK-1", order_id="O-1"
    )

    response = answer(
        client_for(xavier),
        "record_failed_attempt",
        [package],
        attempted_at=when(1)[:16],
        failure_reason="Gate locked",
        courier_note="x" * (NOTE_LIMIT + 1),
    )

    assert list(response.context["form"].errors) == ["courier_note"]
    assert not package.attempts.exists()
