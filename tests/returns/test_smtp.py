"""The outbox against a real SMTP server: local aiosmtpd sinks that misbehave one way each."""

from datetime import timedelta

import pytest
from django.utils import timezone

from returns import emails, outbox
from returns.models import Notification
from tests.factories import PackageFactory
from tests.returns.sinks import ClosesIdleSessions, DropsAfterData, Sink, running, use_smtp


def notices(provider, seller, count: int) -> list[Notification]:
    return [
        emails.destruction_notice(PackageFactory(provider=provider, seller=seller, awaiting=True))
        for _ in range(count)
    ]


@pytest.fixture
def smtp_sink(settings):
    sink = Sink()
    with running(sink) as (host, port):
        use_smtp(settings, host, port)
        yield sink


def test_notices_arrive_over_smtp_as_multipart_text_and_html(smtp_sink, provider_x, seller_a):
    notices(provider_x, seller_a, 3)

    summary = outbox.deliver_notifications()

    assert summary.sent == 3
    assert len(smtp_sink.messages) == 3
    message = smtp_sink.messages[0]
    assert message["To"] == seller_a.contact_email
    assert [part.get_content_type() for part in message.walk()] == [
        "multipart/alternative",
        "text/plain",
        "text/html",
    ]


def test_the_message_id_is_stable_and_names_this_site(smtp_sink, provider_x, seller_a):
    [notice] = notices(provider_x, seller_a, 1)

    outbox.deliver_notifications()

    assert smtp_sink.messages[0]["Message-ID"] == f"<notification-{notice.pk}@returns.example>"


def test_a_drop_after_data_is_not_sent_again_at_once(settings, provider_x, seller_a):
    sink = DropsAfterData(drops=1)
    sent = notices(provider_x, seller_a, 20)
    with running(sink) as (host, port):
        use_smtp(settings, host, port)

        first = outbox.deliver_notifications()

        assert (first.sent, first.uncertain) == (0, 20)
        assert set(sink.copies().values()) == {1}  # each arrived once: none resent at once
        rows = Notification.objects.filter(pk__in=[n.pk for n in sent])
        assert {(n.status, n.attempts, n.uncertain_attempts) for n in rows} == {("pending", 1, 1)}
        assert all("SMTPServerDisconnected" in n.last_error for n in rows)
        assert outbox.deliver_notifications().sent == 0  # backing off

        later = outbox.deliver_notifications(now=timezone.now() + timedelta(minutes=3))

    assert later.sent == 20
    # At most one extra copy per ambiguous drop, under the same Message-ID.
    assert set(sink.copies().values()) == {2}
    assert {n.status for n in rows.all()} == {"sent"}


def test_a_server_that_always_drops_after_data_gets_one_copy_per_attempt(
    settings, provider_x, seller_a
):
    sink = DropsAfterData(drops=None)
    sent = notices(provider_x, seller_a, 5)
    now = timezone.now()
    with running(sink) as (host, port):
        use_smtp(settings, host, port)
        for _ in range(outbox.MAX_SEND_ATTEMPTS + 2):
            outbox.deliver_notifications(now=now)
            now += timedelta(hours=1)

    assert set(sink.copies().values()) == {outbox.MAX_SEND_ATTEMPTS}
    rows = Notification.objects.filter(pk__in=[n.pk for n in sent])
    assert {(n.status, n.uncertain_attempts) for n in rows} == {
        ("failed", outbox.MAX_SEND_ATTEMPTS)
    }


def test_a_session_the_server_closed_before_mail_is_reopened_in_the_same_run(
    settings, provider_x, seller_a
):
    sink = ClosesIdleSessions()
    sent = notices(provider_x, seller_a, 5)
    with running(sink) as (host, port):
        use_smtp(settings, host, port)

        summary = outbox.deliver_notifications()

    assert (summary.sent, summary.retrying, summary.uncertain) == (5, 0, 0)
    assert set(sink.copies().values()) == {1}
    assert len(sink.copies()) == 5
    rows = Notification.objects.filter(pk__in=[n.pk for n in sent])
    assert {(n.status, n.attempts, n.uncertain_attempts) for n in rows} == {("sent", 1, 0)}
