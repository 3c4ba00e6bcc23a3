"""The finalize job works a batch set-based; its notices are rendered when sent."""

import threading
from unittest import mock

import pytest
from django.core import mail
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from portal.models import NotificationAddress
from returns import bulk, outbox, tasks
from returns.models import FailedPackage, Notification, PackageEvent
from tests.helpers import expired_packages


def test_a_batch_costs_the_same_statements_for_5_or_50_packages(provider_x, seller_a, seller_b):
    expired_packages(5, seller=seller_a, provider=provider_x)
    with CaptureQueriesContext(connection) as few:
        assert tasks.finalize_expired_windows().done == 5
    expired_packages(50, seller=seller_b, provider=provider_x)
    with CaptureQueriesContext(connection) as many:
        assert tasks.finalize_expired_windows().done == 50

    assert len(many) == len(few)


def test_the_bulk_finalize_writes_what_the_single_one_writes(provider_x, seller_a):
    [package] = expired_packages(1, seller=seller_a, provider=provider_x)
    now = timezone.now()

    assert bulk.finalize_expired_packages(package_ids=[package.pk], now=now) == [package.pk]

    package.refresh_from_db()
    assert (package.status, package.destruction_requested_at) == ("destruction_pending", now)
    event = PackageEvent.objects.get(package=package)
    assert (event.action, event.from_status, event.to_status, event.channel) == (
        "window_closed",
        "awaiting_seller",
        "destruction_pending",
        "job",
    )
    assert event.created_at == now
    assert {n.next_attempt_at for n in Notification.objects.filter(package=package)} == {now}
    notices = {n.kind: n for n in Notification.objects.filter(package=package)}
    assert notices["destruction_finalized"].to_email == seller_a.contact_email
    assert notices["destruction_finalized"].seller == seller_a
    assert notices["destruction_instruction"].to_email == provider_x.ops_email
    assert notices["destruction_instruction"].audience == "provider"


def test_a_second_bulk_finalize_of_the_same_packages_does_nothing(provider_x, seller_a):
    packages = expired_packages(3, seller=seller_a, provider=provider_x)
    ids = [p.pk for p in packages]
    bulk.finalize_expired_packages(package_ids=ids, now=timezone.now())

    again = bulk.finalize_expired_packages(package_ids=ids, now=timezone.now())

    assert again == []
    assert PackageEvent.objects.count() == 3
    assert Notification.objects.count() == 6


def test_a_notice_written_in_bulk_is_rendered_in_full_when_sent(provider_x, seller_a):
    [package] = expired_packages(1, seller=seller_a, provider=provider_x)
    tasks.finalize_expired_windows()
    notice = Notification.objects.get(kind="destruction_finalized")
    assert (notice.subject, notice.title) == ("", "Claim window closed")

    outbox.deliver_notifications()

    notice.refresh_from_db()
    assert notice.status == "sent"
    assert notice.subject.startswith(f"The window for package {package.tracking_number}")
    sent = next(m for m in mail.outbox if m.to == [seller_a.contact_email])
    assert sent.subject == notice.subject
    assert provider_x.support_phone in sent.body
    assert f"https://returns.example/packages/{package.public_id}/" in sent.body


def test_a_notice_that_cannot_be_rendered_waits_with_its_error(provider_x, seller_a):
    expired_packages(2, seller=seller_a, provider=provider_x)
    tasks.finalize_expired_windows()
    real_render = outbox.rendering.render_deferred

    def render(notification):
        if notification.kind == "destruction_instruction":
            raise ValueError("template missing")
        return real_render(notification)

    with mock.patch("returns.outbox.rendering.render_deferred", render):
        summary = outbox.deliver_notifications()

    assert (summary.sent, summary.retrying) == (2, 2)
    waiting = Notification.objects.filter(kind="destruction_instruction")
    assert {(n.status, n.subject, n.last_error) for n in waiting} == {
        ("pending", "", "ValueError: template missing")
    }


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_the_bulk_finalize_passes_over_a_package_a_seller_is_claiming(provider_x, seller_a):
    claimed_row_locked, finalize_done = threading.Event(), threading.Event()
    packages = expired_packages(3, seller=seller_a, provider=provider_x)
    held = packages[1]

    def seller_holds_the_row():
        with transaction.atomic():
            FailedPackage.objects.select_for_update().get(pk=held.pk)
            claimed_row_locked.set()
            finalize_done.wait(10)
        connection.close()

    thread = threading.Thread(target=seller_holds_the_row)
    thread.start()
    claimed_row_locked.wait(10)
    done = bulk.finalize_expired_packages(package_ids=[p.pk for p in packages], now=timezone.now())
    finalize_done.set()
    thread.join()

    assert sorted(done) == sorted([packages[0].pk, packages[2].pk])
    held.refresh_from_db()
    assert held.status == "awaiting_seller"


def test_notices_written_in_bulk_go_to_each_sellers_confirmed_addresses_read_once(
    provider_x, seller_a, seller_b
):
    for seller, email in ((seller_a, "night@shop-a.example"), (seller_b, "night@shop-b.example")):
        NotificationAddress.objects.create(seller=seller, email=email, confirmed_at=timezone.now())
    expired_packages(3, seller=seller_a, provider=provider_x)
    expired_packages(3, seller=seller_b, provider=provider_x)
    tasks.finalize_expired_windows()

    with CaptureQueriesContext(connection) as queries:
        outbox.deliver_notifications()

    to_sellers = [m for m in mail.outbox if m.subject and provider_x.ops_email not in m.to]
    assert len(to_sellers) == 6
    for message in to_sellers:
        extra = (
            "night@shop-a.example"
            if seller_a.contact_email in message.to
            else ("night@shop-b.example")
        )
        assert extra in message.to
    addresses = [q for q in queries if "portal_notificationaddress" in q["sql"]]
    assert len(addresses) == 1
