"""Anonymous visitors are sent to sign in everywhere except the public pages."""

from urllib.parse import urlsplit

import pytest
from django.conf import settings
from django.urls import reverse

from tests.urlwalk import all_routes

PUBLIC = {
    "login",
    "password_reset",
    "password_reset_done",
    "password_reset_confirm",
    "password_reset_complete",
    "healthz",
    "admin:login",
    "set_language",
    "javascript_catalog",
    # Printed on destruction certificates, for whoever holds one (rate-limited).
    "returns:verify",
    # Links in emails, authorized by their signed token: whoever reads the email may act.
    "settings:confirm",
    "settings:unsubscribe",
    "team:join",
    # The one-click email actions: the token is the key (tests/tickets/test_one_click.py).
    "tickets:act",
}


def is_public(route) -> bool:
    return route.name in PUBLIC or route.url.startswith("/api/")


PRIVATE_ROUTES = [r for r in all_routes() if not is_public(r)]


def test_the_walk_finds_the_portal_pages():
    names = {r.name for r in PRIVATE_ROUTES}
    assert {"home", "logout", "admin:index"} <= names


@pytest.mark.django_db
@pytest.mark.parametrize("route", PRIVATE_ROUTES, ids=lambda r: r.name)
def test_anonymous_visitor_is_sent_to_sign_in(client, route):
    response = client.get(route.url)

    assert response.status_code == 302, route.url
    location = urlsplit(response["Location"])
    assert location.path in {reverse(settings.LOGIN_URL), reverse("admin:login")}
    assert "next=" in location.query


@pytest.mark.django_db
def test_the_login_page_is_public(client):
    response = client.get(reverse("login"))

    assert response.status_code == 200
    assert b"Email address" in response.content


def test_every_page_carries_a_content_security_policy(client, db):
    response = client.get(reverse("login"))

    policy = response["Content-Security-Policy"]
    assert "default-src 'self'" in policy
    assert "object-src 'none'" in policy


def test_unknown_page_is_a_404_in_the_house_look(client_for, alice):
    response = client_for(alice).get("/no-such-page/")

    assert response.status_code == 404
    assert b"We could not find that page" in response.content
