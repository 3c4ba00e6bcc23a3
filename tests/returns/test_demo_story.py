"""The demo tells one story: each notice quotes the deadline and attempt times the pages show,
and the history follows the attempts."""

from datetime import timedelta

import pytest
from django.utils import translation

from portal import formatting
from portal.demo import DEFAULT_PASSWORD, seed_accounts
from returns.demo import seed_packages
from returns.models import FailedPackage, Notification
from tests.helpers import as_sent


@pytest.fixture
def demo(db):
    seed_accounts(DEFAULT_PASSWORD)
    seed_packages()


def failed_deliveries():
    return FailedPackage.objects.filter(reason=FailedPackage.Reason.DELIVERY_FAILED).select_related(
        "seller"
    )


def test_every_destruction_notice_quotes_the_deadline_and_attempts_the_package_has(demo):
    packages = list(failed_deliveries())
    assert len(packages) >= 10
    for package in packages:
        notice = as_sent(  # a pending one is rendered as the outbox will send it
            Notification.objects.get(
                package=package, kind=Notification.Kind.DESTRUCTION_NOTICE, audience="seller"
            )
        )
        zone = package.seller.time_zone
        with translation.override(notice.language):
            deadline = formatting.local_datetime(package.claim_deadline, zone)
            short = formatting.local_date(package.claim_deadline, zone)
            attempts = [
                formatting.local_date(attempt.attempted_at, zone)
                for attempt in package.attempts.order_by("number")
            ]
        assert deadline in notice.body_text, package.tracking_number
        assert short in notice.subject, package.tracking_number
        for attempt in attempts:
            assert attempt in notice.body_text, package.tracking_number
        # The notice went out when the last attempt failed, not when the demo was made.
        assert notice.created_at >= package.failed_at, package.tracking_number


def test_history_follows_the_attempts(demo):
    for package in failed_deliveries():
        events = list(package.events.order_by("created_at", "id"))
        assert events[0].action == "registered", package.tracking_number
        attempts = {a.number: a.attempted_at for a in package.attempts.all()}
        assert events[0].created_at < attempts[1]
        failed = [e for e in events if e.action in {"attempt_failed", "delivery_failed"}]
        assert [e.facts["attempt"] for e in failed] == [1, 2, 3], package.tracking_number
        assert [e.created_at for e in failed] == [attempts[1], attempts[2], attempts[3]]
        assert package.failed_at == attempts[3]
        # Three attempts over two days, not in the same minute.
        assert attempts[3] - attempts[1] > timedelta(hours=24)
