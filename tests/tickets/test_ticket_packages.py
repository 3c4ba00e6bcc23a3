"""The ticket forms offer only the packages a category can act on, a few at a time."""

import re
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from pytest_django.asserts import assertContains, assertNotContains

from returns.models import FailedPackage
from tests.builders import file_ticket
from tickets.forms import PACKAGE_MATCHES
from tickets.models import Ticket

Status = FailedPackage.Status
NEW = reverse("tickets:new")
PACKAGE_SELECT = re.compile(rb'<select name="package".*?</select>', re.DOTALL)
FINAL = 800  # returned and destroyed: an old seller's history, far more than a list
WAITING = 120  # more than one list's worth still waiting for the seller
QUERIES = 8  # session, user, seller, the list (one more when the chosen one is not in it)


@pytest.fixture
def history(seller_a, provider_x):
    """800 final packages, 120 waiting with their window open, 3 claimed, 1 expired."""
    now = timezone.now()

    def package(n: int, status: str, **fields) -> FailedPackage:
        return FailedPackage(
            provider=provider_x,
            seller=seller_a,
            tracking_number=f"TH{n:010d}",
            order_id=f"ORD-{n:06d}",
            status=status,
            reason=FailedPackage.Reason.DELIVERY_FAILED,
            claim_deadline=now + timedelta(days=3, minutes=n),
            **fields,
        )

    rows = [
        package(n, Status.RETURNED, returned_at=now)
        if n % 2
        else package(
            n,
            Status.DESTROYED,
            destroyed_at=now,
            destruction_reference=f"DX-{n}",
            destruction_method="shredded",
        )
        for n in range(FINAL)
    ]
    rows += [package(FINAL + n, Status.AWAITING_SELLER) for n in range(WAITING)]
    rows += [package(FINAL + WAITING + n, Status.CLAIMED, claimed_at=now) for n in range(3)]
    expired = package(FINAL + WAITING + 3, Status.AWAITING_SELLER)
    expired.claim_deadline = now - timedelta(hours=1)
    rows.append(expired)
    FailedPackage.objects.bulk_create(rows, batch_size=1000)
    return FailedPackage.objects.filter(seller=seller_a)


def _options(response) -> int:
    return PACKAGE_SELECT.search(response.content).group().count(b"<option ")


def _statuses_offered(response) -> set[str]:
    return {str(package.status) for package in response.context["form"].offered}


@pytest.mark.parametrize("category", ["send_back", "pick_up", "not_needed"])
def test_a_claim_or_release_offers_only_open_windows_and_a_search(
    category, history, client_for, alice, django_assert_max_num_queries
):
    client = client_for(alice)

    with django_assert_max_num_queries(QUERIES):
        response = client.get(NEW, {"category": category})

    body = response.content
    # Before: one option per package (15,485 and 1.4 MB for a seller with 15,000 packages).
    # Now the first 50 open windows and the empty choice, however many there are.
    assert _options(response) == PACKAGE_MATCHES + 1
    assert len(body) < 40_000
    assert _statuses_offered(response) == {Status.AWAITING_SELLER}
    assertContains(response, 'name="q"')
    assertContains(response, '<button class="btn btn-outline-secondary" type="submit" name="find"')
    assertContains(response, "The list shows the first 50 matches.")


def test_a_question_offers_packages_with_a_move_ahead_of_them(history, client_for, alice):
    response = client_for(alice).get(NEW, {"category": "question"})

    assert _options(response) == PACKAGE_MATCHES + 1
    assert _statuses_offered(response) <= {Status.AWAITING_SELLER, Status.CLAIMED}


def test_the_first_step_offers_live_packages_only_and_finds_there_too(history, client_for, alice):
    client = client_for(alice)

    response = client.get(NEW, {"step": "1"})
    claimed = f"ORD-{FINAL + WAITING + 1:06d}"
    found = client.get(NEW, {"category": "send_back", "q": claimed, "find": "1"})

    assert _options(response) == PACKAGE_MATCHES + 1
    assert not _statuses_offered(response) & {Status.RETURNED, Status.DESTROYED}
    # Find on the first step stays there, the chosen category kept.
    assertContains(found, "What do you need?")
    assertContains(found, 'value="send_back"  id="id_category_0" required checked', html=False)
    assert [p.order_id for p in found.context["form"].offered] == [claimed]


def test_find_narrows_the_list_by_the_start_of_a_tracking_number_or_an_order_id(
    history, client_for, alice, django_assert_max_num_queries
):
    client = client_for(alice)
    waiting = history.get(tracking_number=f"TH{FINAL + 7:010d}")

    with django_assert_max_num_queries(QUERIES):
        by_tracking = client.post(NEW, {"category": "send_back", "q": "th00000009", "find": "1"})
    by_order = client.post(
        NEW,
        {
            "category": "send_back",
            "q": f"ORD-{FINAL + 7:06d}",
            "find": "1",
            "delivery_address": "12 Sukhumvit Soi 11",
        },
    )

    # 900-919 wait for the seller; 920-923 match too, but are claimed or expired.
    assert [p.tracking_number for p in by_tracking.context["form"].offered] == [
        f"TH{n:010d}" for n in range(900, 920)
    ]
    assert [p.public_id for p in by_order.context["form"].offered] == [waiting.public_id]
    # Find keeps what was typed, files nothing and shows no error yet.
    assertContains(by_order, "12 Sukhumvit Soi 11")
    assertNotContains(by_order, "This field is required.")
    assert not Ticket.objects.exists()


def test_a_question_finds_a_destroyed_package_by_searching(history, client_for, alice):
    destroyed = history.filter(status=Status.DESTROYED).first()

    response = client_for(alice).post(
        NEW, {"category": "question", "q": destroyed.tracking_number, "find": "1"}
    )

    assert [p.public_id for p in response.context["form"].offered] == [destroyed.public_id]


def test_a_package_past_its_list_is_still_accepted_and_filed(history, client_for, alice):
    last = history.filter(status=Status.AWAITING_SELLER).order_by("-claim_deadline").first()
    client = client_for(alice)

    page = client.get(NEW, {"package": last.public_id})
    response = file_ticket(client, last)

    # Not among the first 50, but the one the link chose: listed first, selected.
    assertContains(page, f'<option value="{last.public_id}" selected>', html=False)
    assert response.status_code == 302
    last.refresh_from_db()
    assert last.status == Status.CLAIMED


def test_another_sellers_packages_are_never_found(history, client_for, bob):
    response = client_for(bob).post(NEW, {"category": "question", "q": "TH", "find": "1"})

    assert response.context["form"].offered == []
    assertNotContains(response, "TH00000")


@pytest.mark.postgres
@pytest.mark.parametrize("category", ["send_back", "question"])
def test_the_list_is_read_in_order_from_a_sellers_sort_index(history, client_for, alice, category):
    """A seller with thousands of open windows: the first list is read from the index in
    its order and stops, never every open window read and sorted first."""
    with CaptureQueriesContext(connection) as page:
        client_for(alice).get(NEW, {"category": category})
    [sql] = [q["sql"] for q in page.captured_queries if "LIMIT 51" in q["sql"]]
    with connection.cursor() as cursor:
        # A few hundred rows would be sorted in memory; ask what the plan is at scale.
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("SET LOCAL enable_sort = off")
        cursor.execute(f"EXPLAIN {sql}")
        plan = "\n".join(row[0] for row in cursor.fetchall())

    # package_seller_action, or for an open window package_seller_deadline (in order too),
    # bounded by the sort's own columns: no status filter reading past the first page.
    assert re.search(r"Index Scan using package_seller_(action|deadline) ", plan), plan
    [bound] = [line for line in plan.splitlines() if "Index Cond: ((seller_id" in line]
    assert "action_rank" in bound or "open_deadline" in bound, plan
    assert "status" not in plan, plan
    assert "Sort" not in plan
