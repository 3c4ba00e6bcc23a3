from datetime import timedelta

import factory
from django.utils import timezone

from portal.models import LogisticsProvider, Seller, User
from returns.models import FailedPackage

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
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)

    @factory.post_generation
    def saved(obj, create, extracted, **kwargs):
        if create:
            obj.save()


class PackageFactory(factory.django.DjangoModelFactory):
    """A package still in delivery; pass `status` and its timestamps for the other states."""

    class Meta:
        model = FailedPackage

    provider = factory.SubFactory(ProviderFactory)
    seller = factory.SubFactory(SellerFactory)
    tracking_number = factory.Sequence(lambda n: f"TRK{n:08d}")
    order_id = factory.Sequence(lambda n: f"ORD-{n:06d}")
    description = "Bluetooth speaker"
    warehouse_location = "B-12"

    class Params:
        awaiting_seller = factory.Trait(
            status=FailedPackage.Status.AWAITING_SELLER,
            reason=FailedPackage.Reason.DELIVERY_FAILED,
            failed_at=factory.LazyFunction(timezone.now),
            claim_deadline=factory.LazyFunction(lambda: timezone.now() + timedelta(days=7)),
        )
        destruction_pending = factory.Trait(
            status=FailedPackage.Status.DESTRUCTION_PENDING,
            reason=FailedPackage.Reason.DELIVERY_FAILED,
            destruction_requested_at=factory.LazyFunction(timezone.now),
        )
