"""The one-click buttons of a notice: one package, one action, once, until the deadline."""

from datetime import timedelta

import pytest
from django.core import mail
from django.urls import reverse

from returns import action_links, outbox, services
from returns.models import ActionLink, Channel, FailedPackage, Notification
from tests.tickets.one_click_helpers import (
    LET_GO,
    SEND_BACK,
    act,
    destruction_notice,
    row_counts,
    send_back,
    tokens_of,
    url_of,
)
from tickets.models import Ticket

Status = FailedPackage.Status

pytestmark = pytest.mark.django_db


# --- the notice and its links -----------------------------------------------------------


def test_the_notice_carries_both_actions_and_the_database_keeps_only_digests(package, tokens):
    notice = destruction_notice(package)

    assert set(tokens) == {SEND_BACK, LET_GO}
    links = ActionLink.objects.filter(notification=notice)
    assert {link.action for link in links} == {SEND_BACK, LET_GO}
    assert {link.expires_at for link in links} == {package.claim_deadline}
    stored = " ".join([notice.body_text, notice.body_html, *links.values_list("digest", flat=True)])
    assert not [token for token in tokens.values() if token in stored]
    assert {link.digest for link in links} == {
        action_links.digest_of(token) for token in tokens.values()
    }


def test_the_sent_email_has_the_buttons_and_the_row_keeps_only_their_marks(package, tokens):
    outbox.deliver_notifications()

    [email] = [m for m in mail.outbox if m.to == [package.seller.contact_email]]
    html = email.alternatives[0][0]
    for token in tokens.values():
        assert f"https://returns.example/act/?t={token}&amp;lang=en" in html
        assert f"https://returns.example/act/?t={token}&lang=en" in email.body
    notice = destruction_notice(package)
    assert notice.status == Notification.Status.SENT
    assert "/act/" not in notice.body_text + notice.body_html


def test_each_reminder_carries_links_of_its_own(package):
    services.send_deadline_reminder(
        package=package, now=package.claim_deadline - timedelta(hours=20)
    )

    reminder = Notification.objects.get(package=package, kind=Notification.Kind.DEADLINE_REMINDER)
    assert set(tokens_of(reminder)) == {SEND_BACK, LET_GO}
    assert ActionLink.objects.filter(package=package).count() == 4


def test_the_portal_copy_of_the_notice_links_to_the_package_page(package, client_for, alice):
    page = client_for(alice).get(reverse("returns:notification_list")).content.decode()

    assert "[[act:" not in page
    assert f"/packages/{package.public_id}/" in page


# --- GET: a confirm page that changes nothing -------------------------------------------


def test_get_shows_the_package_deadline_time_left_and_default_address(
    package, tokens, address, client, django_assert_num_queries
):
    before = row_counts()
    with django_assert_num_queries(2):  # the link with its package, the default address
        response = client.get(url_of(tokens[SEND_BACK]))

    assert response.status_code == 200
    assert response["Referrer-Policy"] == "no-referrer"
    page = response.content.decode()
    assert package.tracking_number in page
    assert "Deadline" in page and "left" in page
    assert "Somchai Jaidee" in page and "Sukhumvit Soi 11" in page
    assert "Yes, send it back to me" in page
    assert row_counts() == before


def test_get_of_every_kind_of_link_changes_no_table(package, tokens, client):
    before = row_counts()
    for token in [*tokens.values(), "0" * 64, "not-a-token"]:
        client.get(url_of(token))
        client.head(url_of(token))
    assert row_counts() == {**before, "portal.RequestCount": row_counts()["portal.RequestCount"]}
    # Only guesses are counted against the limit; a real link's page writes nothing at all.
    assert row_counts()["portal.RequestCount"] <= 1
    package.refresh_from_db()
    assert package.status == Status.AWAITING_SELLER
    assert ActionLink.objects.filter(used_at__isnull=False).count() == 0


def test_without_a_default_address_the_page_asks_for_one(package, tokens, client):
    page = client.get(url_of(tokens[SEND_BACK])).content.decode()

    assert "You have no default return address saved" in page
    assert 'name="contact_name"' in page and 'name="address"' in page


def test_the_let_go_page_says_it_cannot_be_undone(package, tokens, client):
    page = client.get(url_of(tokens[LET_GO])).content.decode()

    assert "This cannot be undone" in page
    assert 'name="address"' not in page


# --- POST: the action, through the services --------------------------------------------


def test_send_it_back_claims_the_package_with_a_ticket_to_the_address_typed(
    package, tokens, client
):
    response = send_back(client, tokens[SEND_BACK], package, address="99 Silom Road\nBangkok")

    assert response.status_code == 200
    assert response["Referrer-Policy"] == "no-referrer"
    package.refresh_from_db()
    assert package.status == Status.CLAIMED
    ticket = Ticket.objects.get(package=package)
    assert ticket.category == Ticket.Category.SEND_BACK
    assert ticket.delivery_address == "Somchai Jaidee\n99 Silom Road\nBangkok"
    assert ticket.contact_phone == "+66 81 555 0199"
    [message] = ticket.messages.all()
    assert message.from_seller and message.author is None
    event = package.events.get(action="claimed")
    assert (event.channel, event.actor, event.facts) == (
        Channel.EMAIL,
        None,
        {"ticket": ticket.reference},
    )
    page = response.content.decode()
    assert ticket.reference in page
    assert f"/accounts/login/?next=%2Fpackages%2F{package.public_id}%2F" in page
    kinds = set(Notification.objects.filter(package=package).values_list("kind", flat=True))
    assert {"claim_confirmed", "claim_received", "ticket_created"} <= kinds


def test_i_dont_need_it_releases_the_package(package, tokens, client):
    response = act(client, tokens[LET_GO], package, LET_GO)

    assert response.status_code == 200
    package.refresh_from_db()
    assert package.status == Status.DESTRUCTION_PENDING and package.released_at
    assert package.events.get(action="released").channel == Channel.EMAIL
    assert not Ticket.objects.filter(package=package).exists()


def test_the_link_grants_nothing_else(package, tokens, client):
    send_back(client, tokens[SEND_BACK], package)

    for path in ["/", f"/packages/{package.public_id}/", "/tickets/", "/notifications/"]:
        response = client.get(path)
        assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_a_missing_address_is_refused_and_changes_nothing(package, tokens, client):
    before = row_counts()
    response = send_back(client, tokens[SEND_BACK], package, address="", phone="")

    assert response.status_code == 400
    assert "This field is required" in response.content.decode()
    assert {k: v for k, v in row_counts().items() if k != "portal.RequestCount"} == {
        k: v for k, v in before.items() if k != "portal.RequestCount"
    }
