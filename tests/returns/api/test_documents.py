"""The API's OpenAPI document and its docs page."""

import re


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
