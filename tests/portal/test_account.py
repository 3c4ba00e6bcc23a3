"""`/account/`: any user changes their password and signs out their other sessions."""

import pytest
from django.contrib.auth.base_user import AbstractBaseUser
from django.contrib.sessions.backends.db import SessionStore as DatabaseSessions
from django.test import Client
from django.urls import reverse

from tests.factories import PASSWORD

NEW_PASSWORD = "a long and unusual passphrase"


def _signed_in(user) -> Client:
    other = Client()
    other.force_login(user)
    return other


def _signed_out(client: Client) -> bool:
    response = client.get(reverse("home"))
    return response.status_code == 302 and response["Location"].startswith(reverse("login"))


@pytest.mark.parametrize("who", ["alice", "xavier"])
def test_the_account_page_is_for_any_user(client_for, who, request):
    user = request.getfixturevalue(who)

    response = client_for(user).get(reverse("account"))

    assert response.status_code == 200
    assert user.email in response.content.decode()


def test_a_new_password_keeps_this_session_and_ends_the_others(client_for, alice):
    phone = _signed_in(alice)
    laptop = client_for(alice)

    response = laptop.post(
        reverse("account"),
        {"old_password": PASSWORD, "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )

    assert response.status_code == 302
    alice.refresh_from_db()
    assert alice.check_password(NEW_PASSWORD)
    assert not _signed_out(laptop)
    assert _signed_out(phone)


def test_a_wrong_current_password_changes_nothing(client_for, alice):
    response = client_for(alice).post(
        reverse("account"),
        {"old_password": "wrong", "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )

    assert response.status_code == 200
    alice.refresh_from_db()
    assert alice.check_password(PASSWORD)


@pytest.mark.parametrize(
    "engine",
    [
        "django.contrib.sessions.backends.db",
        "django.contrib.sessions.backends.cache",
        "django.contrib.sessions.backends.signed_cookies",
    ],
)
def test_signing_out_elsewhere_ends_every_other_session_on_any_backend(settings, alice, engine):
    settings.SESSION_ENGINE = engine
    phone = _signed_in(alice)
    laptop = _signed_in(alice)

    laptop.post(reverse("sign_out_other_sessions"))

    assert not _signed_out(laptop)
    assert _signed_out(phone)


def test_sessions_from_before_session_versions_stay_valid(alice):
    # Version 0 is Django's own hash: the deploy that added the field signs nobody out.
    session = _signed_in(alice)
    stored = DatabaseSessions(session.session.session_key).load()

    assert stored["_auth_user_hash"] == AbstractBaseUser._get_session_auth_hash(alice)
    assert not _signed_out(session)


def test_the_account_page_runs_a_fixed_number_of_queries(
    client_for, alice, django_assert_num_queries
):
    client = client_for(alice)
    # Session, user (with seller), the nav's unread count.
    with django_assert_num_queries(3):
        assert client.get(reverse("account")).status_code == 200
