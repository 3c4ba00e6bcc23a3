import factory

from portal.models import LogisticsProvider, Seller, User

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
