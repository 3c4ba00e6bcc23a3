"""An email server that cannot be reached fails the run, and shows: rows, work list, /healthz."""

from datetime import timedelta
from io import StringIO

import pytest
import time_machine
from django.core.management import CommandError, call_command
from django.utils import timezone

from portal.worklist import work_for
from returns import emails, outbox
from returns.models import MailServerStatus, Notification
from tests.factories import PackageFactory
from tests.returns.sinks import Sink, free_port, running, use_smtp


@pytest.fixture
def waiting(provider_x, seller_a) -> list[Notification]:
    return [
        emails.destruction_notice(PackageFactory(provider=provider_x, seller=seller_a))
        for _ in range(3)
    ]


@pytest.fixture
def closed_port(settings):
    use_smtp(settings, "127.0.0.1", free_port())  # nothing listens there


def outage_rows(user) -> list:
    return [item for item in work_for(user) if item.label.startswith("Email server")]


def run_delivery() -> str:
    out = StringIO()
    call_command("run_job", "deliver_notifications", stdout=out)
    return out.getvalue()


def test_a_run_against_an_unreachable_server_fails_and_its_rows_wait_with_the_error(
    closed_port, waiting
):
    started = timezone.now()
    out = StringIO()
    with pytest.raises(CommandError, match="3 failed"):
        call_command("run_job", "deliver_notifications", stdout=out)

    assert "email server unreachable (ConnectionRefusedError" in out.getvalue()
    rows = Notification.objects.filter(pk__in=[n.pk for n in waiting])
    for row in rows:
        assert (row.status, row.attempts, row.lease_until) == ("pending", 0, None)
        assert row.last_error.startswith("Email server unreachable: ConnectionRefusedError")
        assert row.next_attempt_at > started
    status = MailServerStatus.objects.get()
    assert status.unreachable_since >= started
    assert "ConnectionRefusedError" in status.last_error


def test_an_outage_spends_no_attempt_and_keeps_the_time_it_began(closed_port, waiting):
    now = timezone.now()
    for _ in range(outbox.MAX_SEND_ATTEMPTS + 1):
        summary = outbox.deliver_notifications(now=now)
        now += timedelta(minutes=5)

    assert summary.unreachable
    assert {(n.status, n.attempts) for n in Notification.objects.all()} == {("pending", 0)}
    assert MailServerStatus.objects.get().unreachable_since == now - timedelta(
        minutes=5 * (outbox.MAX_SEND_ATTEMPTS + 1)
    )


def test_the_work_list_and_healthz_show_the_outage_until_the_server_answers(
    settings, closed_port, provider_x, seller_a, xavier, yvonne, client
):
    with time_machine.travel("2026-03-10 07:58:00+00:00", tick=False) as clock:
        for _ in range(3):
            emails.destruction_notice(PackageFactory(provider=provider_x, seller=seller_a))
        clock.move_to("2026-03-10 08:00:00+00:00")
        with pytest.raises(CommandError):
            run_delivery()
        clock.move_to("2026-03-10 08:05:00+00:00")
        [outage] = outage_rows(xavier)
        health = client.get("/healthz")

    assert outage.label == "Email server unreachable since 10 Mar 08:00 UTC time, 3 waiting"
    assert outage.count == 3
    assert outage.url == "/admin/returns/notification/?status__exact=pending"
    assert "ConnectionRefusedError" in outage.hint
    # Another provider's staff see the outage with their own count.
    assert outage_rows(yvonne)[0].label.endswith(", 0 waiting")
    assert health.status_code == 200
    assert health.json()["status"] == "degraded"
    email = health.json()["email"]
    assert (email["status"], email["server"], email["unreachable_since"]) == (
        "degraded",
        "unreachable",
        "2026-03-10T08:00:00+00:00",
    )
    assert email["oldest_pending_seconds"] == 7 * 60

    sink = Sink()
    with running(sink) as (host, port):
        use_smtp(settings, host, port)
        outbox.deliver_notifications(now=timezone.now() + timedelta(minutes=2))

    assert len(sink.messages) == 3
    assert outage_rows(xavier) == []
    assert client.get("/healthz").json()["email"] == {
        "status": "ok",
        "server": "ok",
        "oldest_pending_seconds": None,
    }


def test_healthz_reports_the_first_notice_in_line_and_a_stalled_outbox(client, waiting):
    first = min(waiting, key=lambda n: n.next_attempt_at)

    with time_machine.travel(first.created_at + timedelta(minutes=20), tick=False):
        email = client.get("/healthz").json()["email"]

    assert email == {"status": "degraded", "server": "ok", "oldest_pending_seconds": 1200}
