import pytest

from portal.models import SellerRole
from tests.factories import UserFactory


@pytest.fixture
def olivia(seller_a):
    """An owner of seller A."""
    return UserFactory(email="olivia@shop-a.example", seller=seller_a, seller_role=SellerRole.OWNER)


@pytest.fixture
def oscar(seller_b):
    """An owner of seller B."""
    return UserFactory(email="oscar@shop-b.example", seller=seller_b, seller_role=SellerRole.OWNER)


@pytest.fixture
def member(alice):
    """Alice as a member of seller A: a seller's user is an owner unless a test says so."""
    alice.seller_role = SellerRole.MEMBER
    alice.save(update_fields=["seller_role"])
    return alice
