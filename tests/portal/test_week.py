"""The work list's last 30 days: the chart numbers, checked against rows the services made."""

import csv
import io
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.core.cache import cache
from django.db import connection
from django.db.models import Count
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from pytest_django.asserts import assertContains

from portal import week
from portal.jobs import registered_jobs
from portal.week import DAYS
from returns import day_counts
from returns.day_count_models import DayCount
from returns.delivery import PackageDetails, record_seller_rejection, register_package
from returns.models import Channel, FailedPackage
from returns.services import claim_package, confirm_destruction, release_package
from returns.state_change import move_status
from tests.builders import awaiting_package, question_ticket
from tests.helpers import provider_staff_group
from tickets.services import reply_as_staff

# Noon in Bangkok, where provider X works: the days below are Bangkok's.
TODAY = datetime(2026, 3, 20, 5, 0, tzinfo=UTC)
CSV = "/admin/week.csv"
Status = FailedPackage.Status


def on(days_ago: int, hour: int = 5):
    """The clock `days_ago` days before TODAY, at `hour` UTC."""
    return time_machine.travel(TODAY - timedelta(days=days_ago) + timedelta(hours=hour - 5))


def rejected(seller, provider):
    package = register_package(
        provider=provider,
        seller=seller,
        details=PackageDetails(tracking_number=f"REJ-{seller.pk}-{provider.pk}", order_id="O-1"),
        channel=Channel.API,
    )
    return record_seller_rejection(package=package, rejected_at=timezone.now(), channel="api")


@pytest.fixture
def history(provider_x, provider_y, seller_a, seller_b, xavier, yvonne, alice):
    """Five days of provider X, and a busy day of provider Y that X must never count."""
    provider_x.time_zone = "Asia/Bangkok"
    provider_x.save()
    provider_staff_group(xavier, yvonne)
    with on(days_ago=4):  # two could not be delivered, one rejected; one claimed that day
        first, second = (
            awaiting_package(seller_a, provider_x),
            awaiting_package(seller_a, provider_x),
        )
        rejected(seller_a, provider_x)
        claim_package(package=first, channel=Channel.WEB)
        ticket = question_ticket(second, alice)
    with on(days_ago=4, hour=7):  # answered 2 hours later
        reply_as_staff(ticket=ticket, author=xavier, body="On the shelf.")
    with on(days_ago=2):  # let go, then destroyed; another claimed
        release_package(package=second, channel=Channel.WEB)
        confirm_destruction(
            package=second, reference="DX-1", method="shredded", actor=xavier, channel="admin"
        )
        slow = question_ticket(first, alice)
        quick = question_ticket(first, alice)
    with on(days_ago=2, hour=6):
        reply_as_staff(ticket=quick, author=xavier, body="Yes.")
    with on(days_ago=2, hour=11):
        reply_as_staff(ticket=slow, author=xavier, body="Tomorrow.")
    with on(days_ago=1, hour=20):  # 20:00 UTC is 03:00 the next day in Bangkok: today
        awaiting_package(seller_a, provider_x)
    with on(days_ago=3):
        for _ in range(3):
            other = awaiting_package(seller_b, provider_y)
            claim_package(package=other, channel=Channel.WEB)


def charted(response) -> dict[str, list]:
    return {chart.series.key: chart.series.values for chart in response.context["charts"]}


def test_each_day_counts_what_the_services_recorded(client_for, xavier, history):
    with time_machine.travel(TODAY):
        response = client_for(xavier).get("/admin/")

    series = charted(response)
    assert series["failed"][-5:] == [3, 0, 0, 0, 1]
    assert series["claimed"][-5:] == [1, 0, 0, 0, 0]
    assert series["let_go"][-5:] == [0, 0, 1, 0, 0]
    assert series["destroyed"][-5:] == [0, 0, 1, 0, 0]
    assert series["claim_rate"][-5:] == [50.0, None, None, None, 0.0]
    assert series["first_answer_hours"][-5:] == [2.0, None, 3.5, None, None]
    assert len(series["failed"]) == 30
    assert sum(series["claimed"]) == 1  # provider Y's three claims are not X's


def test_the_thirty_day_figures_sum_rate_and_median(client_for, xavier, history):
    with time_machine.travel(TODAY):
        response = client_for(xavier).get("/admin/")

    totals = {chart.series.key: chart.total for chart in response.context["charts"]}
    assert totals == {
        "failed": "4",
        "claimed": "1",
        "let_go": "1",
        "destroyed": "1",
        "claim_rate": "33.3%",
        "first_answer_hours": "2 h",  # of 2, 1 and 6 hours
    }


def test_each_chart_has_a_table_with_its_numbers_for_screen_readers(client_for, xavier, history):
    with time_machine.travel(TODAY):
        response = client_for(xavier).get("/admin/")

    assertContains(response, '<figure class="week-chart">', count=6)
    assertContains(response, "<caption>Packages failed</caption>")
    assertContains(response, '<th scope="row">16 Mar</th><td>3</td>', html=False)
    assertContains(response, '<th scope="row">18 Mar</th><td>3.5 h</td>', html=False)


def test_the_csv_has_the_same_numbers(client_for, xavier, history):
    with time_machine.travel(TODAY):
        response = client_for(xavier).get(CSV)
        page = client_for(xavier).get("/admin/")

    rows = list(csv.DictReader(io.StringIO(response.content.decode())))
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert len(rows) == 30
    assert rows[-5] == {
        "day": "2026-03-16",
        "failed": "3",
        "claimed": "1",
        "let_go": "0",
        "destroyed": "0",
        "claim_rate": "50",
        "first_answer_hours": "2",
    }
    for key, values in charted(page).items():
        assert [row[key] for row in rows] == ["" if v is None else f"{v:g}" for v in values]


def test_another_providers_chart_data_is_a_404(client_for, xavier, provider_x, provider_y, history):
    client = client_for(xavier)

    assert client.get(CSV, {"provider": provider_y.pk}).status_code == 404
    assert client.get(CSV, {"provider": "nonsense"}).status_code == 404
    assert client.get(CSV, {"provider": provider_x.pk}).status_code == 200


def test_an_operator_narrows_the_numbers_to_one_provider(client_for, operator, provider_y, history):
    with time_machine.travel(TODAY):
        response = client_for(operator).get(CSV, {"provider": provider_y.pk})

    rows = list(csv.DictReader(io.StringIO(response.content.decode())))
    assert sum(int(row["claimed"]) for row in rows) == 3
    assert sum(int(row["failed"]) for row in rows) == 3


def test_sellers_and_strangers_get_no_numbers(client_for, alice, client, history):
    assert client_for(alice).get(CSV).status_code == 302  # to the console's sign-in
    client.logout()
    assert client.get(CSV).status_code == 302


def test_the_work_list_reads_a_fixed_number_of_queries(
    client_for, xavier, history, seller_a, provider_x, django_assert_num_queries
):
    client = client_for(xavier)
    with time_machine.travel(TODAY):
        client.get("/admin/")  # sessions, permissions and content types cached; days kept
        # 16, one fewer than when each series was counted from the packages: the kept days
        # and the open one's, each in one query, for the packages and for the tickets.
        with django_assert_num_queries(16) as first:
            client.get("/admin/")
    with on(days_ago=6):
        for _ in range(5):
            release_package(package=awaiting_package(seller_a, provider_x), channel=Channel.WEB)

    with time_machine.travel(TODAY):
        # A carrier's attempt dated before the hour: its day is counted again once.
        day_counts.count_closed_days()
        with django_assert_num_queries(len(first.captured_queries)):
            client.get("/admin/")


def test_a_providers_numbers_are_counted_once_a_minute(
    client_for, xavier, history, settings, django_assert_num_queries
):
    settings.CONSOLE_CHARTS_CACHE_SECONDS = 60
    cache.clear()
    client = client_for(xavier)
    with time_machine.travel(TODAY):
        client.get("/admin/")  # counted, and kept
        with django_assert_num_queries(16 - 4):  # no chart query: 2 of packages, 2 of tickets
            again = client.get("/admin/")
        csv_rows = list(csv.DictReader(io.StringIO(client.get(CSV).content.decode())))
    cache.clear()

    assert charted(again)["failed"][-5:] == [3, 0, 0, 0, 1]
    assert csv_rows[-5]["failed"] == "3"


def test_past_the_minute_one_reader_counts_again_while_the_others_see_the_last_count(
    client_for, xavier, seller_a, provider_x, history, settings, monkeypatch
):
    settings.CONSOLE_CHARTS_CACHE_SECONDS = 60
    cache.clear()
    client = client_for(xavier)

    def viewed():
        with CaptureQueriesContext(connection) as queries:
            response = client.get("/admin/")
        return response, len(queries)

    with time_machine.travel(TODAY):
        client.get("/admin/")  # counted, and kept for a minute
        _, from_the_cache = viewed()
        awaiting_package(seller_a, provider_x)  # a failure the kept numbers do not have
    with time_machine.travel(TODAY + timedelta(seconds=90)), monkeypatch.context() as patch:
        # Another process's count is under way: its turn is taken.
        patch.setattr(week.cache, "add", lambda *args, **kwargs: False)
        meanwhile, meanwhile_queries = viewed()
    with time_machine.travel(TODAY + timedelta(seconds=91)):
        counted, counted_queries = viewed()  # this reader's turn: counted again
        kept, kept_queries = viewed()  # and kept for the next minute
    with time_machine.travel(TODAY + timedelta(minutes=3)), monkeypatch.context() as patch:
        # A count that fails gives its turn back at once.
        patch.setattr(week.cache, "set", lambda *args, **kwargs: 1 / 0)
        with pytest.raises(ZeroDivisionError):
            client.get("/admin/")
    turns = [key for key in cache._cache if key.endswith(":counting")]  # type: ignore[attr-defined]
    cache.clear()

    assert meanwhile_queries == kept_queries == from_the_cache
    # Counted: the open day, and the days the new package's attempts reopened.
    assert counted_queries > from_the_cache
    assert charted(meanwhile)["failed"][-1] == 1
    assert charted(counted)["failed"][-1] == charted(kept)["failed"][-1] == 2
    assert turns == []


# --- the days that are over, counted once (returns.day_counts) ---------------------------


def everything_live(monkeypatch):
    """No day is over for long enough to be kept: every number counted from the rows."""
    monkeypatch.setattr(day_counts, "SETTLE", timedelta(days=DAYS + 1))


def test_the_kept_days_give_the_numbers_counted_from_the_rows(
    client_for, xavier, operator, provider_y, history, monkeypatch
):
    for user, query in [(xavier, {}), (operator, {}), (operator, {"provider": provider_y.pk})]:
        with time_machine.travel(TODAY):
            kept = client_for(user).get("/admin/", query)  # the days over counted and kept
            again = client_for(user).get("/admin/", query)  # read from their rows
        with monkeypatch.context() as patch, time_machine.travel(TODAY):
            everything_live(patch)
            live = client_for(user).get("/admin/", query)

        assert charted(kept) == charted(again) == charted(live)
        totals = [[chart.total for chart in r.context["charts"]] for r in (kept, again, live)]
        assert totals[0] == totals[1] == totals[2]
    # 29 days over, in Bangkok for X's staff and in UTC (TIME_ZONE) for the operator.
    kept_rows = DayCount.objects.filter(provider__name=xavier.provider.name)
    assert sorted(kept_rows.values_list("zone", flat=True).distinct()) == ["Asia/Bangkok", "UTC"]
    assert kept_rows.filter(zone="Asia/Bangkok").count() == 29 * 2  # packages and answers


def test_a_failure_reported_into_a_kept_day_is_counted_again(
    client_for, xavier, seller_a, provider_x, history
):
    with on(days_ago=5):
        package = register_package(
            provider=provider_x,
            seller=seller_a,
            details=PackageDetails(tracking_number="LATE-1", order_id="O-2"),
            channel=Channel.API,
        )
    with time_machine.travel(TODAY):
        before = charted(client_for(xavier).get("/admin/"))["failed"]
        # The carrier reports today that the seller refused it three days ago.
        record_seller_rejection(
            package=package, rejected_at=TODAY - timedelta(days=3), channel="api"
        )
        after = charted(client_for(xavier).get("/admin/"))["failed"]

    assert before[-5:] == [3, 0, 0, 0, 1]
    assert after[-5:] == [3, 1, 0, 0, 1]


def test_an_undone_claim_leaves_the_day_it_was_kept_in(
    client_for, xavier, seller_a, provider_x, history, monkeypatch
):
    with on(days_ago=1):
        package = awaiting_package(seller_a, provider_x)
        claim_package(package=package, channel=Channel.WEB)
    with time_machine.travel(TODAY):
        kept = charted(client_for(xavier).get("/admin/"))
        # As undo_standing_instruction clears it, through the compare-and-set.
        move_status(package, expected=Status.CLAIMED, to=Status.AWAITING_SELLER, claimed_at=None)
        after = charted(client_for(xavier).get("/admin/"))
        with monkeypatch.context() as patch:
            everything_live(patch)
            live = charted(client_for(xavier).get("/admin/"))

    assert kept["claimed"][-2] == 1
    assert after == live
    assert after["claimed"][-2] == 0


def test_the_job_keeps_each_day_once_however_often_it_runs(provider_x, provider_y, history):
    with time_machine.travel(TODAY):
        first = day_counts.count_closed_days()
        second = day_counts.count_closed_days()
        dry = day_counts.count_closed_days(dry_run=True)

    # Two providers, each in its zone and the operators' (X: Bangkok and UTC; Y: UTC),
    # two sources each, 29 days over in each.
    assert first.done == (2 + 1) * 2 * 29
    assert second.done == 0 and second.skipped == (2 + 1) * 2
    assert dry.details == []
    assert DayCount.objects.count() == first.done
    assert (
        not DayCount.objects.values("provider", "zone", "source", "day")
        .annotate(n=Count("pk"))
        .filter(n__gt=1)
    )


def test_another_providers_kept_days_are_never_counted(
    client_for, xavier, yvonne, provider_y, history
):
    with time_machine.travel(TODAY):
        day_counts.count_closed_days()
        theirs = charted(client_for(yvonne).get("/admin/"))
        ours = charted(client_for(xavier).get("/admin/"))

    assert DayCount.objects.filter(provider=provider_y, numbers__claimed=3).exists()
    assert sum(theirs["claimed"]) == 3
    assert sum(ours["claimed"]) == 1
    assert sum(ours["failed"]) == 4


def test_the_job_is_scheduled_with_the_others():
    assert registered_jobs()["count_closed_days"].function() is day_counts.count_closed_days
