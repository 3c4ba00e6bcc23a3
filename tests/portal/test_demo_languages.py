"""The demo shows more than one language: Thai and Indonesian sellers, Thai-speaking staff."""

from io import StringIO

from django.core.management import call_command

from portal.languages import language_of
from portal.models import LogisticsProvider, ReturnAddress, User
from returns.models import Notification


def test_the_demo_has_thai_and_indonesian_sellers_and_thai_staff_on_bangkok_time(db, settings):
    settings.DEBUG = True

    call_command("seed_demo", stdout=StringIO())

    assert language_of(User.objects.get(email="seller@siamgadgets.example")) == "th"
    assert language_of(User.objects.get(email="seller@jakartabatik.example")) == "id"
    assert language_of(User.objects.get(email="seller@berlinbooks.example")) == "en"
    swiftlane = LogisticsProvider.objects.get(code="swiftlane")
    assert (swiftlane.time_zone, swiftlane.language) == ("Asia/Bangkok", "th")
    assert language_of(User.objects.get(email="agent@swiftlane.example")) == "th"
    languages = set(Notification.objects.values_list("seller__shop_code", "language"))
    assert {("SIAM-GADGETS", "th"), ("JAKARTA-BATIK", "id"), ("BERLIN-BOOKS", "en")} <= languages


def test_the_demo_shops_start_with_a_default_return_address(db, settings):
    settings.DEBUG = True
    call_command("seed_demo", verbosity=0)
    call_command("seed_demo", verbosity=0)  # again: nothing doubles

    defaults = ReturnAddress.objects.filter(is_default=True)
    assert sorted(defaults.values_list("seller__shop_code", flat=True)) == [
        "JAKARTA-BATIK",
        "SIAM-GADGETS",
    ]
    assert ReturnAddress.objects.count() == 2
