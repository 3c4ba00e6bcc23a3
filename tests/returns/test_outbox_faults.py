"""The outbox under real faults, on PostgreSQL: a sender killed mid-send, its database
connection cut mid-send, and two deliveries at once. No transaction is open during SMTP,
so none of them sends a message twice, except the one message whose DATA the fault cut."""

import os
import signal
import subprocess
import sys
import threading
from datetime import timedelta
from pathlib import Path

import pytest
from django.db import connection
from django.db.models import Max
from django.utils import timezone

from returns import emails, outbox
from returns.models import Notification
from tests.factories import PackageFactory
from tests.returns.sinks import Pauses, Sink, running, use_smtp

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def five(provider_x, seller_a) -> list[Notification]:
    return [
        emails.destruction_notice(PackageFactory(provider=provider_x, seller=seller_a))
        for _ in range(5)
    ]


def delivery_process(host: str, port: int) -> subprocess.Popen:
    """`manage.py run_job deliver_notifications` on the test database, as a worker runs it."""
    db = connection.settings_dict
    url = f"postgres://{db['USER']}:{db['PASSWORD']}@{db['HOST']}:{db['PORT']}/{db['NAME']}"
    env = {
        **os.environ,
        "DATABASE_URL": url,
        "EMAIL_URL": f"smtp://{host}:{port}",
        "SITE_URL": "https://returns.example",
        "DEBUG": "true",  # a worker in development: no SECRET_KEY needed
    }
    return subprocess.Popen(
        [sys.executable, "manage.py", "run_job", "deliver_notifications"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


@pytest.mark.parametrize(("killed_at", "copies_of_the_third"), [("mail", 1), ("data", 2)])
def test_a_sender_killed_mid_send_is_taken_back_after_its_lease_as_uncertain(
    settings, five, killed_at, copies_of_the_third
):
    """Killed before the third message's DATA: no copy twice. Killed once the server
    had it, unanswered: that one message, and only it, arrives twice, after a back-off."""
    sink = Pauses(nth=3, at=killed_at)
    with running(sink) as (host, port):
        use_smtp(settings, host, port)
        sender = delivery_process(host, port)
        assert sink.reached.wait(timeout=60), "the sender never reached the third message"
        sender.send_signal(signal.SIGKILL)
        sender.wait(timeout=30)
        sink.go_on.set()

        statuses = sorted(Notification.objects.values_list("status", flat=True))
        assert statuses == ["sending", "sending", "sending", "sent", "sent"]
        assert outbox.deliver_notifications().sent == 0  # the lease holds: not at once

        lease_until = Notification.objects.aggregate(Max("lease_until"))["lease_until__max"]
        taken_back = outbox.deliver_notifications(now=lease_until + timedelta(seconds=1))
        later = outbox.deliver_notifications(now=lease_until + timedelta(minutes=3))

    assert (taken_back.sent, later.sent) == (0, 3)
    rows = Notification.objects.order_by("pk")
    assert [(n.status, n.uncertain_attempts) for n in rows] == [
        ("sent", 0),
        ("sent", 0),
        ("sent", 1),
        ("sent", 1),
        ("sent", 1),
    ]
    copies = sink.copies()
    assert [copies[outbox.message_id(n)] for n in rows] == [1, 1, copies_of_the_third, 1, 1]


def test_a_sender_whose_database_connection_is_cut_mid_send_sends_nothing_twice(settings, five):
    sink = Pauses(nth=3, at="data")  # the third message is kept, its answer held back
    summaries = []
    with running(sink) as (host, port):
        use_smtp(settings, host, port)

        backend = []

        def deliver() -> None:
            try:
                with connection.cursor() as cursor:
                    cursor.execute("SELECT pg_backend_pid()")
                    backend.append(cursor.fetchone()[0])
                summaries.append(outbox.deliver_notifications())
            finally:
                connection.close()

        sender = threading.Thread(target=deliver)
        sender.start()
        assert sink.reached.wait(timeout=60)
        with connection.cursor() as cursor:  # the sender's own connection, mid-send
            cursor.execute("SELECT pg_terminate_backend(%s)", backend)
            assert cursor.fetchone() == (True,)
        sink.go_on.set()
        sender.join(timeout=60)
        again = outbox.deliver_notifications(now=timezone.now() + timedelta(hours=1))

    assert [s.sent for s in summaries] == [5]
    assert again.sent == 0
    assert set(sink.copies().values()) == {1}
    assert len(sink.copies()) == 5
    assert {(n.status, n.uncertain_attempts) for n in Notification.objects.all()} == {("sent", 0)}


def test_two_deliveries_at_once_never_send_one_notice_twice(settings, provider_x, seller_a):
    package = PackageFactory(provider=provider_x, seller=seller_a)
    Notification.objects.bulk_create(
        Notification(
            audience="provider",
            provider=provider_x,
            package=package,
            kind="returned",
            to_email="ops@sink.example",
            subject=f"Notice {n}",
            body_text="text",
            body_html="<p>html</p>",
            dedupe_key=f"race:{n}",
        )
        for n in range(300)
    )
    sink = Sink()
    start = threading.Barrier(2)
    summaries = []
    with running(sink) as (host, port):
        use_smtp(settings, host, port)

        def deliver() -> None:
            try:
                start.wait()
                summaries.append(outbox.deliver_notifications(batch_size=20))
            finally:
                connection.close()

        workers = [threading.Thread(target=deliver) for _ in range(2)]
        for worker in workers:
            worker.start()
        for worker in workers:
            worker.join(timeout=120)

    assert sum(s.sent for s in summaries) == 300
    assert len(sink.copies()) == 300
    assert set(sink.copies().values()) == {1}
    assert not Notification.objects.exclude(status="sent").exists()
