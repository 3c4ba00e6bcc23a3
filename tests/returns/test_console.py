"""The provider console: staff see their own provider's rows only, operators see all."""

import re
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import time_machine
from django.contrib.auth.models import Group, Permission
from django.db import connection
from django.test.utils import CaptureQueriesContext

from portal.demo import DEFAULT_PASSWORD, seed_accounts
from portal.models import User
from portal.tenancy import PROVIDER_STAFF_GROUP
from portal.worklist import work_for
from returns import services, tokens
from returns.admin.paging import CappedPaginator
from returns.admin.scoping import choices_for
from returns.models import FailedPackage, Notification, PackageEvent
from tests.factories import (
    AttemptFactory,
    EventFactory,
    NotificationFactory,
    PackageFactory,
    SellerFactory,
    UserFactory,
)

PACKAGES = "/admin/returns/failedpackage/"
NOW = datetime(2026, 3, 10, 9, 0, tzinfo=UTC)


@pytest.fixture
def clock():
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


@pytest.fixture
def ours(provider_x, seller_a):
    """Provider X's package, for seller A."""
    return PackageFactory(
        provider=provider_x, seller=seller_a, awaiting=True, tracking_number="TRK-X1"
    )


@pytest.fixture
def theirs(provider_y, seller_b):
    """Provider Y's package, for seller B, who has nothing at provider X."""
    return PackageFactory(
        provider=provider_y,
        seller=seller_b,
        awaiting=True,
        tracking_number="TRK-Y1",
        order_id="ORD-Y1",
    )


def rows_of(package: FailedPackage) -> dict[str, object]:
    """The package and one row of each kind that hangs off it, by admin model name."""
    return {
        "failedpackage": package,
        "packageevent": EventFactory(package=package),
        "notification": NotificationFactory(package=package),
        "deliveryattempt": AttemptFactory(package=package, number=1),
    }


def listed(response) -> list[str]:
    return [str(row) for row in response.context["cl"].result_list]


# --- the group ------------------------------------------------------------------------


def test_the_staff_group_may_view_and_change_packages_but_delete_nothing(staff_group):
    granted = set(staff_group.permissions.values_list("codename", flat=True))

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
    assert seller_filter.lookup_choices == [(str(ours.seller.pk), "Shop A (SHOP-A)")]
    text = response.content.decode()
    assert "Shop B" not in text
    assert "Shop C" not in text


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


# --- the trail and the outbox ---------------------------------------------------------


def test_every_action_the_services_record_is_one_the_event_filter_offers():
    source = Path(services.__file__).read_text()

    recorded = set(re.findall(r'action="(\w+)"', source))

    assert recorded
    assert recorded <= set(PackageEvent.Action.values)


def test_a_long_trail_is_counted_up_to_a_cap(client_for, xavier, ours, monkeypatch):
    monkeypatch.setattr(CappedPaginator, "cap", 3)
    for _ in range(5):
        EventFactory(package=ours)

    response = client_for(xavier).get("/admin/returns/packageevent/")

    text = response.content.decode()
    assert "3+ package events" in text
    assert "3+ results" in text
    assert len(response.context["cl"].result_list) == 5


def test_staff_filter_events_by_action_from_the_fixed_list(client_for, xavier, ours):
    EventFactory(package=ours, action="destroyed", to_status="destroyed")
    EventFactory(package=ours)

    response = client_for(xavier).get(
        "/admin/returns/packageevent/", {"action__exact": "destroyed"}
    )

    assert [event.action for event in response.context["cl"].result_list] == ["destroyed"]


# --- the package list -----------------------------------------------------------------


def test_the_list_shows_the_deadline_in_the_sellers_zone_and_the_time_left(
    client_for, xavier, provider_x, seller_a, clock
):
    # 23:59:59 on 12 March in Bangkok.
    deadline = datetime(2026, 3, 12, 16, 59, 59, tzinfo=UTC)
    PackageFactory(
        provider=provider_x,
        seller=seller_a,
        awaiting=True,
        claim_deadline=deadline,
        tracking_number="TRK-1",
        warehouse_location="R7-S2",
    )

    text = client_for(xavier).get(PACKAGES).content.decode()

    for shown in (
        "TRK-1",
        '<td class="field-seller_name">Shop A</td>',
        "Awaiting the seller",
        "Could not be delivered",
        "12 Mar 23:59 Bangkok time",
        "2 days 7 hours left",
        "R7-S2",
    ):
        assert shown in text, shown


def test_the_package_page_reads_the_status_as_an_agent_says_it(client_for, xavier, ours):
    text = client_for(xavier).get(f"{PACKAGES}{ours.pk}/change/").content.decode()

    assert "Awaiting the seller" in text
    assert "Bangkok time (Asia/Bangkok)" in text
    assert 'name="status"' not in text


@pytest.fixture
def deadlines(provider_x, seller_a, clock):
    def package(tracking: str, hours: float, **traits) -> FailedPackage:
        return PackageFactory(
            provider=provider_x,
            seller=seller_a,
            tracking_number=tracking,
            claim_deadline=NOW + timedelta(hours=hours),
            **({"awaiting": True} | traits),
        )

    return [
        package("PASSED", -1),
        package("IN-5-HOURS", 5),
        package("IN-30-HOURS", 30),
        package("IN-5-DAYS", 120),
        package("CLAIMED-IN-5-HOURS", 5, awaiting=False, claimed=True),
    ]


@pytest.mark.parametrize(
    ("choice", "expected"),
    [
        ("closed", ["PASSED"]),
        ("today", ["IN-5-HOURS"]),
        ("48h", ["IN-5-HOURS", "IN-30-HOURS"]),
    ],
)
def test_the_deadline_filter(client_for, xavier, deadlines, choice, expected):
    response = client_for(xavier).get(PACKAGES, {"deadline": choice})

    assert sorted(listed(response)) == sorted(expected)


def test_the_status_reason_and_overdue_filters(client_for, xavier, provider_x, seller_a):
    make = PackageFactory
    make(provider=provider_x, seller=seller_a, tracking_number="CLAIMED", claimed=True)
    make(provider=provider_x, seller=seller_a, tracking_number="PENDING", pending_destruction=True)
    make(
        provider=provider_x,
        seller=seller_a,
        tracking_number="OVERDUE",
        pending_destruction=True,
        reason=FailedPackage.Reason.SELLER_REJECTED,
        destruction_overdue_at=datetime(2026, 3, 1, tzinfo=UTC),
    )
    client = client_for(xavier)

    def found(**query) -> list[str]:
        return sorted(listed(client.get(PACKAGES, query)))

    assert found(status="claimed") == ["CLAIMED"]
    assert found(status="destruction_pending") == ["OVERDUE", "PENDING"]
    assert found(reason__exact="seller_rejected") == ["OVERDUE"]
    assert found(destruction="overdue") == ["OVERDUE"]
    assert "Waiting for destruction (overdue)" in client.get(PACKAGES).content.decode()


def test_search_finds_a_package_by_tracking_number_or_order_id(client_for, xavier, ours):
    client = client_for(xavier)

    assert listed(client.get(PACKAGES, {"q": "TRK-X1"})) == ["TRK-X1"]
    assert listed(client.get(PACKAGES, {"q": f" {ours.order_id} "})) == ["TRK-X1"]
    assert listed(client.get(PACKAGES, {"q": "trk-x1"})) == ["TRK-X1"]
    assert listed(client.get(PACKAGES, {"q": "TRK"})) == []  # whole numbers only


def test_the_package_list_takes_the_same_queries_for_5_or_60_packages(
    client_for, xavier, provider_x, seller_a, seller_b, django_assert_max_num_queries
):
    client = client_for(xavier)

    def queries_with(total: int) -> int:
        missing = total - FailedPackage.objects.count()
        for n in range(missing):
            PackageFactory(
                provider=provider_x, seller=[seller_a, seller_b][n % 2], awaiting=n % 3 == 0
            )
        with CaptureQueriesContext(connection) as captured:
            assert client.get(PACKAGES).status_code == 200
        return len(captured)

    few, many = queries_with(5), queries_with(60)

    assert few == many
    with django_assert_max_num_queries(8):
        client.get(PACKAGES)


# --- the work list --------------------------------------------------------------------


@pytest.fixture
def work(provider_x, provider_y, seller_a, seller_b, clock):
    """Provider X's day, with provider Y's rows around it that must not be counted."""
    for provider, seller in ((provider_x, seller_a), (provider_y, seller_b)):
        make = PackageFactory
        make(
            provider=provider, seller=seller, awaiting=True, claim_deadline=NOW + timedelta(hours=3)
        )
        make(
            provider=provider, seller=seller, awaiting=True, claim_deadline=NOW + timedelta(days=5)
        )
        make(provider=provider, seller=seller, claimed=True)
        make(provider=provider, seller=seller, pending_destruction=True)
        make(
            provider=provider,
            seller=seller,
            pending_destruction=True,
            destruction_overdue_at=NOW - timedelta(days=1),
        )
        failed = NotificationFactory(
            package=make(provider=provider, seller=seller, returned=True), status="failed"
        )
        NotificationFactory(package=failed.package)  # pending


def test_the_work_list_counts_only_the_staffs_provider(xavier, work):
    counts = {item.label: item.count for item in work_for(xavier)}

    assert counts == {
        "Claim windows closing within 48 hours": 1,
        "Claimed: to send back": 1,
        "Waiting for destruction": 2,
        "Destructions overdue": 1,
        "Emails that could not be sent": 1,
    }


def test_each_work_list_count_links_to_a_list_of_exactly_those_rows(client_for, xavier, work):
    client = client_for(xavier)
    index = client.get("/admin/").content.decode()

    for item in work_for(xavier):
        link = item.url.replace("&", "&amp;")
        assert re.search(rf'href="{re.escape(link)}"[^>]*>{item.count}</a>', index), item.label
        assert client.get(item.url).context["cl"].result_count == item.count, item.label


def test_the_index_keeps_the_app_list_below_the_work_list(client_for, xavier, work):
    text = client_for(xavier).get("/admin/").content.decode()

    assert text.index("What needs doing") < text.index('class="app-returns module')


def test_operators_count_every_provider(operator, work):
    counts = {item.label: item.count for item in work_for(operator)}

    assert counts["Waiting for destruction"] == 4
    assert counts["Emails that could not be sent"] == 2


def test_failed_notifications_are_counted_once_notifications_are_retried(client_for, xavier, work):
    failed = Notification.objects.for_user(xavier).get(status="failed")

    client_for(xavier).post(
        "/admin/returns/notification/", {"action": "retry", "_selected_action": [failed.pk]}
    )

    counts = {item.label: item.count for item in work_for(xavier)}
    assert counts["Emails that could not be sent"] == 0


# --- the Content-Security-Policy ------------------------------------------------------

INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)(?![^>]*application/json)[^>]*>")


def test_console_pages_carry_no_inline_script_or_style(client_for, xavier, ours, work):
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
