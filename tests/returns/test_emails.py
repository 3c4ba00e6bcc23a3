"""What the seller and the provider read: every notice has a text and an HTML part."""

from datetime import datetime, timedelta
from functools import partial
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from returns import delivery, emails
from returns.models import Notification
from returns.outbox import rendering
from tests.factories import AttemptFactory, PackageFactory
from tests.helpers import as_sent

BANGKOK = ZoneInfo("Asia/Bangkok")


@pytest.fixture
def failed_package(provider_x, seller_a):
    package = PackageFactory(
        provider=provider_x, seller=seller_a, tracking_number="TH-7781", order_id="ORD-55"
    )
    with time_machine.travel(datetime(2026, 3, 3, 15, 20, tzinfo=BANGKOK), tick=False):
        for hours_ago, reason in [(50, "Nobody home"), (26, "Shop closed"), (2, "Address unclear")]:
            delivery.record_failed_attempt(
                package=package,
                attempted_at=timezone.now() - timedelta(hours=hours_ago),
                failure_reason=reason,
                channel="api",
            )
    package.refresh_from_db()
    return package


@pytest.mark.parametrize("part", ["body_text", "body_html"])
def test_the_destruction_notice_carries_everything_the_seller_needs(failed_package, part):
    notice = as_sent(Notification.objects.get(kind=Notification.Kind.DESTRUCTION_NOTICE))
    body = getattr(notice, part)
    provider = failed_package.provider

    for fact in [
        "TH-7781",
        "ORD-55",
        provider.name,
        provider.support_phone,
        provider.support_email,
        provider.opening_hours,
        "Tuesday 10 March 2026 at 23:59 Bangkok time (Asia/Bangkok)",
        "Nobody home",
        "Shop closed",
        "Address unclear",
        f"https://returns.example/tickets/new/?package={failed_package.public_id}",
        f"https://returns.example/packages/{failed_package.public_id}/",
    ]:
        assert fact in body, fact


def test_the_destruction_notice_subject_names_the_package_and_the_deadline(failed_package):
    notice = as_sent(Notification.objects.get(kind=Notification.Kind.DESTRUCTION_NOTICE))

    assert notice.subject == (
        "Action needed: package TH-7781 will be destroyed after 10 March at 23:59 Bangkok time"
    )
    assert notice.to_email == failed_package.seller.contact_email


def test_the_html_part_escapes_what_the_provider_typed(provider_x, seller_a):
    package = PackageFactory(
        provider=provider_x, seller=seller_a, awaiting=True, description="<b>Lamp</b> & cable"
    )

    notice = as_sent(emails.destruction_notice(package))

    assert "&lt;b&gt;Lamp&lt;/b&gt; &amp; cable" in notice.body_html
    assert "<b>Lamp</b> & cable" in notice.body_text


def test_the_same_notice_is_never_written_twice(provider_x, seller_a):
    package = PackageFactory(provider=provider_x, seller=seller_a, awaiting=True)
    AttemptFactory(package=package, number=1)

    first = emails.destruction_notice(package)
    second = emails.destruction_notice(package)

    assert first == second
    assert Notification.objects.count() == 1


@pytest.mark.parametrize(
    ("kind", "traits", "send"),
    [
        (
            "deadline_reminder",
            {"awaiting": True},
            partial(emails.deadline_reminder, hours_before=72),
        ),
        ("rejection_notice", {"pending_destruction": True}, emails.rejection_notice),
        ("claim_confirmed", {"claimed": True}, emails.claim_confirmed),
        ("release_confirmed", {"pending_destruction": True}, emails.release_confirmed),
        ("destruction_finalized", {"pending_destruction": True}, emails.destruction_finalized),
        ("destroyed", {"destroyed": True}, emails.destroyed),
        ("returned", {"returned": True}, emails.returned),
        ("destruction_instruction", {"pending_destruction": True}, emails.destruction_instruction),
        ("claim_received", {"claimed": True}, emails.claim_received),
    ],
)
def test_every_notice_renders_both_parts_with_absolute_links(
    kind, traits, send, provider_x, seller_a
):
    package = PackageFactory(provider=provider_x, seller=seller_a, **traits)

    notice = send(package)

    assert notice.kind == kind
    assert package.tracking_number in notice.subject
    assert package.tracking_number in notice.body_text
    assert "<html" in notice.body_html
    assert "https://returns.example/" in notice.body_text
    assert 'href="/' not in notice.body_html  # never a relative link in an email
    assert "{{" not in notice.body_text + notice.body_html


def test_provider_notices_go_to_the_operations_address(provider_x, seller_a):
    package = PackageFactory(provider=provider_x, seller=seller_a, claimed=True)

    notice = emails.claim_received(package, ticket_reference="RT-7K3F9Q")

    assert notice.to_email == "ops@swiftlane.example"
    assert notice.audience == Notification.Audience.PROVIDER
    assert notice.seller is None
    assert "RT-7K3F9Q" in notice.body_text
    assert f"/admin/returns/failedpackage/{package.pk}/change/" in notice.body_text


def test_a_batch_of_destruction_notices_renders_from_two_queries(provider_x, seller_a):
    for number in range(3):
        package = PackageFactory(
            provider=provider_x, seller=seller_a, tracking_number=f"TH-{number}"
        )
        for reason in ["Nobody home", "Shop closed", f"Address unclear {number}"]:
            delivery.record_failed_attempt(
                package=package,
                attempted_at=timezone.now() - timedelta(hours=1),
                failure_reason=reason,
                channel="api",
            )
    batch = list(Notification.objects.filter(kind=Notification.Kind.DESTRUCTION_NOTICE))
    assert [notice.subject for notice in batch] == ["", "", ""]  # written unrendered

    with CaptureQueriesContext(connection) as queries:
        rendering.render_unsent(batch)

    # The packages with their sellers and providers, then all their attempts.
    assert len(queries) == 2, "\n".join(query["sql"] for query in queries)
    for notice in batch:
        number = notice.package.tracking_number.removeprefix("TH-")
        assert f"Address unclear {number}" in notice.body_text
        assert notice.body_text.index("Nobody home") < notice.body_text.index("Shop closed")
