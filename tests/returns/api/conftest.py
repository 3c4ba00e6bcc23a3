"""Carriers X and Y, each calling the API with its own provider's token."""

import pytest

from returns import tokens
from tests.returns.api.carrier import Carrier


@pytest.fixture
def carrier_x(client, provider_x, seller_a):
    _, raw = tokens.create_api_token(provider=provider_x, name="SwiftLane feed")
    return Carrier(client, raw)


@pytest.fixture
def carrier_y(client, provider_y):
    _, raw = tokens.create_api_token(provider=provider_y, name="NordParcel feed")
    return Carrier(client, raw)
