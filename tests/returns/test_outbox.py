"""Sending the outbox: once, after commit, with retries that never send twice."""

import smtplib
from datetime import timedelta
from unittest import mock

import pytest
from django.core import mail
from django.core.mail.backends import locmem
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from django_q.models import OrmQ

from portal.errors import DomainError
from returns import action_links, emails, outbox, services, tasks
from returns.models import Notification
from returns.outbox import leases
from tests.factories import PackageFactory


@pytest.fixture
def notice(provider_x, seller_a):
    package = PackageFactory(provider=provider_x, seller=seller_a, awaiting=True)
    return emails.destruction_notice(package)


def test_delivery_sends_a_text_and_html_email_and_marks_it_sent(notice):
    summary = outbox.deliver_notifications()

    assert (summary.sent, summary.failed) == (1, 0)
    [message] = mail.outbox
    notice.refresh_from_db()  # the bodies as sent, time left written in
    assert message.to == [notice.to_email]
    assert message.subject == notice.subject
    # The row keeps the one-click links' marks; only the message carries the links.
    language = notice.language
    assert message.body == action_links.fill_links(notice.body_text, language)
    assert message.alternatives[0] == (
        action_links.fill_links(notice.body_html, language, html=True),
        "text/html",
    )
    assert "/act/?t=" in message.body and "/act/?t=" not in notice.body_text
    notice.refresh_from_db()
    assert notice.status == Notification.Status.SENT
    assert notice.sent_at is not None


def test_running_delivery_twice_sends_once(notice):
    outbox.deliver_notifications()
    second = outbox.deliver_notifications()

    assert second.sent == 0
    assert len(mail.outbox) == 1


LOCMEM_SEND = "django.core.mail.backends.locmem.EmailBackend.send_messages"


def test_a_refused_send_backs_off_then_succeeds_exactly_once(notice):
    with mock.patch(LOCMEM_SEND, side_effect=smtplib.SMTPDataError(451, b"try again later")):
        first = outbox.deliver_notifications()

    notice.refresh_from_db()
    assert (first.retrying, notice.status, notice.attempts) == (1, "pending", 1)
    assert (notice.lease_until, notice.uncertain_attempts) == (None, 0)
    assert "try again later" in notice.last_error
    assert outbox.deliver_notifications().sent == 0  # not due yet: backing off

    later = outbox.deliver_notifications(now=timezone.now() + timedelta(minutes=3))

    assert later.sent == 1
    assert len(mail.outbox) == 1
    notice.refresh_from_db()
    assert (notice.status, notice.attempts, notice.last_error) == ("sent", 2, "")


def test_after_the_last_attempt_the_notice_stays_failed_with_its_error(notice):
    now = timezone.now()
    with mock.patch(
        LOCMEM_SEND,
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
    real_send = locmem.EmailBackend.send_messages

    def send(backend, messages):
        if messages[0].to == [bad.to_email]:
            raise smtplib.SMTPDataError(554, b"rejected")
        return real_send(backend, messages)

    with mock.patch.object(locmem.EmailBackend, "send_messages", send):
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
        pytest.raises(DomainError),
    ):
        services.release_package(package=package, channel="web")

    assert callbacks == []
    assert not OrmQ.objects.exists()


def test_a_connection_lost_before_data_is_reopened_and_the_row_sent(notice):
    sends = iter([smtplib.SMTPServerDisconnected("closed by server"), None])

    def send(backend, messages):
        outcome = next(sends)
        if outcome is not None:
            raise outcome  # the locmem backend has no DATA step: lost before it
        return 1

    with mock.patch.object(locmem.EmailBackend, "send_messages", send):
        summary = outbox.deliver_notifications()

    assert (summary.sent, summary.retrying, summary.uncertain) == (1, 0, 0)
    notice.refresh_from_db()
    assert (notice.status, notice.attempts) == ("sent", 1)


def test_the_message_id_is_stable_and_unique_to_the_site(settings, notice):
    settings.SITE_URL = "https://returns.lsp-one.example:8443"

    outbox.deliver_notifications()

    [message] = mail.outbox
    assert message.extra_headers["Message-ID"] == (
        f"<notification-{notice.pk}@returns.lsp-one.example>"
    )


def test_a_claimed_row_is_not_sent_by_a_second_run(notice):
    """The lease is committed before SMTP: another run passes over the row."""
    [claimed] = leases.claim(
        now=timezone.now(), limit=10, lease_until=timezone.now() + timedelta(minutes=5)
    )

    assert outbox.deliver_notifications().sent == 0
    assert mail.outbox == []
    claimed.refresh_from_db()
    assert (claimed.status, claimed.attempts) == ("sending", 1)


def test_a_lease_that_ran_out_is_retried_after_a_back_off_and_counted_uncertain(notice):
    now = timezone.now()
    leases.claim(now=now, limit=10, lease_until=now + timedelta(minutes=5))  # then it died

    assert outbox.deliver_notifications(now=now + timedelta(minutes=4)).sent == 0
    taken_back = outbox.deliver_notifications(now=now + timedelta(minutes=6))

    assert taken_back.sent == 0  # never at once: the server may have it
    notice.refresh_from_db()
    assert (notice.status, notice.attempts, notice.uncertain_attempts) == ("pending", 1, 1)
    assert "lease ran out" in notice.last_error
    assert notice.next_attempt_at == now + timedelta(minutes=6) + outbox.backoff(1)

    later = outbox.deliver_notifications(now=now + timedelta(minutes=9))

    assert later.sent == 1
    notice.refresh_from_db()
    assert (notice.status, notice.attempts, notice.uncertain_attempts) == ("sent", 2, 1)


class FakeClock:
    seconds = 0.0

    def __call__(self) -> float:
        return self.seconds


def test_a_run_stops_at_its_time_budget_and_the_next_continues(provider_x, seller_a):
    written = [
        emails.destruction_notice(PackageFactory(provider=provider_x, seller=seller_a))
        for _ in range(5)
    ]
    clock = FakeClock()
    real_send = locmem.EmailBackend.send_messages

    def send_taking_a_second(backend, messages):
        clock.seconds += 1
        return real_send(backend, messages)

    with (
        mock.patch("returns.outbox.monotonic", clock),
        mock.patch.object(locmem.EmailBackend, "send_messages", send_taking_a_second),
    ):
        first = outbox.deliver_notifications(time_budget=3)
        rows = Notification.objects.filter(pk__in=[n.pk for n in written]).order_by("pk")
        assert (first.sent, first.released, first.out_of_time) == (3, 2, True)
        assert [(n.status, n.attempts, n.lease_until) for n in rows][3:] == [
            ("pending", 0, None),
            ("pending", 0, None),
        ]

        second = outbox.deliver_notifications(time_budget=3)

    assert (second.sent, second.out_of_time) == (2, False)
    assert {n.status for n in rows.all()} == {"sent"}
    assert len(mail.outbox) == 5


def test_a_run_that_ran_out_of_time_is_not_a_failed_run(provider_x, seller_a, settings):
    emails.destruction_notice(PackageFactory(provider=provider_x, seller=seller_a))
    settings.OUTBOX_TIME_BUDGET_SECONDS = 0

    summary = tasks.deliver_notifications()

    assert (summary.done, summary.failed) == (0, 0)
    assert "the next run continues" in summary.details[-1]


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


def test_each_notice_costs_one_write_on_top_of_its_batch(provider_x, seller_a):
    def queries_to_deliver(count: int) -> int:
        for _ in range(count):
            emails.destruction_notice(PackageFactory(provider=provider_x, seller=seller_a))
        with CaptureQueriesContext(connection) as queries:
            assert outbox.deliver_notifications().sent == count
        return len(queries)

    ten, twenty = queries_to_deliver(10), queries_to_deliver(20)

    assert twenty - ten == 10  # one UPDATE per sent notice; claims and checks per batch


def test_the_console_lists_and_filters_notices_being_sent(client_for, xavier, notice):
    leases.claim(now=timezone.now(), limit=10, lease_until=timezone.now() + timedelta(minutes=5))

    response = client_for(xavier).get(
        "/admin/returns/notification/", {"status__exact": Notification.Status.SENDING}
    )

    assert [n.pk for n in response.context["cl"].result_list] == [notice.pk]
    assert "Sending" in response.content.decode()
    assert "Uncertain attempts" in response.content.decode()


def test_the_seller_sees_a_notice_while_it_is_being_sent(client_for, alice, notice):
    leases.claim(now=timezone.now(), limit=10, lease_until=timezone.now() + timedelta(minutes=5))

    response = client_for(alice).get("/notifications/")

    assert [n.pk for n in response.context["page"]] == [notice.pk]
    assert notice.subject in response.content.decode()
