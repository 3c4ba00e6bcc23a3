"""The time left in a notice is the time left when the outbox sends it: a notice that
waited in the queue says so, and the row keeps what was sent."""

from datetime import UTC, datetime, timedelta
from unittest import mock

import pytest
import time_machine
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils.html import escape

from returns import emails, notice_queue, outbox
from returns.models import Notification
from returns.outbox import rendering
from tests.factories import PackageFactory
from tests.helpers import as_sent
from tests.i18n.languages import require_catalog

WRITTEN = datetime(2026, 3, 10, 17, 0, tzinfo=UTC)
DEADLINE = WRITTEN + timedelta(days=7)


@pytest.fixture
def clock():
    with time_machine.travel(WRITTEN, tick=False) as traveller:
        yield traveller


@pytest.fixture
def package(seller_a, provider_x):
    return PackageFactory(
        seller=seller_a, provider=provider_x, awaiting=True, claim_deadline=DEADLINE
    )


def test_a_notice_written_at_t_and_sent_two_hours_later_says_two_hours_less(clock, package):
    notice = as_sent(emails.destruction_notice(package))
    reminder = emails.deadline_reminder(package, hours_before=72)
    # Nothing said yet: the outbox writes the time left in as it sends.
    assert notice_queue.TIME_LEFT_MARK in notice.body_text
    assert "7 days left" not in notice.body_text

    clock.shift(timedelta(hours=2))
    assert outbox.deliver_notifications().sent == 2

    for message in mail.outbox:
        [(html, _type)] = message.alternatives
        assert "6 days 22 hours left" in message.body, message.subject
        assert "<strong>6 days 22 hours left</strong>" in html, message.subject
        assert notice_queue.TIME_LEFT_MARK not in message.body + html
    for row in (notice, reminder):
        row.refresh_from_db()
        assert row.status == Notification.Status.SENT
        assert "6 days 22 hours left" in row.body_text  # what was sent, as sent
        assert "6 days 22 hours left" in row.body_html


def test_a_notice_sent_after_the_deadline_says_the_window_closed(clock, package):
    emails.destruction_notice(package)

    clock.move_to(DEADLINE + timedelta(minutes=5))
    outbox.deliver_notifications()

    [message] = mail.outbox
    assert "Claim window closed" in message.body
    assert " left" not in message.body


def test_a_retried_notice_says_the_time_left_at_its_retry(clock, package):
    notice = emails.destruction_notice(package)
    Notification.objects.filter(pk=notice.pk).update(
        status=Notification.Status.PENDING, attempts=1, next_attempt_at=WRITTEN + timedelta(hours=5)
    )

    clock.shift(timedelta(hours=5))
    outbox.deliver_notifications()

    [message] = mail.outbox
    assert "6 days 19 hours left" in message.body


def test_a_batch_reads_its_deadlines_in_one_query(clock, seller_a, provider_x):
    for _ in range(5):
        emails.destruction_notice(
            PackageFactory(seller=seller_a, provider=provider_x, awaiting=True)
        )
    batch = list(Notification.objects.all())
    rendering.render_unsent(batch)  # as the outbox renders them before it fills them in

    with CaptureQueriesContext(connection) as queries:
        rendering.fill_time_left(batch, now=WRITTEN)

    assert len(queries) == 1
    assert all(notice_queue.TIME_LEFT_MARK not in n.body_text for n in batch)


def test_the_portal_shows_a_notice_not_sent_yet_with_the_time_left_now(
    clock, package, client_for, alice
):
    emails.destruction_notice(package)
    clock.shift(timedelta(hours=3))

    response = client_for(alice).get(reverse("returns:notification_list"))

    assert "6 days 21 hours left" in response.content.decode()
    assert notice_queue.TIME_LEFT_MARK not in response.content.decode()


def test_the_time_left_is_in_the_sellers_language(clock, package, seller_a):
    require_catalog("th")
    seller_a.language = "th"
    seller_a.save()
    emails.destruction_notice(package)

    clock.shift(timedelta(hours=2))
    outbox.deliver_notifications()

    [message] = mail.outbox
    assert "6 วัน 22 ชั่วโมง" in message.body
    assert notice_queue.TIME_LEFT_MARK not in message.body


def test_a_notice_the_outbox_has_not_rendered_yet_reads_in_full_on_the_notices_page(
    clock, package, alice, client_for
):
    """Written unrendered (a standing instruction's, finalize's): the page renders it for
    reading, as the email will say it, rather than a kind's name and an empty message,
    for one query more (the packages of the notices still to render)."""
    emails.instruction_applied(package, rule="let_go")
    [notice] = Notification.objects.filter(kind=Notification.Kind.INSTRUCTION_APPLIED)
    assert notice.subject == ""
    client = client_for(alice)
    client.get(reverse("returns:notification_list"))  # the session and the nav, warmed

    with CaptureQueriesContext(connection) as unrendered:
        before = client.get(reverse("returns:notification_list")).content.decode()
    outbox.deliver_notifications()
    with CaptureQueriesContext(connection) as rendered:
        after = client.get(reverse("returns:notification_list")).content.decode()

    notice.refresh_from_db()
    assert notice.subject
    for page in (before, after):
        assert escape(notice.subject) in page
        assert escape(notice.body_text.splitlines()[0]) in page
    assert len(unrendered) == len(rendered) + 1


def test_a_notice_that_cannot_be_rendered_leaves_the_pages_open_under_its_kinds_name(
    clock, package, alice, client_for, caplog
):
    emails.destruction_notice(package)
    client = client_for(alice)

    with mock.patch("returns.outbox.rendering.render_deferred", side_effect=ValueError("bad")):
        pages = [client.get(reverse(name)) for name in ("home", "returns:notification_list")]

    for page in pages:
        assert page.status_code == 200
        assert "Destruction notice" in page.content.decode()
    assert "could not be rendered for reading" in caplog.text
