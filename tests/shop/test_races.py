"""Two owners, or two clicks, at the same moment: the settings stay consistent."""

import pytest
from django.utils import timezone

from portal import confirmations
from portal.confirmations import LinkError
from portal.models import NotificationAddress, ReturnAddress, SettingsChange
from portal.shop import services
from tests.races import in_parallel

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

VALUES = {"contact_name": "Ann", "phone": "+66 2 1", "address": "1 Road", "is_default": True}


def test_two_clicks_on_one_confirmation_link_confirm_once(seller_a):
    address = NotificationAddress.objects.create(seller=seller_a, email="night@shop-a.example")
    token = confirmations.mint_confirmation(address)

    outcomes = in_parallel(*[lambda: services.confirm_address(token=token)] * 2)

    assert sum(isinstance(outcome, LinkError) for outcome in outcomes) == 1
    assert NotificationAddress.objects.get().confirmed_at is not None
    assert SettingsChange.objects.filter(action="address_confirmed").count() == 1


def test_two_owners_making_two_defaults_at_once_leave_one(seller_a, olivia):
    ReturnAddress.objects.create(seller=seller_a, label="One", **VALUES)
    second = ReturnAddress.objects.create(
        seller=seller_a, label="Two", **{**VALUES, "is_default": False}
    )

    outcomes = in_parallel(
        lambda: services.make_default_return_address(address=second, actor=olivia),
        lambda: services.save_return_address(
            seller=seller_a, actor=olivia, address=None, values={"label": "Three", **VALUES}
        ),
    )

    assert not [outcome for outcome in outcomes if isinstance(outcome, Exception)]
    assert ReturnAddress.objects.filter(is_default=True).count() == 1


def test_two_owners_adding_the_fifth_address_at_once_add_one(seller_a, olivia):
    for n in range(3):
        NotificationAddress.objects.create(
            seller=seller_a, email=f"team{n}@shop-a.example", confirmed_at=timezone.now()
        )

    outcomes = in_parallel(
        *[
            lambda n=n: services.add_notification_address(
                seller=seller_a, actor=olivia, email=f"late{n}@shop-a.example"
            )
            for n in range(2)
        ]
    )

    assert sum(isinstance(outcome, services.SettingsError) for outcome in outcomes) == 1
    assert NotificationAddress.objects.count() == 4
