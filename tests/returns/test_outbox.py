"""Sending the outbox: once, after commit, with retries that never send twice."""

import smtplib
from datetime import timedelta
from unittest import mock

import pytest
from django.core import mail
from django.utils import timezone
from django_q.models import OrmQ

from returns import emails, outbox, services, tasks
from returns.models import Notification
from tests.factories import PackageFactory


@pytest.fixture
def notice(provider_x, seller_a):
    package = PackageFactory(provider=provider_x, seller=seller_a, awaiting=True)
    return emails.destruction_notice(package)


def test_delivery_sends_a_text_and_html_email_and_marks_it_sent(notice):
    summary = outbox.deliver_notifications()

    assert (summary.sent, summary.failed) == (1, 0)
    [message] = mail.outbox
    assert message.to == [notice.to_email]
    assert message.subject == notice.subject
    assert message.body == notice.body_text
    assert message.alternatives[0] == (notice.body_html, "text/html")
    notice.refresh_from_db()
    assert notice.status == Notification.Status.SENT
    assert notice.sent_at is not None


def test_running_delivery_twice_sends_once(notice):
    outbox.deliver_notifications()
    second = outbox.deliver_notifications()

    assert second.sent == 0
    assert len(mail.outbox) == 1


def test_a_failed_send_backs_off_then_succeeds_exactly_once(notice):
    with mock.patch(
        "django.core.mail.EmailMultiAlternatives.send",
        side_effect=smtplib.SMTPServerDisconnected("connection lost"),
    ):
        first = outbox.deliver_notifications()

    notice.refresh_from_db()
    assert (first.retrying, notice.status, notice.attempts) == (1, "pending", 1)
    assert "connection lost" in notice.last_error
    assert outbox.deliver_notifications().sent == 0  # not due yet: backing off

    later = outbox.deliver_notifications(now=timezone.now() + timedelta(minutes=3))

    assert later.sent == 1
    assert len(mail.outbox) == 1
    notice.refresh_from_db()
    assert (notice.status, notice.attempts, notice.last_error) == ("sent", 2, "")


def test_after_the_last_attempt_the_notice_stays_failed_with_its_error(notice):
    now = timezone.now()
    with mock.patch(
        "django.core.mail.EmailMultiAlternatives.send",
        side_effect=smtplib.SMTPRecipientsRefused({notice.to_email: (550, b"no such user")}),
    ):
        for _ in range(outbox.MAX_SEND_ATTEMPTS):
            outbox.deliver_notifications(now=now)
            now += timedelta(hours=1)

    notice.refresh_from_db()
    assert notice.status == Notification.Status.FAILED
    assert notice.attempts == outbox.MAX_SEND_ATTEMPTS
    assert "no such user" in notice.last_error
    assert outbox.deliver_notifications(now=now + timedelta(days=1)).sent == 0


def test_a_failed_notice_can_be_retried_and_a_sent_one_cannot(notice):
    Notification.objects.filter(pk=notice.pk).update(status="failed", attempts=5, last_error="x")

    assert outbox.retry_notification(notification=notice) is True
    assert outbox.deliver_notifications().sent == 1
    assert outbox.retry_notification(notification=notice) is False
    assert outbox.deliver_notifications().sent == 0
    assert len(mail.outbox) == 1


def test_one_poisoned_address_does_not_hold_up_the_others(provider_x, seller_a, seller_b):
    good = emails.destruction_notice(PackageFactory(provider=provider_x, seller=seller_b))
    bad = emails.destruction_notice(PackageFactory(provider=provider_x, seller=seller_a))
    real_send = mail.EmailMultiAlternatives.send

    def send(message, *args, **kwargs):
        if message.to == [bad.to_email]:
            raise smtplib.SMTPDataError(554, b"rejected")
        return real_send(message, *args, **kwargs)

    with mock.patch("django.core.mail.EmailMultiAlternatives.send", send):
        summary = outbox.deliver_notifications()

    assert (summary.sent, summary.retrying) == (1, 1)
    assert [m.to for m in mail.outbox] == [[good.to_email]]


def test_delivery_is_queued_once_after_the_change_commits(
    provider_x, seller_a, django_capture_on_commit_callbacks
):
    package = PackageFactory(provider=provider_x, seller=seller_a, awaiting=True)

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        services.release_package(package=package, channel="web")  # two notices

    assert len(callbacks) == 1
    [task] = OrmQ.objects.all()
    assert task.func() == "returns.tasks.deliver_notifications"


def test_a_refused_change_queues_nothing(provider_x, seller_a, django_capture_on_commit_callbacks):
    package = PackageFactory(provider=provider_x, seller=seller_a, claimed=True)

    with (
        django_capture_on_commit_callbacks(execute=True) as callbacks,
        pytest.raises(services.DomainError),
    ):
        services.release_package(package=package, channel="web")

    assert callbacks == []
    assert not OrmQ.objects.exists()


def test_a_connection_the_server_dropped_is_reopened_and_the_row_sent(notice):
    sends = iter([smtplib.SMTPServerDisconnected("closed by server"), None])

    def send(message, *args, **kwargs):
        outcome = next(sends)
        if outcome is not None:
            raise outcome
        return 1

    with mock.patch("django.core.mail.EmailMultiAlternatives.send", send):
        summary = outbox.deliver_notifications()

    assert (summary.sent, summary.retrying) == (1, 0)
    notice.refresh_from_db()
    assert (notice.status, notice.attempts) == ("sent", 1)


def test_notices_written_in_bulk_read_in_full_even_while_email_is_down(
    settings, provider_x, seller_a
):
    PackageFactory(
        provider=provider_x,
        seller=seller_a,
        awaiting=True,
        claim_deadline=timezone.now() - timedelta(minutes=1),
    )
    tasks.finalize_expired_windows()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", 9, 1

    summary = outbox.deliver_notifications()

    assert summary.sent == 0
    notice = Notification.objects.get(kind="destruction_finalized")
    assert notice.status == "pending"
    assert notice.subject.startswith("The window for package")
    assert provider_x.support_phone in notice.body_text
