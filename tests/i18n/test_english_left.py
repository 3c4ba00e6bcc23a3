"""The checker the every-language tests lean on must itself find English that shows."""

from tests.i18n.languages import EnglishText, english_left, english_phrases

PHRASES = [
    EnglishText("Send it back", "Send it back to me"),
    EnglishText("days left", "%d days left"),
]


def test_english_that_shows_is_named_by_its_msgid():
    assert english_left("ส่งคืน Send it back หน่อย", PHRASES, []) == ["Send it back to me"]
    assert english_left("เหลือ 6 days left", PHRASES, []) == ["%d days left"]


def test_a_phrase_inside_a_longer_word_data_or_a_link_is_not_english_left():
    assert english_left("Send it backed, not XSend it back", PHRASES, []) == []
    assert english_left("ร้าน Send it back Co.", PHRASES, ["Send it back Co."]) == []
    assert english_left("https://portal.example/send-it-back?Send it back", PHRASES, []) == []


def test_every_catalog_phrase_is_checked():
    phrases = english_phrases("th")
    assert any(item.msgid == "Send it back to me" for item in phrases)
