"""The team page: who is on it, roles, removal, and one owner always left."""

import pytest
from django.test import Client
from django.urls import reverse

from portal.models import SellerRole, User
from portal.team import services
from tests.factories import PASSWORD, UserFactory

BUDGET = 5  # session, user (with seller), the nav's unread count, members, invitations


def test_the_team_lists_the_shops_people_only(client_for, alice, carol, bob):
    response = client_for(alice).get(reverse("team:team"))

    assert response.status_code == 200
    assert [m.email for m in response.context["members"]] == [alice.email, carol.email]
    assert bob.email not in response.content.decode()


def test_a_member_reads_the_list_without_the_controls(client_for, carol, alice):
    page = client_for(carol).get(reverse("team:team")).content.decode()

    assert alice.email in page
    assert "Send invitation" not in page
    assert "Change role" not in page
    assert "Only an owner" in page


def test_the_team_page_runs_a_fixed_number_of_queries(
    client_for, alice, seller_a, django_assert_num_queries
):
    for n in range(20):
        UserFactory(email=f"colleague{n}@shop-a.example", seller=seller_a)
        services.invite_colleague(
            seller=seller_a,
            email=f"new{n}@shop-a.example",
            role="member",
            invited_by=alice,
            language="en",
        )
    client = client_for(alice)

    with django_assert_num_queries(BUDGET):
        response = client.get(reverse("team:team"))
    assert response.status_code == 200


def test_an_owner_makes_a_member_an_owner(client_for, alice, carol):
    client_for(alice).post(reverse("team:change_role", args=[carol.pk]), {"role": "owner"})

    carol.refresh_from_db()
    assert carol.seller_role == SellerRole.OWNER


def test_a_member_cannot_change_roles(client_for, alice, carol):
    response = client_for(carol).post(
        reverse("team:change_role", args=[carol.pk]), {"role": "owner"}
    )

    assert response.status_code == 403
    carol.refresh_from_db()
    assert carol.seller_role == SellerRole.MEMBER


def test_the_last_owner_cannot_step_down(client_for, alice, carol):
    response = client_for(alice).post(
        reverse("team:change_role", args=[alice.pk]), {"role": "member"}, follow=True
    )

    assert "only owner" in response.content.decode()
    alice.refresh_from_db()
    assert alice.seller_role == SellerRole.OWNER


def test_the_last_owner_cannot_be_removed(client_for, alice):
    response = client_for(alice).post(reverse("team:remove", args=[alice.pk]), follow=True)

    assert "only owner" in response.content.decode()
    alice.refresh_from_db()
    assert alice.is_active


@pytest.mark.parametrize("action", ["team:change_role", "team:remove"])
def test_another_sellers_member_is_not_found(client_for, alice, bob, action):
    response = client_for(alice).post(reverse(action, args=[bob.pk]), {"role": "member"})

    assert response.status_code == 404
    bob.refresh_from_db()
    assert bob.is_active and bob.seller_role == SellerRole.OWNER


def test_the_remove_page_asks_first_and_changes_nothing(client_for, alice, carol):
    response = client_for(alice).get(reverse("team:remove", args=[carol.pk]))

    assert response.status_code == 200
    assert "Remove and sign out" in response.content.decode()
    carol.refresh_from_db()
    assert carol.is_active


def test_the_remove_page_runs_a_fixed_number_of_queries(
    client_for, alice, carol, django_assert_num_queries
):
    client = client_for(alice)
    # Session, user, the nav's unread count, the colleague.
    with django_assert_num_queries(4):
        client.get(reverse("team:remove", args=[carol.pk]))


def test_a_removed_member_is_signed_out_at_their_next_request(client_for, alice, carol, client):
    carols = Client()
    carols.force_login(carol)
    assert carols.get(reverse("home")).status_code == 200

    client_for(alice).post(reverse("team:remove", args=[carol.pk]))

    response = carols.get(reverse("home"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))
    carol.refresh_from_db()
    assert not carol.is_active
    assert carol not in client.get(reverse("team:team")).context["members"]


def test_a_removed_member_cannot_sign_in(client, alice, carol):
    services.remove_member(actor=alice, member=carol)

    response = client.post(reverse("login"), {"username": carol.email, "password": PASSWORD})

    assert response.status_code == 200  # the form again, with its error
    assert "_auth_user_id" not in client.session
    assert User.objects.filter(email=carol.email).exists()  # history keeps their name


def test_an_owner_who_leaves_the_team_is_signed_out_and_another_owner_stays(
    client_for, alice, seller_a
):
    other_owner = UserFactory(email="olga@shop-a.example", seller=seller_a)
    client = client_for(alice)

    response = client.post(reverse("team:remove", args=[alice.pk]))

    assert response["Location"] == reverse("login")
    assert client.get(reverse("home")).status_code == 302
    other_owner.refresh_from_db()
    assert other_owner.is_seller_owner
