"""The intake API's bearer tokens: who may call it, and on whose packages."""

import pytest
from django.core.management import CommandError, call_command

from returns import tokens
from returns.models import (
    ApiToken,
    DeliveryAttempt,
    FailedPackage,
)
from tests.returns.api.carrier import Carrier, attempt_failed, problem, registered, row_counts


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
