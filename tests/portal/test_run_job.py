"""`manage.py run_job <name> [--dry-run]`: any job, once, with its summary printed."""

from datetime import UTC, datetime, timedelta
from io import StringIO
from unittest import mock

import pytest
import time_machine
from django.core.management import CommandError, call_command

from returns.models import FailedPackage, PackageEvent
from tests.factories import PackageFactory

NOW = datetime(2026, 3, 10, 17, 0, tzinfo=UTC)


@pytest.fixture
def expired(db, seller_a, provider_x):
    with time_machine.travel(NOW, tick=False):
        yield PackageFactory(
            seller=seller_a,
            provider=provider_x,
            tracking_number="SL-1001",
            awaiting=True,
            claim_deadline=NOW - timedelta(hours=1),
        )


def run_job(*args: str) -> str:
    out = StringIO()
    call_command("run_job", *args, stdout=out)
    return out.getvalue()


def test_run_job_runs_the_job_and_prints_its_summary(expired):
    output = run_job("finalize_expired_windows")

    assert output == "finalize_expired_windows: 1 done, 0 skipped, 0 failed\n"
    expired.refresh_from_db()
    assert expired.status == FailedPackage.Status.DESTRUCTION_PENDING


def test_run_job_dry_run_prints_what_would_change_and_changes_nothing(expired):
    output = run_job("finalize_expired_windows", "--dry-run")

    assert output == (
        "finalize_expired_windows (dry run): 1 would change, nothing was changed\n"
        "  SL-1001 (Shop A): window closed 10 March at 23:00 Bangkok time "
        "→ to be destroyed by SwiftLane\n"
    )
    expired.refresh_from_db()
    assert expired.status == FailedPackage.Status.AWAITING_SELLER
    assert not PackageEvent.objects.exists()


def test_run_job_with_an_unknown_name_lists_the_jobs(db):
    with pytest.raises(CommandError) as refused:
        run_job("finalise")

    assert str(refused.value) == (
        "There is no job named “finalise”. The jobs are: finalize_expired_windows, "
        "send_deadline_reminders, deliver_notifications, flag_overdue_destructions, "
        "escalate_overdue_tickets, count_closed_days."
    )


def test_run_job_prints_the_failed_rows_and_exits_with_an_error(expired):
    out = StringIO()
    with (
        mock.patch("returns.bulk.finalize_expired_packages", side_effect=OSError("disk full")),
        mock.patch("returns.emails.destruction_finalized", side_effect=OSError("disk full")),
        pytest.raises(CommandError, match="1 failed"),
    ):
        call_command("run_job", "finalize_expired_windows", stdout=out)

    assert out.getvalue() == (
        "finalize_expired_windows: 0 done, 0 skipped, 1 failed\n"
        "  failed SL-1001: OSError: disk full\n"
    )
