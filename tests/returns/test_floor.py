"""The warehouse floor: the scan station, batches and their manifests, the pick list."""

from datetime import timedelta

import pytest

from returns import batches
from returns.models import FailedPackage, PackageBatch
from tests.factories import PackageFactory, SellerFactory
from tests.returns.console import NOW, PACKAGES, listed

SCAN = f"{PACKAGES}scan/"
PICK_LIST = f"{PACKAGES}pick-list/"


def batch_url(batch: PackageBatch, page: str = "") -> str:
    return f"{PACKAGES}batches/{batch.reference}/{page}"


@pytest.fixture
def destruction_batch(xavier, provider_x) -> PackageBatch:
    return batches.open_batch(provider=provider_x, kind="destruction", actor=xavier)


@pytest.fixture
def their_batch(yvonne, provider_y) -> PackageBatch:
    return batches.open_batch(provider=provider_y, kind="destruction", actor=yvonne)


# --- the work-first list ----------------------------------------------------------------


def test_the_list_puts_closing_windows_first_then_destructions_overdue_first(
    agent, make, console_clock
):
    make("DONE", returned=True)
    make("CLAIMED", claimed=True)
    make("PENDING", pending_destruction=True, destruction_requested_at=NOW - timedelta(days=1))
    make(
        "OVERDUE",
        pending_destruction=True,
        destruction_requested_at=NOW - timedelta(days=5),
        destruction_overdue_at=NOW - timedelta(days=1),
    )
    make("CLOSES-LATER", awaiting=True, claim_deadline=NOW + timedelta(days=5))
    make("CLOSES-SOON", awaiting=True, claim_deadline=NOW + timedelta(hours=3))
    make("IN-DELIVERY")

    assert listed(agent.get(PACKAGES)) == [
        "CLOSES-SOON",
        "CLOSES-LATER",
        "OVERDUE",
        "PENDING",
        "CLAIMED",
        "IN-DELIVERY",
        "DONE",
    ]
    assert listed(agent.get(PACKAGES, {"status": "destruction_pending"})) == ["OVERDUE", "PENDING"]


def test_each_status_is_a_badge_that_says_it_in_words(agent, make):
    make("TRK-1", claimed=True)

    text = agent.get(PACKAGES).content.decode()

    assert '<span class="state-badge state-claimed">Claimed</span>' in text


def test_search_by_part_of_a_sellers_name_stays_in_the_providers_packages(
    agent, ours, theirs, seller_b, provider_x
):
    PackageFactory(provider=provider_x, seller=seller_b, tracking_number="TRK-X2")

    assert listed(agent.get(PACKAGES, {"q": "shop b"})) == ["TRK-X2"]
    assert listed(agent.get(PACKAGES, {"q": "Shop"})) == ["TRK-X1", "TRK-X2"]  # X1 awaits


def test_another_providers_sellers_take_none_of_the_name_matches_places(
    agent, provider_x, provider_y, monkeypatch
):
    monkeypatch.setattr("returns.admin.search.SELLERS_MATCHED", 2)
    for n in range(3):  # lower ids than ours, with the same word in their name
        PackageFactory(provider=provider_y, seller=SellerFactory(name=f"Shop Y{n}"))
    ours = SellerFactory(name="Shop Ours")
    PackageFactory(provider=provider_x, seller=ours, tracking_number="TRK-X2")

    assert listed(agent.get(PACKAGES, {"q": "Shop"})) == ["TRK-X2"]


# --- the scan station -------------------------------------------------------------------


def test_a_scan_shows_the_card_with_only_the_actions_its_state_allows(agent, make):
    make("TRK-C1", claimed=True, warehouse_location="R4-S1")

    text = agent.get(SCAN, {"tracking": "trk-c1"}).content.decode()

    assert "R4-S1" in text
    assert 'value="mark_returned"' in text and 'data-shortcut="1"' in text
    assert 'value="withdraw_claim"' in text and 'data-shortcut="2"' in text
    assert 'value="confirm_destruction"' not in text
    assert "autofocus" in text


def test_another_providers_number_reads_as_unknown_and_beeps(agent, theirs):
    response = agent.get(SCAN, {"tracking": theirs.tracking_number}, HTTP_X_SCAN="1")

    text = response.content.decode()
    assert "No package TRK-Y1 at SwiftLane." in text
    assert "data-beep" in text
    assert theirs.order_id not in text and "Shop B" not in text


def test_the_scan_station_takes_the_same_queries_with_or_without_batches(
    agent, make, xavier, provider_x, django_assert_num_queries
):
    make("TRK-1", pending_destruction=True)
    agent.get(SCAN, {"tracking": "TRK-1"})
    for _ in range(3):
        batches.open_batch(provider=provider_x, kind="destruction", actor=xavier)

    with django_assert_num_queries(5):
        agent.get(SCAN, {"tracking": "TRK-1"})


# --- batches ----------------------------------------------------------------------------


def test_scanning_into_a_batch_flags_a_package_in_the_wrong_state(agent, make, destruction_batch):
    make("TRK-P1", pending_destruction=True)
    make("TRK-C1", claimed=True)

    agent.post(batch_url(destruction_batch, "scan/"), {"tracking": "TRK-P1"})
    response = agent.post(
        batch_url(destruction_batch, "scan/"), {"tracking": "TRK-C1"}, follow=True
    )

    text = response.content.decode()
    assert "2 packages in this batch" in text
    assert "1 in the wrong state" in text
    assert "TRK-C1 is claimed, not waiting for destruction" in text
    assert "data-beep" in text


def test_a_scan_of_another_providers_package_adds_nothing(agent, theirs, destruction_batch):
    response = agent.post(
        batch_url(destruction_batch, "scan/"), {"tracking": theirs.tracking_number}, follow=True
    )

    assert "No package TRK-Y1 at SwiftLane." in response.content.decode()
    assert destruction_batch.entries.count() == 0


def test_an_empty_scan_asks_for_a_tracking_number_and_adds_nothing(agent, destruction_batch):
    response = agent.post(batch_url(destruction_batch, "scan/"), {"tracking": "  "}, follow=True)

    text = response.content.decode()
    assert "Scan or type a tracking number, then Enter" in text
    assert "No package" not in text
    assert destruction_batch.entries.count() == 0


def test_another_providers_batch_is_not_found_on_any_of_its_pages(agent, their_batch, theirs):
    for page in ["", "manifest/", "manifest.csv"]:
        assert agent.get(batch_url(their_batch, page)).status_code == 404, page
    for page in ["scan/", "remove/", "confirm/"]:
        response = agent.post(batch_url(their_batch, page), {"tracking": theirs.tracking_number})
        assert response.status_code == 404, page
    assert their_batch.entries.count() == 0


def test_confirming_a_destruction_batch_destroys_each_package_and_reports_the_skipped(
    agent, make, destruction_batch
):
    for tracking in ["TRK-P1", "TRK-P2"]:
        make(tracking, pending_destruction=True)
    make("TRK-C1", claimed=True)
    for tracking in ["TRK-P1", "TRK-C1", "TRK-P2"]:
        agent.post(batch_url(destruction_batch, "scan/"), {"tracking": tracking})

    response = agent.post(
        batch_url(destruction_batch, "confirm/"),
        {"reference": "DX-77", "method": "shredded"},
        follow=True,
    )

    text = response.content.decode()
    assert "2 packages confirmed destroyed" in text
    assert "Skipped 1: TRK-C1 is claimed, not waiting for destruction" in text
    destroyed = FailedPackage.objects.filter(status="destroyed").order_by("tracking_number")
    assert [(p.tracking_number, p.destruction_batch_id) for p in destroyed] == [
        ("TRK-P1", destruction_batch.pk),
        ("TRK-P2", destruction_batch.pk),
    ]
    csv = agent.get(batch_url(destruction_batch, "manifest.csv"))
    lines = b"".join(csv.streaming_content).decode().splitlines()
    assert len(lines) == 4 and all(destruction_batch.reference in line for line in lines[1:])


def test_a_batch_needs_the_method_chosen(agent, make, destruction_batch):
    make("TRK-P1", pending_destruction=True)
    agent.post(batch_url(destruction_batch, "scan/"), {"tracking": "TRK-P1"})

    response = agent.post(batch_url(destruction_batch, "confirm/"), {"reference": "DX-1"})

    assert "Choose how the packages were destroyed." in response.content.decode()
    assert FailedPackage.objects.get(tracking_number="TRK-P1").status == "destruction_pending"


def test_the_certificate_names_the_batch(client_for, alice, xavier, make, destruction_batch):
    package = make("TRK-P1", pending_destruction=True)
    batches.add_to_batch(
        batch=destruction_batch,
        packages=FailedPackage.objects.for_user(xavier),
        tracking_number="TRK-P1",
    )
    batches.confirm_batch(batch=destruction_batch, actor=xavier, reference="DX-9", method="other")

    text = client_for(alice).get(f"/packages/{package.public_id}/certificate/").content.decode()

    assert destruction_batch.reference in text


@pytest.mark.parametrize("entries", [1, 5, 20])
def test_the_batch_page_and_manifest_take_the_same_queries_for_any_size(
    agent, make, destruction_batch, xavier, entries, django_assert_num_queries
):
    scoped = FailedPackage.objects.for_user(xavier)
    for n in range(entries):
        make(f"TRK-{n}", pending_destruction=True)
        batches.add_to_batch(batch=destruction_batch, packages=scoped, tracking_number=f"TRK-{n}")
    agent.get(batch_url(destruction_batch))

    with django_assert_num_queries(4):
        agent.get(batch_url(destruction_batch))
    with django_assert_num_queries(4):
        agent.get(batch_url(destruction_batch, "manifest/"))


# --- the pick list ----------------------------------------------------------------------


def test_the_pick_list_groups_claimed_packages_by_bin_and_marks_one_returned(agent, make, theirs):
    make("TRK-B2", claimed=True, warehouse_location="B-02")
    make("TRK-A1", claimed=True, warehouse_location="A-01")
    make("TRK-A2", claimed=True, warehouse_location="A-01")
    make("TRK-P", pending_destruction=True, warehouse_location="A-01")

    text = agent.get(PICK_LIST).content.decode()

    assert text.index("Bin A-01") < text.index("TRK-A1") < text.index("Bin B-02")
    assert "TRK-P" not in text and theirs.tracking_number not in text
    package = FailedPackage.objects.get(tracking_number="TRK-A1")
    response = agent.post(f"{PICK_LIST}{package.pk}/returned/", follow=True)
    assert "TRK-A1 marked returned." in response.content.decode()
    package.refresh_from_db()
    assert package.status == "returned"


def test_another_providers_package_cannot_be_marked_returned_from_the_pick_list(agent, theirs):
    FailedPackage.objects.filter(pk=theirs.pk).update(status="claimed")

    assert agent.post(f"{PICK_LIST}{theirs.pk}/returned/").status_code == 404
    theirs.refresh_from_db()
    assert theirs.status == "claimed"


@pytest.mark.parametrize("claimed", [1, 30])
def test_the_pick_list_takes_the_same_queries_for_any_length(
    agent, make, claimed, django_assert_num_queries
):
    for n in range(claimed):
        make(f"TRK-{n}", claimed=True, warehouse_location=f"R{n % 4}")
    agent.get(PICK_LIST)

    with django_assert_num_queries(3):
        agent.get(PICK_LIST)
