import re

import pytest
from django.core import mail

from portal.models import Seller, SellerRole, User
from returns.outbox import deliver_notifications
from tests.factories import UserFactory


@pytest.fixture
def carol(seller_a: Seller) -> User:
    """A member of seller A: works packages and tickets, does not run the team."""
    return UserFactory(email="carol@shop-a.example", seller=seller_a, seller_role=SellerRole.MEMBER)


def invite_link() -> str:
    """Send the outbox and read the path of the invitation link in the last email."""
    deliver_notifications()
    body = mail.outbox[-1].body
    return re.search(r"https://returns\.example(/team/join/[^/\s]+/)", body).group(1)
