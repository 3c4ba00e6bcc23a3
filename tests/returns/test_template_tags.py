"""The seller-facing badges and history labels the returns template tags write."""

from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone

from portal import formatting
from returns.models import EventAction
from returns.templatetags.returns_tags import event_label, status_badge, time_left_badge
from tests.builders import awaiting_package


@pytest.fixture
def waiting(seller_a, provider_x):
    return awaiting_package(seller_a, provider_x)


def test_a_passed_deadline_reads_window_closed_whatever_words_time_left_uses(waiting, monkeypatch):
    # Translated, time_left no longer says "closed": the badge must not depend on its words.
    monkeypatch.setattr(formatting, "time_left", lambda deadline, now=None: "หมดเวลาแล้ว")
    with time_machine.travel(waiting.claim_deadline + timedelta(minutes=5), tick=False):
        status, time_left = status_badge(waiting), time_left_badge(waiting)

    # One badge, and not "Waiting for you" beside it: the seller can no longer claim it.
    assert status == '<span class="badge text-bg-secondary">Window closed</span>'
    assert time_left == ""


def test_the_window_is_open_on_the_last_second_as_the_claim_is(waiting):
    with time_machine.travel(waiting.claim_deadline, tick=False):
        status = status_badge(waiting)

    assert "Window closed" not in status


def test_an_open_window_shows_the_time_left_with_its_spoken_label(waiting):
    with time_machine.travel(waiting.claim_deadline - timedelta(hours=30), tick=False):
        badge = time_left_badge(waiting)

    assert '<span class="visually-hidden">Time to decide: </span>' in badge
    assert ">1 day 6 hours left</span>" in badge
    assert timezone.localtime(waiting.claim_deadline).isoformat() in badge


@pytest.mark.parametrize(
    ("action", "label"),
    [
        (EventAction.CLAIMED, "You asked for it back"),
        (EventAction.REMINDER_SENT, "We reminded you of the deadline"),
        (EventAction.DESTRUCTION_OVERDUE, "The provider has not yet confirmed the destruction"),
    ],
)
def test_history_labels_are_the_sellers_wording(action, label):
    assert event_label(action) == label
