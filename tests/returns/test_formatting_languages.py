"""Dates and time left read in the reader's language: month, weekday and city names from
CLDR, and phrases a translator can reorder (Thai says "เหลือ 2 วัน", "left" first)."""

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.utils import translation

from portal import formatting

DEADLINE = datetime(2026, 3, 10, 23, 59, 59, tzinfo=ZoneInfo("Asia/Bangkok"))


def test_english_keeps_the_house_wording():
    with translation.override("en"):
        assert formatting.local_date(DEADLINE, "Asia/Bangkok") == "10 March at 23:59 Bangkok time"
        assert formatting.local_short(DEADLINE, "Asia/Bangkok") == "10 Mar 23:59 Bangkok time"
        assert formatting.zone_label("Asia/Bangkok") == "Bangkok time"


def test_a_thai_reader_sees_the_thai_weekday_month_and_city():
    with translation.override("th"):
        full = formatting.local_datetime(DEADLINE, "Asia/Bangkok")
        short = formatting.local_short(DEADLINE, "Asia/Bangkok")
        in_sentence = formatting.local_date(DEADLINE, "Asia/Bangkok")
        zone = formatting.zone_label("Asia/Bangkok")

    assert "วันอังคาร" in full
    assert "มีนาคม" in full
    assert "2026" in full
    assert "Asia/Bangkok" in full
    assert "10 มีนาคม" in in_sentence
    assert "มี.ค." in short
    assert "กรุงเทพ" in zone
    for text in (full, short, in_sentence):
        assert "March" not in text
        assert "Mar " not in text
        assert "Bangkok" not in text.replace("Asia/Bangkok", "")


def test_a_chinese_reader_sees_the_chinese_date_and_city():
    with translation.override("zh-hans"):
        full = formatting.local_datetime(DEADLINE, "Asia/Shanghai")
        short = formatting.local_short(DEADLINE, "Asia/Bangkok")
        in_sentence = formatting.local_date(DEADLINE, "Asia/Bangkok")
        zone = formatting.zone_label("Asia/Bangkok")

    assert "2026年3月11日" in full  # 23:59 in Bangkok is already the 11th in Shanghai
    assert "星期三" in full
    assert "上海" in full
    assert "3月10日" in in_sentence
    assert "3月10日" in short
    assert "曼谷" in zone


def test_an_unknown_language_reads_as_english():
    with translation.override("xx"):
        assert formatting.local_date(DEADLINE, "Asia/Bangkok") == "10 March at 23:59 Bangkok time"


# A few phrases as a Thai catalog would hold them: the unit phrases are plural-aware and
# "left" comes first, so the time left must be built from whole phrases, not glued words.
THAI = {
    "%(duration)s left": "เหลือ %(duration)s",
    "%(larger)s %(smaller)s": "%(larger)s %(smaller)s",
    ("%(days)s day", "%(days)s days"): "%(days)s วัน",
    ("%(hours)s hour", "%(hours)s hours"): "%(hours)s ชั่วโมง",
    ("%(minutes)s minute", "%(minutes)s minutes"): "%(minutes)s นาที",
    ("claim window", "closed"): "ปิดแล้ว",
}


@pytest.fixture
def thai_catalog(monkeypatch):
    monkeypatch.setattr(formatting, "gettext", lambda message: THAI[message])
    monkeypatch.setattr(formatting, "ngettext", lambda one, many, n: THAI[(one, many)])
    monkeypatch.setattr(formatting, "pgettext", lambda context, message: THAI[(context, message)])
    # Worded phrases are kept per language; these words come from another catalog.
    formatting.forget_wording()
    yield
    formatting.forget_wording()


@pytest.mark.parametrize(
    ("remaining", "words"),
    [
        (timedelta(days=2, hours=4, minutes=10), "เหลือ 2 วัน 4 ชั่วโมง"),
        (timedelta(days=1, minutes=5), "เหลือ 1 วัน"),
        (timedelta(hours=3, minutes=20), "เหลือ 3 ชั่วโมง 20 นาที"),
        (timedelta(seconds=20), "เหลือ 0 นาที"),
        (timedelta(seconds=-1), "ปิดแล้ว"),
    ],
)
def test_the_time_left_is_whole_phrases_a_translator_can_reorder(thai_catalog, remaining, words):
    now = datetime(2026, 3, 8, 12, 0, tzinfo=UTC)

    assert formatting.time_left(now + remaining, now) == words
