"""Two owners acting on each other at the same moment still leave the shop an owner."""

import pytest

from portal.models import SellerRole, User
from portal.team import services
from portal.team.services import TeamError
from returns.models import Notification
from tests.factories import UserFactory
from tests.races import in_parallel

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def _owners(seller) -> int:
    return User.objects.filter(seller=seller, seller_role=SellerRole.OWNER, is_active=True).count()


def test_two_owners_demoting_each_other_at_once_leave_one_owner(seller_a):
    ann = UserFactory(email="ann@shop-a.example", seller=seller_a)
    ben = UserFactory(email="ben@shop-a.example", seller=seller_a)

    outcomes = in_parallel(
        lambda: services.change_role(actor=ann, member=ben, role=SellerRole.MEMBER),
        lambda: services.change_role(actor=ben, member=ann, role=SellerRole.MEMBER),
    )

    assert sorted(type(o).__name__ for o in outcomes) == ["TeamError", "bool"]
    assert _owners(seller_a) == 1


def test_two_owners_removing_each_other_at_once_leave_one_owner(seller_a):
    ann = UserFactory(email="ann@shop-a.example", seller=seller_a)
    ben = UserFactory(email="ben@shop-a.example", seller=seller_a)

    outcomes = in_parallel(
        lambda: services.remove_member(actor=ann, member=ben),
        lambda: services.remove_member(actor=ben, member=ann),
    )

    assert sum(isinstance(o, TeamError) for o in outcomes) == 1
    assert _owners(seller_a) == 1


def test_one_invitation_used_twice_at_once_makes_one_account(seller_a):
    owner = UserFactory(email="ann@shop-a.example", seller=seller_a)
    invite = services.invite_colleague(
        seller=seller_a,
        email="dana@shop-a.example",
        role="member",
        invited_by=owner,
        language="en",
    )
    # The raw token is only in the email: take it from the outbox row's text.
    body = Notification.objects.get(dedupe_key=f"team_invite:{invite.pk}").body_text
    token = body.split("/team/join/")[1].split("/")[0]

    outcomes = in_parallel(
        lambda: services.accept_invite(raw_token=token, password="first long passphrase"),
        lambda: services.accept_invite(raw_token=token, password="second long passphrase"),
    )

    assert sum(isinstance(o, TeamError) for o in outcomes) == 1
    assert User.objects.filter(email="dana@shop-a.example").count() == 1
