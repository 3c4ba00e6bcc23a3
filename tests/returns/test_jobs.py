"""The returns app's scheduled jobs: each does its work once, a dry run changes nothing,
and one bad row never stops the others."""

from datetime import UTC, datetime, timedelta
from smtplib import SMTPRecipientsRefused
from typing import Any
from unittest import mock

import pytest
import time_machine
from django.core import mail
from django.core.mail.backends.locmem import EmailBackend

from returns import bulk, emails, tasks
from returns.models import FailedPackage, Notification, PackageEvent
from tests.factories import PackageFactory, SellerFactory
from tests.helpers import snapshot

Status = FailedPackage.Status
Kind = Notification.Kind

# 11 March 2026, 00:00 in Bangkok (seller A's zone).
NOW = datetime(2026, 3, 10, 17, 0, tzinfo=UTC)


@pytest.fixture
def clock():
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


@pytest.fixture
def make_package(seller_a, provider_x):
    def make(**fields):
        return PackageFactory(seller=seller_a, provider=provider_x, **fields)

    return make


def everything() -> tuple[list[dict[str, Any]], ...]:
    """Every row a package job may write."""
    return snapshot(FailedPackage, PackageEvent, Notification)


def kinds(package: FailedPackage) -> list[tuple[str, str]]:
    return sorted(package.notifications.values_list("kind", "to_email"))


# --- finalize_expired_windows ---------------------------------------------------------


def test_finalize_closes_expired_windows_and_tells_the_seller_and_the_provider(clock, make_package):
    expired = make_package(awaiting=True, claim_deadline=NOW - timedelta(minutes=1))

    summary = tasks.finalize_expired_windows()

    assert str(summary) == "finalize_expired_windows: 1 done, 0 skipped, 0 failed"
    expired.refresh_from_db()
    assert expired.status == Status.DESTRUCTION_PENDING
    assert expired.destruction_requested_at == NOW
    assert list(expired.events.values_list("action", "channel", "actor")) == [
        ("window_closed", "job", None)
    ]
    assert kinds(expired) == [
        (Kind.DESTRUCTION_FINALIZED, "shop-a@shops.example"),
        (Kind.DESTRUCTION_INSTRUCTION, "ops@swiftlane.example"),
    ]


def test_finalize_leaves_open_windows_alone_even_at_the_deadline_itself(clock, make_package):
    at_deadline = make_package(awaiting=True, claim_deadline=NOW)
    later = make_package(awaiting=True, claim_deadline=NOW + timedelta(hours=1))
    claimed = make_package(
        status=Status.CLAIMED, claim_deadline=NOW - timedelta(days=1), claimed_at=NOW
    )

    summary = tasks.finalize_expired_windows()

    assert (summary.done, summary.skipped, summary.failed) == (0, 0, 0)
    for package in (at_deadline, later):
        package.refresh_from_db()
        assert package.status == Status.AWAITING_SELLER
    claimed.refresh_from_db()
    assert claimed.status == Status.CLAIMED
    assert not PackageEvent.objects.exists()
    assert not Notification.objects.exists()


def test_finalize_run_twice_finalizes_each_package_once(clock, make_package):
    make_package(awaiting=True, claim_deadline=NOW - timedelta(days=1))
    make_package(awaiting=True, claim_deadline=NOW - timedelta(seconds=1))
    tasks.finalize_expired_windows()
    after_first = everything()

    clock.shift(timedelta(minutes=5))
    summary = tasks.finalize_expired_windows()

    assert str(summary) == "finalize_expired_windows: 0 done, 0 skipped, 0 failed"
    assert everything() == after_first
    assert PackageEvent.objects.count() == 2
    assert Notification.objects.count() == 4


def test_finalize_dry_run_lists_the_packages_and_changes_nothing(clock, make_package):
    expired = make_package(awaiting=True, claim_deadline=NOW - timedelta(hours=2))
    make_package(awaiting=True, claim_deadline=NOW + timedelta(hours=2))
    before = everything()

    summary = tasks.finalize_expired_windows(dry_run=True)

    assert everything() == before
    assert str(summary) == "finalize_expired_windows (dry run): 1 would change, nothing was changed"
    assert summary.details == [
        f"{expired.tracking_number} (Shop A): window closed 10 March at 22:00 Bangkok time "
        "→ to be destroyed by SwiftLane"
    ]


def test_a_package_whose_finalize_fails_does_not_stop_the_others(clock, make_package, caplog):
    packages = [
        make_package(awaiting=True, claim_deadline=NOW - timedelta(hours=1)) for _ in range(3)
    ]
    poisoned = packages[1]
    real_notice, real_bulk = emails.destruction_finalized, bulk.finalize_expired_packages

    def notice_failing_for_poisoned(package):
        if package.pk == poisoned.pk:
            raise RuntimeError("template exploded")
        return real_notice(package)

    def bulk_failing_with_poisoned(*, package_ids, now):
        if poisoned.pk in package_ids:
            raise RuntimeError("template exploded")
        return real_bulk(package_ids=package_ids, now=now)

    # The batch fails as a whole, then row by row: only the poisoned package fails.
    with (
        mock.patch("returns.emails.destruction_finalized", notice_failing_for_poisoned),
        mock.patch("returns.bulk.finalize_expired_packages", bulk_failing_with_poisoned),
    ):
        summary = tasks.finalize_expired_windows()

    assert str(summary) == "finalize_expired_windows: 2 done, 0 skipped, 1 failed"
    assert summary.details == [
        f"failed {poisoned.tracking_number}: RuntimeError: template exploded"
    ]
    assert f"{poisoned.tracking_number} failed" in caplog.text
    statuses = dict(FailedPackage.objects.values_list("pk", "status"))
    assert statuses == {
        packages[0].pk: Status.DESTRUCTION_PENDING,
        poisoned.pk: Status.AWAITING_SELLER,
        packages[2].pk: Status.DESTRUCTION_PENDING,
    }
    # The half-done change (event, instruction to the provider) was undone with it.
    assert not poisoned.events.exists()
    assert not poisoned.notifications.exists()

    retry = tasks.finalize_expired_windows()

    assert (retry.done, retry.failed) == (1, 0)
    poisoned.refresh_from_db()
    assert poisoned.status == Status.DESTRUCTION_PENDING
    assert PackageEvent.objects.count() == 3
    assert Notification.objects.count() == 6


# --- send_deadline_reminders ----------------------------------------------------------


def test_a_single_48_hour_stage_goes_out_48_hours_before_the_deadline_once(
    clock, make_package, settings
):
    settings.REMINDER_HOURS_BEFORE = (48,)
    due = make_package(awaiting=True, claim_deadline=NOW + timedelta(hours=47))
    on_the_edge = make_package(awaiting=True, claim_deadline=NOW + timedelta(hours=48))
    not_yet = make_package(awaiting=True, claim_deadline=NOW + timedelta(hours=49))

    summary = tasks.send_deadline_reminders()

    assert str(summary) == "send_deadline_reminders: 2 done, 0 skipped, 0 failed"
    for package in (due, on_the_edge):
        package.refresh_from_db()
        assert package.reminded_at == NOW
        assert package.status == Status.AWAITING_SELLER
        assert kinds(package) == [(Kind.DEADLINE_REMINDER, "shop-a@shops.example")]
        assert list(package.events.values_list("action", flat=True)) == ["reminder_sent"]
    not_yet.refresh_from_db()
    assert not_yet.reminded_at is None
    reminder = due.notifications.get()
    assert reminder.subject.startswith(f"Reminder, 2 days left: package {due.tracking_number}")
    assert f"/tickets/new/?package={due.public_id}" in reminder.body_text

    clock.shift(timedelta(minutes=15))
    again = tasks.send_deadline_reminders()

    assert str(again) == "send_deadline_reminders: 0 done, 0 skipped, 0 failed"
    assert Notification.objects.filter(package__in=[due, on_the_edge]).count() == 2

    clock.shift(timedelta(hours=1))
    tasks.send_deadline_reminders()

    assert Notification.objects.filter(kind=Kind.DEADLINE_REMINDER).count() == 3
    assert PackageEvent.objects.filter(action="reminder_sent").count() == 3


def test_no_reminder_for_a_closed_window_or_a_package_the_seller_acted_on(clock, make_package):
    make_package(awaiting=True, claim_deadline=NOW - timedelta(minutes=1))
    make_package(status=Status.CLAIMED, claim_deadline=NOW + timedelta(hours=5), claimed_at=NOW)
    make_package(pending_destruction=True, claim_deadline=NOW + timedelta(hours=5))

    summary = tasks.send_deadline_reminders()

    assert (summary.done, summary.skipped, summary.failed) == (0, 0, 0)
    assert not Notification.objects.exists()


def test_reminder_dry_run_lists_the_sellers_to_remind_and_changes_nothing(clock, make_package):
    due = make_package(awaiting=True, claim_deadline=NOW + timedelta(hours=10))
    before = everything()

    summary = tasks.send_deadline_reminders(dry_run=True)

    assert everything() == before
    assert summary.details == [
        f"{due.tracking_number} (Shop A): remind shop-a@shops.example of the deadline "
        "11 March at 10:00 Bangkok time"
    ]


def test_a_reminder_that_fails_is_sent_on_the_next_run_and_the_others_go_out(
    clock, make_package, settings
):
    settings.REMINDER_HOURS_BEFORE = (48,)
    first, poisoned, last = (
        make_package(awaiting=True, claim_deadline=NOW + timedelta(hours=30)) for _ in range(3)
    )
    real_reminder = emails.deadline_reminder

    def reminder_failing_for_poisoned(package, **stage):
        if package.pk == poisoned.pk:
            raise OSError("disk full")
        return real_reminder(package, **stage)

    with mock.patch("returns.emails.deadline_reminder", reminder_failing_for_poisoned):
        summary = tasks.send_deadline_reminders()

    assert (summary.done, summary.failed) == (2, 1)
    assert kinds(first) == kinds(last) == [(Kind.DEADLINE_REMINDER, "shop-a@shops.example")]
    poisoned.refresh_from_db()
    assert poisoned.reminded_at is None
    assert not poisoned.events.exists()

    clock.shift(timedelta(minutes=15))
    retry = tasks.send_deadline_reminders()

    assert (retry.done, retry.failed) == (1, 0)
    assert kinds(poisoned) == [(Kind.DEADLINE_REMINDER, "shop-a@shops.example")]


# --- flag_overdue_destructions --------------------------------------------------------


def test_a_destruction_pending_over_3_days_is_flagged_and_the_provider_told_once(
    clock, make_package
):
    overdue = make_package(
        pending_destruction=True, destruction_requested_at=NOW - timedelta(days=3, minutes=1)
    )
    recent = make_package(
        pending_destruction=True, destruction_requested_at=NOW - timedelta(days=2)
    )
    make_package(
        status=Status.DESTROYED,
        destruction_requested_at=NOW - timedelta(days=9),
        destroyed_at=NOW - timedelta(days=1),
        destruction_reference="D-1",
    )

    summary = tasks.flag_overdue_destructions()

    assert str(summary) == "flag_overdue_destructions: 1 done, 0 skipped, 0 failed"
    overdue.refresh_from_db()
    assert overdue.destruction_overdue_at == NOW
    assert overdue.status == Status.DESTRUCTION_PENDING
    assert list(overdue.events.values_list("action", "channel")) == [("destruction_overdue", "job")]
    notice = overdue.notifications.get()
    assert (notice.kind, notice.to_email, notice.audience) == (
        Kind.DESTRUCTION_OVERDUE,
        "ops@swiftlane.example",
        Notification.Audience.PROVIDER,
    )
    assert notice.subject == (
        f"Overdue: package {overdue.tracking_number} is still waiting to be destroyed"
    )
    admin_url = f"https://returns.example/admin/returns/failedpackage/{overdue.pk}/change/?lang=en"
    assert "after 3 days it is still not recorded as destroyed" in notice.body_text
    assert admin_url in notice.body_text
    assert f'href="{admin_url}"' in notice.body_html
    recent.refresh_from_db()
    assert recent.destruction_overdue_at is None

    clock.shift(timedelta(days=1, minutes=1))
    next_day = tasks.flag_overdue_destructions()

    assert next_day.done == 1  # `recent` is overdue now; `overdue` is not told twice
    assert overdue.notifications.count() == 1
    assert Notification.objects.filter(kind=Kind.DESTRUCTION_OVERDUE).count() == 2


def test_overdue_dry_run_lists_the_packages_and_changes_nothing(clock, make_package):
    overdue = make_package(
        pending_destruction=True, destruction_requested_at=NOW - timedelta(days=4)
    )
    before = everything()

    summary = tasks.flag_overdue_destructions(dry_run=True)

    assert everything() == before
    assert summary.details == [
        f"{overdue.tracking_number} (Shop A): pending destruction since "
        "7 March at 00:00 Bangkok time; remind ops@swiftlane.example"
    ]


# --- deliver_notifications ------------------------------------------------------------


@pytest.fixture
def six_notices(clock, provider_x):
    """Three windows closed, each telling its seller and the provider: six pending emails."""
    for shop in ("one", "two", "poison"):
        seller = SellerFactory(shop_code=shop, contact_email=f"{shop}@shops.example")
        PackageFactory(
            seller=seller,
            provider=provider_x,
            awaiting=True,
            claim_deadline=NOW - timedelta(hours=1),
        )
    tasks.finalize_expired_windows()
    assert Notification.objects.filter(status=Notification.Status.PENDING).count() == 6


def test_deliver_sends_each_due_notification_once(six_notices, clock):
    summary = tasks.deliver_notifications()

    assert str(summary) == "deliver_notifications: 6 done, 0 skipped, 0 failed"
    assert len(mail.outbox) == 6
    assert not Notification.objects.exclude(status=Notification.Status.SENT).exists()

    clock.shift(timedelta(minutes=1))
    again = tasks.deliver_notifications()

    assert again.done == 0
    assert len(mail.outbox) == 6


def test_deliver_dry_run_lists_the_emails_and_sends_nothing(six_notices):
    before = everything()

    summary = tasks.deliver_notifications(dry_run=True)

    assert everything() == before
    assert mail.outbox == []
    assert len(summary.details) == 6
    # Notices the finalize wrote in bulk are rendered when sent: until then, their kind.
    assert "Claim window closed to poison@shops.example: Claim window closed" in summary.details


def test_an_email_that_always_fails_does_not_stop_the_others(six_notices, clock):
    real_send = EmailBackend.send_messages

    def refuse_poison(backend, messages):
        if any("poison@shops.example" in message.to for message in messages):
            raise SMTPRecipientsRefused({"poison@shops.example": (550, b"mailbox unavailable")})
        return real_send(backend, messages)

    with mock.patch.object(EmailBackend, "send_messages", refuse_poison):
        summary = tasks.deliver_notifications()
        clock.shift(timedelta(minutes=2))
        retry = tasks.deliver_notifications()

    assert str(summary) == "deliver_notifications: 5 done, 0 skipped, 1 failed"
    assert summary.details[0].startswith("poison@shops.example: SMTPRecipientsRefused")
    assert (retry.done, retry.failed) == (0, 1)
    assert len(mail.outbox) == 5
    poisoned = Notification.objects.get(to_email="poison@shops.example")
    assert poisoned.status == Notification.Status.PENDING
    assert poisoned.attempts == 2
    assert "mailbox unavailable" in poisoned.last_error
    assert poisoned.next_attempt_at == NOW + timedelta(minutes=2) + timedelta(minutes=4)
