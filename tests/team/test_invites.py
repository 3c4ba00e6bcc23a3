"""Inviting a colleague: the email, the link's single use, and who cannot be invited."""

from datetime import timedelta

import pytest
import time_machine
from django.core import mail
from django.http import HttpResponse
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from portal.models import SellerRole, User
from portal.team import services
from portal.team.models import Invite
from returns.models import Notification
from tests.factories import PASSWORD, UserFactory
from tests.team.conftest import invite_link

NEW_PASSWORD = "a long and unusual passphrase"


def _join(client: Client, path: str, password: str = NEW_PASSWORD) -> HttpResponse:
    return client.post(
        path, {"first_name": "Dana", "new_password1": password, "new_password2": password}
    )


def test_an_owner_invites_a_colleague_who_joins_and_lands_on_the_dashboard(
    client_for, alice, client
):
    response = client_for(alice).post(
        reverse("team:invite"), {"email": "dana@shop-a.example", "role": "member"}
    )
    assert response.status_code == 302
    invite = Invite.objects.get()
    assert invite.expires_at - invite.created_at == timedelta(days=7)
    path = invite_link()
    assert path.split("/")[3] not in invite.token_digest  # only its digest is kept
    message = mail.outbox[-1]
    assert message.to == ["dana@shop-a.example"]
    assert "Shop A" in message.subject
    assert message.alternatives[0][1] == "text/html"
    client.logout()

    assert client.get(path).status_code == 200
    response = _join(client, path)

    assert response.status_code == 302
    assert response["Location"] == reverse("home")
    dana = User.objects.get(email="dana@shop-a.example")
    assert (dana.seller, dana.seller_role, dana.first_name) == (alice.seller, "member", "Dana")
    assert client.get(reverse("home")).context["user"] == dana


def test_the_invitation_is_written_in_the_inviters_language(client_for, alice):
    alice.language = "th"
    alice.save()
    client_for(alice).post(
        reverse("team:invite"), {"email": "dana@shop-a.example", "role": "member"}
    )

    notice = Notification.objects.get(kind=Notification.Kind.TEAM_INVITE)
    assert notice.language == "th"
    assert "lang=th" in notice.body_text
    # Not a notice on the shop's page, which every colleague reads: it holds the link.
    assert notice.audience == Notification.Audience.INVITEE
    assert not Notification.objects.for_user(alice).exists()


def test_opening_the_link_changes_nothing(client_for, alice, client):
    client_for(alice).post(
        reverse("team:invite"), {"email": "dana@shop-a.example", "role": "owner"}
    )
    path = invite_link()
    client.logout()

    client.get(path)
    client.get(path)

    assert not User.objects.filter(email="dana@shop-a.example").exists()
    assert Invite.objects.get().accepted_at is None


def test_a_used_link_is_refused_the_second_time(client_for, alice, client):
    client_for(alice).post(
        reverse("team:invite"), {"email": "dana@shop-a.example", "role": "member"}
    )
    path = invite_link()
    client.logout()
    _join(client, path)
    client.logout()

    response = _join(client, path, "another long passphrase")

    assert response.status_code == 410
    assert b"already used" in response.content
    assert User.objects.get(email="dana@shop-a.example").check_password(NEW_PASSWORD)


def test_a_tampered_link_is_not_found(client_for, alice, client):
    client_for(alice).post(
        reverse("team:invite"), {"email": "dana@shop-a.example", "role": "member"}
    )
    path = invite_link()
    client.logout()
    tampered = path[:-3] + ("A" if path[-3] != "A" else "B") + path[-2:]

    response = _join(client, tampered)

    assert response.status_code == 404
    assert b"not valid" in response.content
    assert not User.objects.filter(email="dana@shop-a.example").exists()


def test_an_expired_link_is_refused(client_for, alice, client):
    client_for(alice).post(
        reverse("team:invite"), {"email": "dana@shop-a.example", "role": "member"}
    )
    path = invite_link()
    client.logout()

    with time_machine.travel(timezone.now() + timedelta(days=7, minutes=1)):
        response = _join(client, path)

    assert response.status_code == 410
    assert b"expired" in response.content
    assert not User.objects.filter(email="dana@shop-a.example").exists()


def test_a_new_invitation_cancels_the_earlier_link(client_for, alice, client):
    owner = client_for(alice)
    owner.post(reverse("team:invite"), {"email": "dana@shop-a.example", "role": "member"})
    first = invite_link()
    owner.post(reverse("team:invite"), {"email": "dana@shop-a.example", "role": "owner"})
    second = invite_link()
    client.logout()

    assert _join(client, first).status_code == 410
    _join(client, second)
    assert User.objects.get(email="dana@shop-a.example").seller_role == SellerRole.OWNER


def test_a_weak_password_is_refused_and_the_link_still_works(client_for, alice, client):
    client_for(alice).post(
        reverse("team:invite"), {"email": "dana@shop-a.example", "role": "member"}
    )
    path = invite_link()
    client.logout()

    response = _join(client, path, "12345678")

    assert response.status_code == 200
    assert not User.objects.filter(email="dana@shop-a.example").exists()
    assert _join(client, path).status_code == 302


@pytest.mark.parametrize(
    "email", ["bob@shop-b.example", "xavier@swiftlane.example", "ALICE@shop-a.example"]
)
def test_an_email_with_an_account_is_refused_and_nothing_is_sent(
    client_for, alice, bob, xavier, email
):
    response = client_for(alice).post(reverse("team:invite"), {"email": email, "role": "member"})

    assert response.status_code == 400
    assert b"already" in response.content
    assert not Invite.objects.exists()
    assert not Notification.objects.exists()


def test_an_account_made_after_the_invitation_is_not_made_twice(client_for, alice, client):
    client_for(alice).post(
        reverse("team:invite"), {"email": "dana@shop-a.example", "role": "member"}
    )
    path = invite_link()
    client.logout()
    dana = UserFactory(email="Dana@shop-a.example")  # e.g. the operator made one meanwhile

    response = _join(client, path)

    assert response.status_code == 409
    assert b"already has an account" in response.content
    assert User.objects.filter(email__iexact="dana@shop-a.example").count() == 1
    dana.refresh_from_db()
    assert dana.seller is None and dana.check_password(PASSWORD)
    assert Invite.objects.get().accepted_at is None


def test_a_removed_colleague_invited_again_gets_their_account_back(alice, carol, client):
    services.remove_member(actor=alice, member=carol)
    services.invite_colleague(
        seller=alice.seller, email=carol.email, role="member", invited_by=alice, language="en"
    )
    path = invite_link()

    assert _join(client, path).status_code == 302

    carol.refresh_from_db()
    assert carol.is_active and carol.check_password(NEW_PASSWORD)
    assert User.objects.filter(email=carol.email).count() == 1


def test_a_member_cannot_invite(client_for, carol):
    response = client_for(carol).post(
        reverse("team:invite"), {"email": "dana@shop-a.example", "role": "owner"}
    )

    assert response.status_code == 403
    assert not Invite.objects.exists()


def test_another_sellers_invitation_cannot_be_cancelled(client_for, alice, bob):
    invite = services.invite_colleague(
        seller=bob.seller, email="erin@shop-b.example", role="member", invited_by=bob, language="en"
    )

    response = client_for(alice).post(reverse("team:cancel_invite", args=[invite.pk]))

    assert response.status_code == 404
    invite.refresh_from_db()
    assert invite.revoked_at is None


def test_an_owner_cancels_an_invitation_and_its_link_stops_working(client_for, alice, client):
    owner = client_for(alice)
    owner.post(reverse("team:invite"), {"email": "dana@shop-a.example", "role": "member"})
    path = invite_link()

    owner.post(reverse("team:cancel_invite", args=[Invite.objects.get().pk]))
    client.logout()

    response = _join(client, path)
    assert response.status_code == 410
    assert b"cancelled" in response.content


def test_the_join_page_runs_a_fixed_number_of_queries(
    client_for, alice, client, django_assert_num_queries
):
    client_for(alice).post(
        reverse("team:invite"), {"email": "dana@shop-a.example", "role": "member"}
    )
    path = invite_link()
    client.logout()

    # The invitation with its shop and inviter; a visitor has no session to read.
    with django_assert_num_queries(1):
        assert client.get(path).status_code == 200
