"""Who reads which language: the user's choice, else their seller's or provider's, else
Accept-Language, else English; an unknown code anywhere is no choice at all."""

import re

import pytest
from django.conf import settings
from django.contrib.admin.sites import site
from django.core.exceptions import ValidationError
from django.test import RequestFactory
from django.urls import reverse

from portal.auth import UserBackend
from portal.models import LogisticsProvider, Seller, User
from tests.factories import PackageFactory

pytestmark = pytest.mark.django_db


def html_lang(response) -> str:
    return re.search(r'<html lang="([^"]+)"', response.content.decode())[1]


def test_a_signed_in_seller_reads_their_sellers_language(client_for, alice, seller_a):
    seller_a.language = "th"
    seller_a.save()

    response = client_for(alice).get(reverse("home"), HTTP_ACCEPT_LANGUAGE="vi")

    assert html_lang(response) == "th"
    assert response["Content-Language"] == "th"


def test_the_users_own_choice_wins_over_their_sellers(client_for, alice, seller_a):
    seller_a.language = "th"
    seller_a.save()
    alice.language = "zh-hans"
    alice.save()

    response = client_for(alice).get(reverse("home"))

    assert html_lang(response) == "zh-Hans"
    assert response["Content-Language"] == "zh-hans"


def test_provider_staff_read_their_providers_language(client_for, xavier, provider_x):
    provider_x.language = "id"
    provider_x.save()

    response = client_for(xavier).get(reverse("admin:index"))

    assert response["Content-Language"] == "id"


def test_a_user_with_no_language_anywhere_follows_the_browser(client_for, operator):
    response = client_for(operator).get(reverse("admin:index"), HTTP_ACCEPT_LANGUAGE="ms,en;q=0.5")

    assert response["Content-Language"] == "ms"


def test_an_anonymous_visitor_follows_the_browser_else_english(client):
    assert html_lang(client.get(reverse("login"), HTTP_ACCEPT_LANGUAGE="vi-VN")) == "vi"
    assert html_lang(client.get(reverse("login"), HTTP_ACCEPT_LANGUAGE="de-DE")) == "en"
    assert html_lang(client.get(reverse("login"))) == "en"


def test_an_email_links_language_is_kept_by_a_visitor_not_signed_in(client, seller_a):
    package = PackageFactory(seller=seller_a, awaiting=True)

    response = client.get(f"/packages/{package.public_id}/?lang=th")

    assert response.status_code == 302  # to the sign-in page
    assert response.cookies[settings.LANGUAGE_COOKIE_NAME].value == "th"
    login = client.get(response["Location"], HTTP_ACCEPT_LANGUAGE="en")
    assert html_lang(login) == "th"


def test_an_unknown_language_in_a_link_is_ignored_without_an_error(client):
    response = client.get(reverse("login") + "?lang=xx-klingon", HTTP_ACCEPT_LANGUAGE="id")

    assert response.status_code == 200
    assert html_lang(response) == "id"
    assert settings.LANGUAGE_COOKIE_NAME not in response.cookies


def test_a_link_language_does_not_override_a_signed_in_users(client_for, alice, seller_a):
    seller_a.language = "th"
    seller_a.save()

    response = client_for(alice).get(reverse("home") + "?lang=vi")

    assert html_lang(response) == "th"


def test_a_language_stored_before_languages_changed_falls_back_without_an_error(
    client_for, alice, seller_a
):
    # As a row saved when German was listed: not through a form, which refuses it.
    Seller.objects.filter(pk=seller_a.pk).update(language="de")
    User.objects.filter(pk=alice.pk).update(language="fr")

    response = client_for(alice).get(reverse("home"), HTTP_ACCEPT_LANGUAGE="de")

    assert response.status_code == 200
    assert html_lang(response) == "en"


# --- the switcher ---------------------------------------------------------------------


def test_the_switcher_is_in_the_nav_and_on_the_sign_in_page(client, client_for, alice):
    action = f'action="{reverse("set_language")}"'

    assert action in client.get(reverse("login")).content.decode()
    page = client_for(alice).get(reverse("home")).content.decode()
    assert action in page
    for code, name in settings.LANGUAGES:
        assert f'<option value="{code}"' in page
        assert name in page


def test_switching_signed_in_stores_the_choice_on_the_user(client_for, alice):
    response = client_for(alice).post(
        reverse("set_language"), {"language": "vi", "next": "/packages/"}
    )

    assert response.status_code == 302
    assert response["Location"] == "/packages/"
    alice.refresh_from_db()
    assert alice.language == "vi"
    assert html_lang(client_for(alice).get(reverse("home"))) == "vi"


def test_switching_anonymous_sets_the_cookie_only(client):
    response = client.post(reverse("set_language"), {"language": "ms", "next": "/accounts/login/"})

    assert response.cookies[settings.LANGUAGE_COOKIE_NAME].value == "ms"
    assert html_lang(client.get(reverse("login"))) == "ms"


def test_switching_to_an_unknown_language_changes_nothing(client_for, alice):
    response = client_for(alice).post(reverse("set_language"), {"language": "xx", "next": "/"})

    assert response.status_code == 302
    alice.refresh_from_db()
    assert alice.language == ""


# --- refusing a language outside LANGUAGES ----------------------------------------------


@pytest.mark.parametrize(
    "instance",
    [
        lambda: Seller(name="S", shop_code="S-1", contact_email="s@example.com"),
        lambda: LogisticsProvider(
            name="P",
            code="p",
            support_phone="1",
            support_email="p@example.com",
            opening_hours="always",
            warehouse_address="here",
            ops_email="ops@example.com",
        ),
        lambda: User(email="u@example.com"),
    ],
    ids=["seller", "provider", "user"],
)
def test_a_language_outside_languages_is_refused_naming_the_field(instance):
    row = instance()
    row.language = "de"

    with pytest.raises(ValidationError) as refused:
        row.full_clean(exclude=["password"])

    assert list(refused.value.message_dict) == ["language"]


@pytest.mark.parametrize("model", [Seller, LogisticsProvider, User])
def test_the_console_forms_refuse_a_language_outside_languages(model, operator):
    request = RequestFactory().get("/")
    request.user = operator
    model_admin = site._registry[model]
    form_class = model_admin.get_form(request, None, fields=["language"])

    form = form_class(data={"language": "de"})

    assert not form.is_valid()
    assert "language" in form.errors


def test_the_console_shows_and_edits_the_providers_zone_and_language(admin_client, provider_x):
    response = admin_client.get(
        reverse("admin:portal_logisticsprovider_change", args=[provider_x.pk])
    )

    text = response.content.decode()
    assert 'name="time_zone"' in text
    assert 'name="language"' in text


def test_a_provider_zone_outside_the_tz_database_is_refused(provider_x):
    provider_x.time_zone = "Mars/Olympus_Mons"

    with pytest.raises(ValidationError) as refused:
        provider_x.full_clean()

    assert list(refused.value.message_dict) == ["time_zone"]


# --- what it costs ----------------------------------------------------------------------


def test_the_sessions_user_comes_with_seller_and_provider_in_one_query(
    alice, xavier, django_assert_num_queries
):
    backend = UserBackend()

    with django_assert_num_queries(1):
        seller_user = backend.get_user(alice.pk)
        assert seller_user.seller.language == "en"
    with django_assert_num_queries(1):
        staff_user = backend.get_user(xavier.pk)
        assert staff_user.provider.time_zone == "UTC"


def test_the_script_catalog_is_served_from_our_own_origin_to_anyone(client):
    response = client.get(reverse("javascript_catalog", args=["th"]))

    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/javascript")
    assert "django.ngettext" in response.content.decode()
    assert "max-age=3600" in response["Cache-Control"]


def test_the_script_catalog_for_an_unknown_language_is_the_english_one(client):
    response = client.get(reverse("javascript_catalog", args=["xx"]))

    assert response.status_code == 200
