"""Every 4xx from /api/ is JSON a carrier's system can read, whatever answered it."""

import pytest

from returns import tokens
from tests.returns.api.carrier import Carrier


@pytest.fixture
def carrier(client, provider_x, seller_a):
    _, raw = tokens.create_api_token(provider=provider_x, name="SwiftLane feed")
    return Carrier(client, raw)


def assert_json(response, status: int) -> dict:
    assert response.status_code == status
    assert response["Content-Type"] == "application/json"
    return response.json()


@pytest.mark.parametrize("path", ["/api/v1/nowhere", "/api/v2/events", "/api/"])
def test_an_unknown_route_is_a_json_404(carrier, path):
    body = assert_json(carrier.client.get(path, headers=carrier.headers), 404)

    assert isinstance(body["detail"], str)


def test_a_wrong_method_is_a_json_405_naming_the_allowed_ones(carrier):
    response = carrier.client.get("/api/v1/events", headers=carrier.headers)

    body = assert_json(response, 405)
    assert "POST" in response["Allow"]
    assert "POST" in body["detail"]


def test_a_body_over_the_limit_is_a_json_413_before_it_is_read(carrier):
    body = assert_json(carrier.post("{" + " " * 100_000 + "}"), 413)

    assert body["detail"][0]["field"] == "body"


def test_a_body_over_djangos_own_limit_is_a_json_413_too(carrier, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000

    assert_json(carrier.post("{" + " " * 2000 + "}"), 413)


def test_bad_json_is_a_json_400(carrier):
    body = assert_json(carrier.post("{not json"), 400)

    assert body["detail"][0]["field"] == "body"


def test_pages_outside_the_api_keep_their_html_404(client_for, alice):
    response = client_for(alice).get("/no-such-page/")

    assert response.status_code == 404
    assert response["Content-Type"].startswith("text/html")
