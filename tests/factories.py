from datetime import timedelta

import factory
from django.utils import timezone

from portal.models import LogisticsProvider, Seller, SellerRole, User
from returns.models import DeliveryAttempt, FailedPackage, Notification, PackageEvent

PASSWORD = "correct horse battery staple"


class ProviderFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = LogisticsProvider
        django_get_or_create = ["code"]

    name = factory.Sequence(lambda n: f"Provider {n}")
    code = factory.Sequence(lambda n: f"provider-{n}")
    support_phone = "+66 2 555 0142"
    support_email = factory.LazyAttribute(lambda p: f"support@{p.code}.example")
    opening_hours = "Mon–Fri 08:00–18:00"
    warehouse_address = "1 Warehouse Road"
    ops_email = factory.LazyAttribute(lambda p: f"ops@{p.code}.example")


class SellerFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Seller
        django_get_or_create = ["shop_code"]

    name = factory.Sequence(lambda n: f"Shop {n}")
    shop_code = factory.Sequence(lambda n: f"SHOP-{n}")
    contact_email = factory.LazyAttribute(lambda s: f"{s.shop_code.lower()}@shops.example")
    time_zone = "Asia/Bangkok"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        django_get_or_create = ["email"]
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"user{n}@example.com")
    # A seller's user is an owner unless a test says otherwise: migration 0006 made every
    # seller user an owner, and the tests written before roles expect one who may do all.
    seller_role = factory.LazyAttribute(
        lambda user: SellerRole.OWNER if getattr(user, "seller", None) else SellerRole.MEMBER
    )
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)

    @factory.post_generation
    def saved(obj, create, extracted, **kwargs):
        if create:
            obj.save()


class PackageFactory(factory.django.DjangoModelFactory):
    """A package in any state, built directly: tests of a transition start from here."""

    class Meta:
        model = FailedPackage

    provider = factory.SubFactory(ProviderFactory)
    seller = factory.SubFactory(SellerFactory)
    tracking_number = factory.Sequence(lambda n: f"TRK{n:08d}")
    order_id = factory.Sequence(lambda n: f"ORD-{n:06d}")
    description = "Bluetooth speaker, boxed"
    warehouse_location = "B-12-3"

    class Params:
        awaiting = factory.Trait(
            status=FailedPackage.Status.AWAITING_SELLER,
            reason=FailedPackage.Reason.DELIVERY_FAILED,
            failed_at=factory.LazyFunction(lambda: timezone.now() - timedelta(days=1)),
            claim_deadline=factory.LazyFunction(lambda: timezone.now() + timedelta(days=6)),
        )
        claimed = factory.Trait(
            status=FailedPackage.Status.CLAIMED,
            reason=FailedPackage.Reason.DELIVERY_FAILED,
            failed_at=factory.LazyFunction(lambda: timezone.now() - timedelta(days=2)),
            claim_deadline=factory.LazyFunction(lambda: timezone.now() + timedelta(days=5)),
            claimed_at=factory.LazyFunction(lambda: timezone.now() - timedelta(days=1)),
        )
        pending_destruction = factory.Trait(
            status=FailedPackage.Status.DESTRUCTION_PENDING,
            reason=FailedPackage.Reason.DELIVERY_FAILED,
            failed_at=factory.LazyFunction(lambda: timezone.now() - timedelta(days=9)),
            claim_deadline=factory.LazyFunction(lambda: timezone.now() - timedelta(days=1)),
            destruction_requested_at=factory.LazyFunction(timezone.now),
        )
        destroyed = factory.Trait(
            status=FailedPackage.Status.DESTROYED,
            reason=FailedPackage.Reason.SELLER_REJECTED,
            failed_at=factory.LazyFunction(lambda: timezone.now() - timedelta(days=3)),
            destruction_requested_at=factory.LazyFunction(
                lambda: timezone.now() - timedelta(days=3)
            ),
            destroyed_at=factory.LazyFunction(timezone.now),
            destruction_reference="DX-1001",
            destruction_method=FailedPackage.DestructionMethod.SHREDDED,
        )
        returned = factory.Trait(
            status=FailedPackage.Status.RETURNED,
            returned_at=factory.LazyFunction(timezone.now),
        )


class AttemptFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = DeliveryAttempt

    package = factory.SubFactory(PackageFactory)
    number = factory.Sequence(lambda n: n + 1)
    attempted_at = factory.LazyFunction(lambda: timezone.now() - timedelta(hours=5))
    outcome = DeliveryAttempt.Outcome.FAILED
    failure_reason = "Nobody at the address"


class NotificationFactory(factory.django.DjangoModelFactory):
    """A seller's notice about a package, as the outbox holds it."""

    class Meta:
        model = Notification

    package = factory.SubFactory(PackageFactory)
    audience = Notification.Audience.SELLER
    seller = factory.SelfAttribute("package.seller")
    provider = factory.SelfAttribute("package.provider")
    kind = Notification.Kind.DESTRUCTION_NOTICE
    to_email = factory.SelfAttribute("seller.contact_email")
    subject = "Your package will be destroyed"
    body_text = "Text"
    body_html = "<p>HTML</p>"
    dedupe_key = factory.Sequence(lambda n: f"notice:{n}")


class EventFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = PackageEvent

    package = factory.SubFactory(PackageFactory)
    action = "registered"
    to_status = FailedPackage.Status.IN_DELIVERY
    channel = PackageEvent.Channel.API
