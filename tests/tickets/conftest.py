"""Fixtures for the tickets tests: staff in the inbox group, a package awaiting its seller and
its notice's one-click tokens."""

import pytest

from tests.builders import awaiting_package
from tests.helpers import provider_staff_group
from tests.tickets.one_click_helpers import destruction_notice, tokens_of


@pytest.fixture
def staff(xavier, yvonne):
    """Xavier (provider X) and Yvonne (provider Y) may work their providers' ticket inboxes."""
    provider_staff_group(xavier, yvonne)
    return xavier, yvonne


@pytest.fixture
def package(seller_a, provider_x):
    return awaiting_package(seller_a, provider_x)


@pytest.fixture
def tokens(package) -> dict[str, str]:
    return tokens_of(destruction_notice(package))
