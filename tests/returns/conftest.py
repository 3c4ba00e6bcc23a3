"""Fixtures for the returns tests: packages in each state, on both sides, an agent, a frozen
clock, seller A's default return address."""

import pytest
import time_machine

from returns.models import FailedPackage
from tests.factories import PackageFactory
from tests.returns.console import NOW


@pytest.fixture
def console_clock():
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


@pytest.fixture
def ours(provider_x, seller_a):
    """Provider X's package, for seller A."""
    return PackageFactory(
        provider=provider_x, seller=seller_a, awaiting=True, tracking_number="TRK-X1"
    )


@pytest.fixture
def theirs(provider_y, seller_b):
    """Provider Y's package, for seller B, who has nothing at provider X."""
    return PackageFactory(
        provider=provider_y,
        seller=seller_b,
        awaiting=True,
        tracking_number="TRK-Y1",
        order_id="ORD-Y1",
    )


@pytest.fixture
def agent(client_for, xavier):
    """Xavier, provider X's agent, signed in."""
    return client_for(xavier)


@pytest.fixture
def make(provider_x, seller_a):
    """`make("TRK-1", claimed=True)`: a package of provider X for seller A."""

    def package(tracking: str, **traits) -> FailedPackage:
        return PackageFactory(
            provider=provider_x, seller=seller_a, tracking_number=tracking, **traits
        )

    return package


@pytest.fixture
def in_delivery(provider_x, seller_a):
    return PackageFactory(provider=provider_x, seller=seller_a)


@pytest.fixture
def awaiting(provider_x, seller_a):
    return PackageFactory(provider=provider_x, seller=seller_a, awaiting=True)


@pytest.fixture
def claimed(provider_x, seller_a):
    return PackageFactory(provider=provider_x, seller=seller_a, claimed=True)


@pytest.fixture
def pending(provider_x, seller_a):
    return PackageFactory(provider=provider_x, seller=seller_a, pending_destruction=True)
