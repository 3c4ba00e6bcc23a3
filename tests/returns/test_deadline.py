"""The claim deadline: end of the 7th calendar day after the notice, in the seller's zone."""

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from portal.formatting import local_datetime, time_left
from returns.delivery import claim_deadline_for


def at(text: str, zone: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=ZoneInfo(zone))


def test_a_notice_in_bangkok_ends_on_the_seventh_day_at_23_59_59_bangkok_time():
    deadline = claim_deadline_for(at("2026-03-03 15:20", "Asia/Bangkok"), "Asia/Bangkok")

    assert deadline.tzinfo == UTC
    assert deadline.astimezone(ZoneInfo("Asia/Bangkok")) == at(
        "2026-03-10 23:59:59", "Asia/Bangkok"
    )


def test_the_calendar_day_is_the_sellers_not_the_servers():
    # 20:00 UTC on 3 March is already 4 March in Bangkok.
    noticed = datetime(2026, 3, 3, 20, 0, tzinfo=UTC)

    deadline = claim_deadline_for(noticed, "Asia/Bangkok")

    assert deadline.astimezone(ZoneInfo("Asia/Bangkok")).date().isoformat() == "2026-03-11"


@pytest.mark.parametrize(
    ("zone", "noticed", "utc_deadline"),
    [
        # Berlin moves to summer time on 29 March 2026: the window ends at 23:59:59 CEST.
        ("Europe/Berlin", "2026-03-25 10:00", "2026-04-01 21:59:59"),
        # New York moves back to standard time on 1 November 2026.
        ("America/New_York", "2026-10-29 09:00", "2026-11-06 04:59:59"),
    ],
)
def test_a_daylight_saving_change_inside_the_window_keeps_the_local_end_of_day(
    zone, noticed, utc_deadline
):
    deadline = claim_deadline_for(at(noticed, zone), zone)

    assert deadline == datetime.fromisoformat(utc_deadline).replace(tzinfo=UTC)
    local = deadline.astimezone(ZoneInfo(zone))
    assert (local.hour, local.minute, local.second) == (23, 59, 59)


def test_the_window_length_comes_from_the_settings(settings):
    settings.CLAIM_WINDOW_DAYS = 3

    deadline = claim_deadline_for(at("2026-03-03 15:20", "Asia/Bangkok"), "Asia/Bangkok")

    assert deadline.astimezone(ZoneInfo("Asia/Bangkok")) == at(
        "2026-03-06 23:59:59", "Asia/Bangkok"
    )


def test_the_deadline_reads_in_the_sellers_zone_with_the_zone_named():
    deadline = at("2026-03-10 23:59:59", "Asia/Bangkok")

    assert local_datetime(deadline, "Asia/Bangkok") == (
        "Tuesday 10 March 2026 at 23:59 Bangkok time (Asia/Bangkok)"
    )


@pytest.mark.parametrize(
    ("remaining", "words"),
    [
        (timedelta(days=2, hours=4, minutes=10), "2 days 4 hours left"),
        (timedelta(days=1, minutes=5), "1 day left"),
        (timedelta(hours=3, minutes=20), "3 hours 20 minutes left"),
        (timedelta(minutes=12, seconds=30), "12 minutes left"),
        (timedelta(seconds=20), "0 minutes left"),
        (timedelta(seconds=-1), "closed"),
    ],
)
def test_time_left_reads_like_a_person_would_say_it(remaining, words):
    now = datetime(2026, 3, 8, 12, 0, tzinfo=UTC)

    assert time_left(now + remaining, now) == words
