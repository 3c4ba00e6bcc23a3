import re

import pytest
from django.core import mail
from django.db import IntegrityError
from django.urls import reverse

from portal.models import User
from tests.factories import PASSWORD


def sign_in(client, email, password=PASSWORD, **extra):
    return client.post(reverse("login"), {"username": email, "password": password, **extra})


def test_a_seller_signs_in_with_their_email_address(client, alice):
    response = sign_in(client, "alice@shop-a.example")

    assert response.status_code == 302
    assert response["Location"] == "/"
    assert client.get("/").context["user"] == alice


def test_after_sign_in_the_seller_lands_where_the_link_pointed(client, alice):
    response = sign_in(client, "alice@shop-a.example", next="/healthz")

    assert response["Location"] == "/healthz"


def test_a_wrong_password_shows_a_clear_message(client, alice):
    response = sign_in(client, "alice@shop-a.example", password="nope")

    assert response.status_code == 200
    assert "Please enter a correct email address and password" in response.content.decode()


def test_sign_out_works_by_post_only(client_for, alice):
    client = client_for(alice)

    assert client.get(reverse("logout")).status_code == 405
    response = client.post(reverse("logout"))

    assert response.status_code == 302
    assert client.get("/").status_code == 302  # signed out: sent to sign in


def test_password_reset_mails_a_working_link_to_the_site_url(client, alice):
    client.post(reverse("password_reset"), {"email": "alice@shop-a.example"})

    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["alice@shop-a.example"]
    assert message.subject == "Reset your returns portal password"
    link = re.search(r"https://returns\.example(/accounts/reset/\S+/)", message.body).group(1)
    html = message.alternatives[0][0]
    assert link in html

    page = client.get(link, follow=True)
    assert b"Choose a new password" in page.content
    client.post(
        page.redirect_chain[-1][0],
        {"new_password1": "a fresh long passphrase", "new_password2": "a fresh long passphrase"},
    )
    alice.refresh_from_db()
    assert alice.check_password("a fresh long passphrase")


def test_password_reset_for_an_unknown_address_sends_nothing_and_says_the_same(client, db):
    response = client.post(reverse("password_reset"), {"email": "nobody@example.com"})

    assert response.status_code == 302
    assert mail.outbox == []


def test_repeated_failures_lock_the_account_out_with_a_clear_message(client, alice, settings):
    settings.LOGIN_FAILURE_LIMIT = 3
    for _ in range(3):
        sign_in(client, "alice@shop-a.example", password="wrong")

    response = sign_in(client, "alice@shop-a.example")  # even the right password

    assert response.status_code == 429
    assert "Too many sign-in attempts" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_a_success_resets_the_failure_count(client, alice, settings):
    settings.LOGIN_FAILURE_LIMIT = 3
    sign_in(client, "alice@shop-a.example", password="wrong")
    sign_in(client, "alice@shop-a.example", password="wrong")
    sign_in(client, "alice@shop-a.example")
    client.post(reverse("logout"))
    sign_in(client, "alice@shop-a.example", password="wrong")
    sign_in(client, "alice@shop-a.example", password="wrong")

    response = sign_in(client, "alice@shop-a.example")

    assert response.status_code == 302


def test_a_user_cannot_belong_to_a_seller_and_a_provider(seller_a, provider_x):
    with pytest.raises(IntegrityError):
        User.objects.create_user("both@example.com", seller=seller_a, provider=provider_x)


def test_provider_staff_land_on_the_console(client_for, xavier):
    response = client_for(xavier).get("/")

    assert response.status_code == 302
    assert response["Location"] == reverse("admin:index")


def test_a_seller_lands_on_their_home_page(client_for, alice):
    response = client_for(alice).get("/")

    assert response.status_code == 200
    assert "Shop A" in response.content.decode()
