"""Demo accounts for `manage.py seed_demo`: two providers, four sellers, a login per role.

They read several languages: Siam Gadgets and SwiftLane's staff Thai, Jakarta
Batik Indonesian, the others English (each login follows its shop or provider).
"""

from dataclasses import dataclass

from django.contrib.auth.models import Group

from portal.models import LogisticsProvider, ReturnAddress, Seller, SellerRole, User
from portal.tenancy import PROVIDER_STAFF_GROUP

DEFAULT_PASSWORD = "returns-demo"

PROVIDERS = [
    {
        "code": "swiftlane",
        "name": "SwiftLane Logistics",
        "support_phone": "+66 2 555 0142",
        "support_email": "support@swiftlane.example",
        "opening_hours": "Mon–Sat 08:00–18:00 (Bangkok time)",
        "warehouse_address": "88 Bang Na-Trat Road, Bang Na, Bangkok 10260",
        "ops_email": "ops@swiftlane.example",
        # Its warehouse staff work in Thai, on Bangkok time.
        "time_zone": "Asia/Bangkok",
        "language": "th",
    },
    {
        "code": "nordparcel",
        "name": "NordParcel",
        "support_phone": "+49 30 5557 2210",
        "support_email": "help@nordparcel.example",
        "opening_hours": "Mon–Fri 07:00–19:00 (Berlin time)",
        "warehouse_address": "Lagerstraße 12, 12057 Berlin",
        "ops_email": "ops@nordparcel.example",
        "time_zone": "Europe/Berlin",
        "language": "en",
    },
]

SELLERS = [
    {
        "shop_code": "SIAM-GADGETS",
        "name": "Siam Gadgets",
        "contact_email": "orders@siamgadgets.example",
        "time_zone": "Asia/Bangkok",
        "language": "th",
    },
    {
        "shop_code": "JAKARTA-BATIK",
        "name": "Jakarta Batik",
        "contact_email": "toko@jakartabatik.example",
        "time_zone": "Asia/Jakarta",
        "language": "id",
    },
    {
        "shop_code": "BERLIN-BOOKS",
        "name": "Berlin Books",
        "contact_email": "shop@berlinbooks.example",
        "time_zone": "Europe/Berlin",
        "language": "en",
    },
    {
        "shop_code": "LISBON-LINEN",
        "name": "Lisbon Linen",
        "contact_email": "hello@lisbonlinen.example",
        "time_zone": "Europe/Lisbon",
        "language": "en",
    },
]


@dataclass(frozen=True)
class DemoLogin:
    email: str
    role: str
    seller: str = ""
    provider: str = ""
    is_staff: bool = False
    is_superuser: bool = False


LOGINS = [
    DemoLogin("seller@siamgadgets.example", "seller (Siam Gadgets)", seller="SIAM-GADGETS"),
    DemoLogin("seller@jakartabatik.example", "seller (Jakarta Batik)", seller="JAKARTA-BATIK"),
    DemoLogin("seller@berlinbooks.example", "seller (Berlin Books)", seller="BERLIN-BOOKS"),
    DemoLogin(
        "agent@swiftlane.example", "provider staff (SwiftLane)", provider="swiftlane", is_staff=True
    ),
    DemoLogin(
        "agent@nordparcel.example",
        "provider staff (NordParcel)",
        provider="nordparcel",
        is_staff=True,
    ),
    DemoLogin("operator@returns.example", "operator", is_staff=True, is_superuser=True),
]


# A saved default address, so the send-back form and the one-click page start filled in.
RETURN_ADDRESSES = {
    "SIAM-GADGETS": {
        "label": "Warehouse",
        "contact_name": "Somchai Prasert",
        "phone": "+66 81 555 0199",
        "address": "Siam Gadgets warehouse, 55 Rama IV Road, Khlong Toei, Bangkok 10110",
        "is_default": True,
    },
    "JAKARTA-BATIK": {
        "label": "Gudang",
        "contact_name": "Dewi Lestari",
        "phone": "+62 812 5550 1234",
        "address": "Jl. Kebon Sirih 12, Menteng, Jakarta Pusat 10340",
        "is_default": True,
    },
}


def seed_accounts(password: str) -> None:
    """Create or refresh the demo providers, sellers and logins; safe to run again."""
    providers = {
        p["code"]: LogisticsProvider.objects.update_or_create(code=p["code"], defaults=p)[0]
        for p in PROVIDERS
    }
    sellers = {
        s["shop_code"]: Seller.objects.update_or_create(shop_code=s["shop_code"], defaults=s)[0]
        for s in SELLERS
    }
    staff_group = Group.objects.get(name=PROVIDER_STAFF_GROUP)  # made by the migrations
    for login in LOGINS:
        user, _ = User.objects.update_or_create(
            email=login.email,
            defaults={
                "seller": sellers.get(login.seller),
                "provider": providers.get(login.provider),
                "is_staff": login.is_staff,
                "is_superuser": login.is_superuser,
                "is_active": True,
                # The demo's shop logins own their shop: settings and team can be clicked through.
                "seller_role": SellerRole.OWNER if login.seller else SellerRole.MEMBER,
            },
        )
        user.set_password(password)
        user.save(update_fields=["password"])
        if login.is_staff and login.provider:
            user.groups.add(staff_group)
    for shop_code, address in RETURN_ADDRESSES.items():
        ReturnAddress.objects.update_or_create(
            seller=sellers[shop_code], label=address["label"], defaults=address
        )


def describe_logins(password: str) -> str:
    width = max(len(login.email) for login in LOGINS)
    lines = [f"  {login.email.ljust(width)}  {login.role}" for login in LOGINS]
    return "\n".join([f"Demo logins (password: {password}):", *lines])
