"""Demo packages for `manage.py seed_demo`: every state, built through the real services.

Packages that failed "days ago" are made now and then moved back in time,
with their attempts, events and notices. A few claim windows are set to close
within the hour, in two days, and a few minutes ago, so a running worker
visibly finalizes them. The destruction notice is written again once the
package has its final times, so notice, page and reminder quote one deadline
(DESIGN.md §13).
"""

from dataclasses import dataclass
from datetime import timedelta

from django.db.models import F
from django.utils import timezone

from portal.models import LogisticsProvider, Seller, User
from returns import delivery, emails, services
from returns.delivery import PackageDetails
from returns.models import DeliveryAttempt, EventAction, FailedPackage, Notification, PackageEvent
from returns.outbox import rendering

Status = FailedPackage.Status


@dataclass(frozen=True)
class DemoPackage:
    tracking: str
    shop: str
    provider: str
    story: str  # what happens to it, see _play
    description: str
    days_ago: float = 0
    deadline_in: timedelta | None = None


PACKAGES = [
    DemoPackage("SL-DEMO-1001", "SIAM-GADGETS", "swiftlane", "in_delivery", "USB-C hub, 7 ports"),
    DemoPackage(
        "SL-DEMO-1002", "SIAM-GADGETS", "swiftlane", "awaiting", "Wireless earbuds, white",
        days_ago=6.9, deadline_in=timedelta(hours=1),
    ),
    DemoPackage(
        "SL-DEMO-1003", "SIAM-GADGETS", "swiftlane", "awaiting", "Mechanical keyboard (TH layout)",
        days_ago=5, deadline_in=timedelta(days=2),
    ),
    DemoPackage(
        "SL-DEMO-1004", "SIAM-GADGETS", "swiftlane", "awaiting", "Smart watch strap, 3-pack",
        days_ago=0.2,
    ),
    DemoPackage(
        "SL-DEMO-1005", "SIAM-GADGETS", "swiftlane", "awaiting", "Phone case, clear",
        days_ago=7.1, deadline_in=timedelta(minutes=-10),
    ),
    DemoPackage(
        "SL-DEMO-1006", "SIAM-GADGETS", "swiftlane", "awaiting", "Power bank 20,000 mAh",
        days_ago=7.2, deadline_in=timedelta(minutes=-3),
    ),
    DemoPackage(
        "SL-DEMO-1007", "SIAM-GADGETS", "swiftlane", "claimed", "Bluetooth speaker", days_ago=3
    ),
    DemoPackage(
        "SL-DEMO-1008", "SIAM-GADGETS", "swiftlane", "returned", "Laptop sleeve 14\"", days_ago=9
    ),
    DemoPackage(
        "SL-DEMO-1009", "SIAM-GADGETS", "swiftlane", "rejected", "Desk lamp, damaged box",
        days_ago=1,
    ),
    DemoPackage(
        "SL-DEMO-1010", "SIAM-GADGETS", "swiftlane", "released", "Cable organiser", days_ago=4
    ),
    DemoPackage(
        "SL-DEMO-1011", "SIAM-GADGETS", "swiftlane", "destroyed", "Screen protector, 2-pack",
        days_ago=12,
    ),
    DemoPackage("SL-DEMO-1012", "SIAM-GADGETS", "swiftlane", "delivered", "HDMI cable 2 m"),
    DemoPackage(
        "NP-DEMO-2001", "BERLIN-BOOKS", "nordparcel", "awaiting", "Box of 12 paperbacks",
        days_ago=4,
    ),
    DemoPackage("NP-DEMO-2002", "BERLIN-BOOKS", "nordparcel", "in_delivery", "Atlas, hardcover"),
    DemoPackage(
        "NP-DEMO-2003", "BERLIN-BOOKS", "nordparcel", "destroyed", "Water-damaged calendars",
        days_ago=15,
    ),
    DemoPackage(
        "NP-DEMO-2004", "LISBON-LINEN", "nordparcel", "awaiting", "Linen tablecloth, sand",
        days_ago=2,
    ),
    DemoPackage(
        "SL-DEMO-3001", "LISBON-LINEN", "swiftlane", "claimed", "Bath towels, set of 4", days_ago=2
    ),
    DemoPackage(
        "SL-DEMO-4001", "JAKARTA-BATIK", "swiftlane", "awaiting", "Batik shirt, indigo, size L",
        days_ago=1,
    ),
    DemoPackage(
        "SL-DEMO-4002", "JAKARTA-BATIK", "swiftlane", "claimed", "Silk scarf, hand-drawn",
        days_ago=3,
    ),
]  # fmt: skip

FAILURES = ["Nobody at the address", "Shop closed during delivery hours", "Address not found"]
# When the courier tried, before the story is moved back: the last failure is the notice.
ATTEMPTS_AGO = [timedelta(hours=44), timedelta(hours=22), timedelta(minutes=1)]
# Registered at the hub before the first attempt.
REGISTERED_AGO = timedelta(hours=50)


def seed_packages() -> int:
    """Create the demo packages that do not exist yet; returns how many were made."""
    providers = {p.code: p for p in LogisticsProvider.objects.all()}
    sellers = {s.shop_code: s for s in Seller.objects.all()}
    existing = set(
        FailedPackage.objects.filter(
            tracking_number__in=[p.tracking for p in PACKAGES]
        ).values_list("tracking_number", flat=True)
    )
    made = 0
    for spec in PACKAGES:
        if spec.tracking in existing:
            continue
        provider = providers[spec.provider]
        agent = User.objects.filter(provider=provider, is_staff=True).first()
        package = delivery.register_package(
            provider=provider,
            seller=sellers[spec.shop],
            details=PackageDetails(
                tracking_number=spec.tracking,
                order_id=f"ORD-{spec.tracking[-4:]}",
                description=spec.description,
                weight_grams=850,
                warehouse_location=f"R{spec.tracking[-2:]}-S2",
            ),
            channel="api",
            registered_at=timezone.now() - REGISTERED_AGO,
        )
        _play(package, spec.story, agent)
        _date_events_as_reported(package)
        package.refresh_from_db()  # the services worked on their own locked copies
        _move_back_in_time(package, timedelta(days=spec.days_ago), spec.deadline_in)
        _rewrite_destruction_notice(package)
        made += 1
    return made


def _fail_three_times(package: FailedPackage) -> None:
    now = timezone.now()
    for number, reason in enumerate(FAILURES):
        delivery.record_failed_attempt(
            package=package,
            attempted_at=now - ATTEMPTS_AGO[number],
            failure_reason=reason,
            courier_note="Card left at the door" if number == 0 else "",
            channel="api",
        )


def _play(package: FailedPackage, story: str, agent: User | None) -> None:
    now = timezone.now()
    if story == "in_delivery":
        delivery.record_failed_attempt(
            package=package,
            attempted_at=now - timedelta(hours=3),
            failure_reason=FAILURES[0],
            channel="api",
        )
    elif story == "delivered":
        delivery.record_delivered(package=package, delivered_at=now, channel="api")
    elif story in {"rejected", "destroyed"}:
        delivery.record_seller_rejection(
            package=package, rejected_at=now, note="Refused at the door", channel="api"
        )
        if story == "destroyed":
            services.confirm_destruction(
                package=package,
                reference=f"DX-{package.tracking_number[-4:]}",
                method=FailedPackage.DestructionMethod.SHREDDED,
                actor=agent,
                channel="admin",
            )
    else:
        _fail_three_times(package)
        if story in {"claimed", "returned"}:
            services.claim_package(
                package=package, actor=agent, channel="admin", note="The seller phoned"
            )
        if story == "returned":
            services.mark_returned(package=package, actor=agent, channel="admin")
        if story == "released":
            services.release_package(package=package, channel="web")


def _move_back_in_time(
    package: FailedPackage, delta: timedelta, deadline_in: timedelta | None
) -> None:
    if delta:
        shifted = [
            "registered_at", "failed_at", "claimed_at", "released_at",
            "returned_at", "destruction_requested_at", "destroyed_at",
        ]  # fmt: skip
        FailedPackage.objects.filter(pk=package.pk).update(
            **{name: F(name) - delta for name in shifted}
        )
        DeliveryAttempt.objects.filter(package=package).update(
            attempted_at=F("attempted_at") - delta
        )
        PackageEvent.objects.filter(package=package).update(created_at=F("created_at") - delta)
        notices = Notification.objects.filter(package=package)
        notices.update(created_at=F("created_at") - delta, next_attempt_at=F("created_at") - delta)
        if delta >= timedelta(days=1):
            # Notices from days ago went out long since; today's wait for the worker.
            notices.update(
                status=Notification.Status.SENT,
                sent_at=F("created_at") + timedelta(minutes=1),
                attempts=1,
            )
    if package.claim_deadline is not None and package.failed_at is not None:
        deadline = (
            timezone.now() + deadline_in
            if deadline_in is not None
            else delivery.claim_deadline_for(package.failed_at - delta, package.seller.time_zone)
        )
        FailedPackage.objects.filter(pk=package.pk).update(claim_deadline=deadline)


def _date_events_as_reported(package: FailedPackage) -> None:
    """The services date an event when it is recorded, which in the demo is all one moment:
    date registration and each attempt as the carrier reported them, so History reads in
    the order the package lived it."""
    PackageEvent.objects.filter(package=package, action=EventAction.REGISTERED).update(
        created_at=package.registered_at
    )
    for attempt in package.attempts.all():
        PackageEvent.objects.filter(
            package=package,
            action__in=[EventAction.ATTEMPT_FAILED, EventAction.DELIVERY_FAILED],
            facts__attempt=attempt.number,
        ).update(created_at=attempt.attempted_at)


def _rewrite_destruction_notice(package: FailedPackage) -> None:
    """The notice was written while the story was played, quoting the attempt times and
    deadline of that moment; write it again from the package as the demo leaves it, with
    the times and delivery state the move back in time gave it."""
    kept = ["created_at", "next_attempt_at", "status", "sent_at", "attempts"]
    old = (
        Notification.objects.filter(package=package, kind=Notification.Kind.DESTRUCTION_NOTICE)
        .values(*kept)
        .first()
    )
    if old is None:
        return
    Notification.objects.filter(package=package, kind=Notification.Kind.DESTRUCTION_NOTICE).delete()
    package = FailedPackage.objects.select_related("seller", "provider").get(pk=package.pk)
    notice = emails.destruction_notice(package)
    if old["status"] != Notification.Status.SENT:  # the outbox renders it as it sends it
        Notification.objects.filter(pk=notice.pk).update(**old)
        return
    # Written unrendered, as any destruction notice; a sent one keeps what was sent,
    # rendered here as the outbox would have.
    rendering.render_unsent([notice])
    Notification.objects.filter(pk=notice.pk).update(
        **old, subject=notice.subject, body_text=notice.body_text, body_html=notice.body_html
    )
