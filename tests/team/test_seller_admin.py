"""The operator makes a seller in the admin with an owner email: the owner gets an invitation."""

from django.urls import reverse

from portal.demo import seed_accounts
from portal.models import Seller, SellerRole, User
from portal.team.models import Invite
from returns.models import Notification
from tests.team.conftest import invite_link

NEW_SELLER = {
    "name": "Shop C",
    "shop_code": "SHOP-C",
    "contact_email": "hello@shop-c.example",
    "time_zone": "Asia/Jakarta",
    "language": "id",
}


def test_a_new_seller_with_an_owner_email_invites_its_owner(client_for, operator):
    response = client_for(operator).post(
        reverse("admin:portal_seller_add"), {**NEW_SELLER, "owner_email": "owner@shop-c.example"}
    )

    assert response.status_code == 302
    invite = Invite.objects.get()
    assert (invite.seller.shop_code, invite.email, invite.role) == (
        "SHOP-C",
        "owner@shop-c.example",
        SellerRole.OWNER,
    )
    # In the shop's language: the operator is no colleague of the owner.
    assert Notification.objects.get(kind="team_invite").language == "id"
    assert invite_link().startswith("/team/join/")


def test_an_owner_email_with_an_account_is_refused_and_no_seller_is_made(client_for, operator, bob):
    response = client_for(operator).post(
        reverse("admin:portal_seller_add"), {**NEW_SELLER, "owner_email": bob.email}
    )

    assert response.status_code == 200
    assert "already has an account" in response.content.decode()
    assert not Seller.objects.filter(shop_code="SHOP-C").exists()
    assert not Invite.objects.exists()


def test_a_seller_made_without_an_owner_email_invites_no_one(client_for, operator):
    client_for(operator).post(reverse("admin:portal_seller_add"), {**NEW_SELLER, "owner_email": ""})

    assert Seller.objects.filter(shop_code="SHOP-C").exists()
    assert not Invite.objects.exists()


def test_the_demo_shop_logins_are_owners(db, staff_group):
    seed_accounts("demo-password")

    sellers = User.objects.filter(seller__isnull=False)
    assert sellers.exists()
    assert all(user.is_seller_owner for user in sellers)
