"""The provider console's scoping: staff see their own provider's rows only, operators see all."""

import re

import pytest
from django.contrib.auth.models import Group, Permission

from portal.demo import DEFAULT_PASSWORD, seed_accounts
from portal.models import User
from portal.tenancy import PROVIDER_STAFF_GROUP
from returns import tokens
from returns.admin.scoping import choices_for
from returns.models import FailedPackage, PackageEvent
from tests.factories import (
    AttemptFactory,
    EventFactory,
    NotificationFactory,
    SellerFactory,
    UserFactory,
)
from tests.returns.console import PACKAGES, listed


def rows_of(package: FailedPackage) -> dict[str, object]:
    """The package and one row of each kind that hangs off it, by admin model name."""
    return {
        "failedpackage": package,
        "packageevent": EventFactory(package=package),
        "notification": NotificationFactory(package=package),
        "deliveryattempt": AttemptFactory(package=package, number=1),
    }


# --- the group ------------------------------------------------------------------------


def test_the_staff_group_may_view_and_change_packages_but_delete_nothing(staff_group):
    # The tickets app grants its own models to the group (tests/tickets/test_inbox.py).
    returns_permissions = staff_group.permissions.filter(content_type__app_label="returns")
    granted = set(returns_permissions.values_list("codename", flat=True))

    assert granted == {
        "view_failedpackage",
        "change_failedpackage",
        "view_deliveryattempt",
        "view_packageevent",
        "view_notification",
        "change_notification",
    }


def test_the_group_the_migration_made_is_the_one_the_portal_names(db):
    assert Group.objects.filter(name=PROVIDER_STAFF_GROUP).exists()


def test_the_demo_agents_are_provider_staff_and_the_operator_needs_no_group(db):
    seed_accounts(DEFAULT_PASSWORD)

    agent = User.objects.get(email="agent@swiftlane.example")
    operator = User.objects.get(email="operator@returns.example")
    assert list(agent.groups.values_list("name", flat=True)) == [PROVIDER_STAFF_GROUP]
    assert agent.has_perm("returns.change_failedpackage")
    assert not operator.groups.exists()


# --- the scoping matrix ---------------------------------------------------------------

KINDS = ["failedpackage", "packageevent", "notification", "deliveryattempt"]


@pytest.mark.parametrize("kind", KINDS)
def test_another_providers_row_is_not_found(client_for, xavier, theirs, kind):
    row = rows_of(theirs)[kind]
    client = client_for(xavier)

    for page in ("change", "history", "delete"):
        response = client.get(f"/admin/returns/{kind}/{row.pk}/{page}/")
        assert response.status_code == 404, page
    assert client.post(f"/admin/returns/{kind}/{row.pk}/change/", {}).status_code == 404


@pytest.mark.parametrize("kind", KINDS)
def test_own_rows_open(client_for, xavier, ours, kind):
    row = rows_of(ours)[kind]

    response = client_for(xavier).get(f"/admin/returns/{kind}/{row.pk}/change/")

    assert response.status_code == 200


@pytest.mark.parametrize("kind", KINDS)
def test_a_changelist_lists_counts_and_finds_only_own_rows(client_for, xavier, ours, theirs, kind):
    mine, other = rows_of(ours)[kind], rows_of(theirs)[kind]
    client = client_for(xavier)

    response = client.get(f"/admin/returns/{kind}/")
    searched = client.get(f"/admin/returns/{kind}/", {"q": "TRK-Y1"})

    assert listed(response) == [str(mine)]
    assert response.context["cl"].result_count == 1
    assert "TRK-Y1" not in response.content.decode()
    assert str(other) not in listed(searched)
    assert searched.context["cl"].result_count == 0


def test_the_seller_filter_lists_only_sellers_with_packages_here(
    client_for, xavier, ours, theirs, seller_b
):
    SellerFactory(shop_code="SHOP-C", name="Shop C")  # no packages anywhere

    response = client_for(xavier).get(PACKAGES)

    [seller_filter] = [f for f in response.context["cl"].filter_specs if f.title == "seller"]
    assert seller_filter.options() == (f'<option value="{ours.seller.pk}">Shop A (SHOP-A)</option>')
    text = response.content.decode()
    assert "Shop B" not in text
    assert "Shop C" not in text


def test_the_seller_filter_keeps_the_other_filters_and_marks_the_chosen_seller(
    client_for, xavier, ours
):
    response = client_for(xavier).get(
        PACKAGES, {"status": "awaiting_seller", "seller": ours.seller.pk}
    )

    text = response.content.decode()
    assert '<input type="hidden" name="status" value="awaiting_seller">' in text
    assert f'<option value="{ours.seller.pk}" selected>Shop A (SHOP-A)</option>' in text
    assert response.context["cl"].result_count == 1


def test_filtering_by_another_providers_seller_finds_nothing(client_for, xavier, ours, theirs):
    response = client_for(xavier).get(PACKAGES, {"seller": theirs.seller.pk})

    assert response.context["cl"].result_count == 0


def test_staff_see_no_provider_filter_or_column_operators_do(
    client_for, xavier, operator, ours, theirs
):
    staff_page = client_for(xavier).get(PACKAGES)
    operator_page = client_for(operator).get(PACKAGES)

    assert "NordParcel" not in staff_page.content.decode()
    assert "provider" not in staff_page.context["cl"].list_display
    assert "provider" in operator_page.context["cl"].list_display
    assert "NordParcel" in operator_page.content.decode()


def test_operators_see_every_providers_rows(client_for, operator, ours, theirs):
    client = client_for(operator)

    response = client.get(PACKAGES)

    assert sorted(listed(response)) == ["TRK-X1", "TRK-Y1"]
    assert client.get(f"{PACKAGES}{theirs.pk}/change/").status_code == 200


def test_staff_cannot_delete_packages_or_events(client_for, xavier, ours):
    event = EventFactory(package=ours)
    client = client_for(xavier)

    assert not xavier.has_perm("returns.delete_failedpackage")
    assert not xavier.has_perm("returns.delete_packageevent")
    assert client.post(f"{PACKAGES}{ours.pk}/delete/", {"post": "yes"}).status_code == 403
    assert (
        client.post(f"/admin/returns/packageevent/{event.pk}/delete/", {"post": "yes"}).status_code
        == 403
    )
    assert FailedPackage.objects.filter(pk=ours.pk).exists()
    assert PackageEvent.objects.filter(pk=event.pk).exists()


def test_a_provider_user_who_is_not_staff_is_refused(client, provider_x, staff_group, ours):
    warehouse = UserFactory(email="picker@swiftlane.example", provider=provider_x)
    warehouse.groups.add(staff_group)
    client.force_login(warehouse)

    for url in ("/admin/", PACKAGES, f"{PACKAGES}{ours.pk}/change/"):
        response = client.get(url)
        assert response.status_code == 302, url
        assert response["Location"].startswith("/admin/login/")
    assert not FailedPackage.objects.for_user(warehouse).exists()


def test_staff_outside_the_group_see_no_packages(client, provider_x, ours):
    newcomer = UserFactory(email="new@swiftlane.example", provider=provider_x, is_staff=True)
    client.force_login(newcomer)

    assert client.get(PACKAGES).status_code == 403
    assert "What needs doing" not in client.get("/admin/").content.decode()


# --- foreign-key choices and other provider-owned rows --------------------------------


def test_foreign_key_choices_offer_only_the_staffs_own_provider(
    client_for, xavier, provider_x, provider_y
):
    xavier.user_permissions.add(Permission.objects.get(codename="add_apitoken"))

    response = client_for(xavier).get("/admin/returns/apitoken/add/")

    assert list(response.context["adminform"].form.fields["provider"].queryset) == [provider_x]


def test_a_provider_field_posted_for_another_provider_is_refused(client_for, xavier, provider_y):
    xavier.user_permissions.add(Permission.objects.get(codename="add_apitoken"))

    response = client_for(xavier).post(
        "/admin/returns/apitoken/add/", {"provider": provider_y.pk, "name": "feed"}
    )

    assert response.status_code == 200
    assert "provider" in response.context["adminform"].form.errors
    assert not provider_y.api_tokens.exists()


def test_seller_and_user_choices_stay_within_the_provider(xavier, yvonne, operator, ours, theirs):
    assert list(choices_for(type(ours.seller), xavier)) == [ours.seller]
    assert list(choices_for(User, xavier)) == [xavier]


def test_staff_of_no_provider_are_offered_no_choices(operator, ours, staff_group):
    adrift = UserFactory(email="adrift@returns.example", is_staff=True)

    for model in (User, type(ours.provider), type(ours.seller), FailedPackage):
        assert not choices_for(model, adrift).exists(), model


def test_api_tokens_and_their_filter_are_scoped_when_staff_may_see_them(
    client_for, xavier, provider_x, provider_y
):
    xavier.user_permissions.add(Permission.objects.get(codename="view_apitoken"))
    tokens.create_api_token(provider=provider_x, name="our feed")
    tokens.create_api_token(provider=provider_y, name="their feed")

    response = client_for(xavier).get("/admin/returns/apitoken/")

    assert [token.name for token in response.context["cl"].result_list] == ["our feed"]
    assert "NordParcel" not in response.content.decode()


# --- the Content-Security-Policy ------------------------------------------------------

INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)(?![^>]*application/json)[^>]*>")


def test_console_pages_carry_no_inline_script_or_style(client_for, xavier, ours):
    client = client_for(xavier)
    pages = [
        "/admin/",
        PACKAGES,
        f"{PACKAGES}{ours.pk}/change/",
        "/admin/returns/packageevent/",
        "/admin/returns/notification/",
    ]
    action_page = client.post(
        PACKAGES, {"action": "confirm_destruction", "_selected_action": [ours.pk]}
    )

    for text in [client.get(url).content.decode() for url in pages] + [
        action_page.content.decode()
    ]:
        assert not INLINE_SCRIPT.search(text)
        assert "<style" not in text
        assert " style=" not in text
        assert " onclick=" not in text
