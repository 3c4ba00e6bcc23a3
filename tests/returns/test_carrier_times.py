"""Times nobody can have seen — before Christ, last year, tomorrow, before the previous
attempt — are refused on every channel, and the package stays readable."""

import pytest
from django.urls import reverse

from returns import tokens
from returns.csv_import import import_packages
from returns.models import DeliveryAttempt, FailedPackage
from tests.returns.api.carrier import (
    Carrier,
    ago,
    attempt_failed,
    delivered,
    problem,
    registered,
    rejected,
    row_counts,
)
from tests.returns.console import PACKAGES, answer
from tests.returns.test_csv_import import csv_bytes, failed, row

# On PostgreSQL this is stored as 31 December 1 BC, which psycopg cannot read back.
BEFORE_CHRIST = "0001-01-01T00:00:00+14:00"


@pytest.fixture
def carrier(client, provider_x, seller_a):
    _, raw = tokens.create_api_token(provider=provider_x, name="SwiftLane feed")
    return Carrier(client, raw)


def assert_package_reads(carrier, client_for, alice, xavier):
    package = FailedPackage.objects.get(tracking_number="TRK-1")
    assert carrier.package().status_code == 200
    seller_page = reverse("returns:package_detail", args=[package.public_id])
    assert client_for(alice).get(seller_page).status_code == 200
    assert client_for(xavier).get(f"{PACKAGES}{package.pk}/change/").status_code == 200


# --- the API --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("event", "field"),
    [
        (attempt_failed(1, attempted_at=BEFORE_CHRIST), "attempted_at"),
        (delivered(delivered_at=BEFORE_CHRIST), "delivered_at"),
        (rejected(rejected_at=BEFORE_CHRIST), "rejected_at"),
    ],
)
def test_a_time_before_christ_is_a_422_naming_the_field_and_the_package_still_reads(
    carrier, client_for, alice, xavier, event, field
):
    carrier.send(registered())
    before = row_counts()

    response = carrier.send(event)

    assert response.status_code == 422
    assert problem(response) == (field, f"{BEFORE_CHRIST} is more than a year ago.")
    assert row_counts() == before
    assert_package_reads(carrier, client_for, alice, xavier)


def test_a_registration_before_christ_is_a_422_naming_the_field(carrier):
    response = carrier.send(registered(occurred_at=BEFORE_CHRIST))

    assert response.status_code == 422
    assert problem(response) == ("occurred_at", f"{BEFORE_CHRIST} is more than a year ago.")
    assert row_counts() == dict.fromkeys(row_counts(), 0)


def test_a_time_two_years_ago_is_refused(carrier):
    carrier.send(registered())

    response = carrier.send(attempt_failed(1, attempted_at=ago(days=730)))

    assert response.status_code == 422
    assert problem(response)[0] == "attempted_at"


@pytest.mark.parametrize(
    ("event", "field"),
    [
        (attempt_failed(2, attempted_at=ago(hours=12)), "attempted_at"),
        (delivered(delivered_at=ago(hours=12)), "delivered_at"),
        (rejected(rejected_at=ago(hours=12)), "rejected_at"),
    ],
)
def test_an_event_before_the_previous_attempt_is_a_422_naming_the_field(carrier, event, field):
    carrier.send(registered())
    carrier.send(attempt_failed(1, attempted_at=ago(hours=9)))
    before = row_counts()

    response = carrier.send(event)

    assert response.status_code == 422
    name, message = problem(response)
    assert name == field
    assert "is before the package's previous attempt" in message
    assert row_counts() == before


def test_a_refused_time_is_not_remembered_and_the_corrected_event_applies(carrier):
    carrier.send(registered())
    carrier.send(attempt_failed(1, attempted_at=BEFORE_CHRIST))

    response = carrier.send(attempt_failed(1))

    assert response.status_code == 200
    assert response.json()["attempts"] == 1


# --- the CSV import -------------------------------------------------------------------


def test_a_csv_time_before_christ_is_reported_on_its_row(provider_x, seller_a):
    data = csv_bytes(
        row("TRK-1", attempt_1_at=BEFORE_CHRIST, attempt_1_reason="Closed"),
        row("TRK-2", outcome="delivered", outcome_at=BEFORE_CHRIST),
        row("TRK-3", **failed(5)),
    )

    report = import_packages(provider=provider_x, data=data)

    assert {r.line: r.message for r in report.errors} == {
        2: f"attempt_1_at {BEFORE_CHRIST} is more than a year ago",
        3: f"outcome_at {BEFORE_CHRIST} is more than a year ago",
    }
    assert [r.tracking_number for r in report.imported] == ["TRK-3"]
    assert not DeliveryAttempt.objects.filter(package__tracking_number="TRK-1").exists()


# --- the console ----------------------------------------------------------------------


def test_a_console_attempt_before_christ_is_refused_and_the_package_still_reads(
    carrier, client_for, alice, xavier
):
    carrier.send(registered())
    package = FailedPackage.objects.get()

    response = answer(
        client_for(xavier),
        "record_failed_attempt",
        [package],
        attempted_at="0001-01-01T00:00",
        failure_reason="Gate locked",
    )

    [message] = response.context["form"].errors["attempted_at"]
    assert message.endswith("is more than a year ago.")
    assert not package.attempts.exists()
    assert_package_reads(carrier, client_for, alice, xavier)
