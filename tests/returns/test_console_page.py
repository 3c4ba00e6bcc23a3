"""A package's page in the console: the buttons its state allows, and the CSV export."""

import csv
import io

import pytest
from django.contrib.auth.models import Permission

from tests.factories import PackageFactory
from tests.returns.console import PACKAGES

pytestmark = pytest.mark.usefixtures("console_clock")


# --- the buttons on a package's page --------------------------------------------------


def test_a_package_page_offers_the_actions_its_state_allows(agent, make):
    pages = {
        "in_delivery": make("TRK-1"),
        "awaiting_seller": make("TRK-2", awaiting=True),
        "claimed": make("TRK-3", claimed=True),
        "destruction_pending": make("TRK-4", pending_destruction=True),
        "destroyed": make("TRK-5", destroyed=True),
    }
    offered = {}
    for status, package in pages.items():
        text = agent.get(f"{PACKAGES}{package.pk}/change/").content.decode()
        offered[status] = [
            name
            for name in (
                "record_failed_attempt",
                "record_phone_claim",
                "mark_returned",
                "withdraw_claim",
                "confirm_destruction",
            )
            if f'name="action" value="{name}"' in text
        ]

    assert offered == {
        "in_delivery": ["record_failed_attempt"],
        "awaiting_seller": ["record_phone_claim"],
        "claimed": ["mark_returned", "withdraw_claim"],
        "destruction_pending": ["confirm_destruction"],
        "destroyed": [],
    }


def test_an_action_started_on_a_package_page_returns_to_it(agent, make):
    package = make("TRK-1", pending_destruction=True)
    page = f"{PACKAGES}{package.pk}/change/"

    response = agent.post(
        PACKAGES,
        {
            "action": "confirm_destruction",
            "_selected_action": [package.pk],
            "_return_to": page,
            "confirm": "yes",
            "reference": "DX-1",
            "method": "shredded",
        },
    )

    assert response.status_code == 302
    assert response["Location"] == page
    package.refresh_from_db()
    assert package.status == "destroyed"


def test_an_action_never_returns_to_another_site(agent, make):
    package = make("TRK-1", claimed=True)

    response = agent.post(
        PACKAGES,
        {
            "action": "mark_returned",
            "_selected_action": [package.pk],
            "_return_to": "https://evil.example/",
        },
    )

    assert response["Location"] == PACKAGES


def test_a_viewer_without_change_permission_is_offered_no_buttons(client_for, make, xavier):
    package = make("TRK-1", claimed=True)
    xavier.groups.clear()
    xavier.user_permissions.add(Permission.objects.get(codename="view_failedpackage"))

    text = client_for(xavier).get(f"{PACKAGES}{package.pk}/change/").content.decode()

    assert 'name="action" value="mark_returned"' not in text
    assert 'name="_save"' not in text


# --- export ---------------------------------------------------------------------------


def exported(response) -> list[dict[str, str]]:
    text = b"".join(response.streaming_content).decode()
    return list(csv.DictReader(io.StringIO(text)))


def test_export_writes_the_selected_own_packages(agent, make, provider_y, seller_b):
    ours = make("TRK-1", awaiting=True, order_id="=HYPERLINK(1)", warehouse_location="R1")
    theirs = PackageFactory(provider=provider_y, seller=seller_b, tracking_number="TRK-Y")

    response = agent.post(
        PACKAGES, {"action": "export_csv", "_selected_action": [ours.pk, theirs.pk]}
    )

    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == 'attachment; filename="packages-20260310-0900.csv"'
    [row] = exported(response)
    assert row["tracking_number"] == "TRK-1"
    assert row["order_id"] == "'=HYPERLINK(1)"  # never run as a formula
    assert (row["shop_code"], row["provider"], row["status"]) == (
        "SHOP-A",
        "swiftlane",
        "awaiting_seller",
    )
    assert row["claim_deadline"] == ours.claim_deadline.isoformat()


def test_export_across_a_filter_takes_every_matching_own_row(agent, make, provider_y, seller_b):
    claimed = [make(f"TRK-{n}", claimed=True) for n in range(3)]
    make("TRK-9", awaiting=True)
    PackageFactory(provider=provider_y, seller=seller_b, claimed=True)

    response = agent.post(
        f"{PACKAGES}?status=claimed",
        {"action": "export_csv", "_selected_action": [claimed[0].pk], "select_across": "1"},
    )

    assert sorted(row["tracking_number"] for row in exported(response)) == [
        "TRK-0",
        "TRK-1",
        "TRK-2",
    ]
