"""Notification addresses: confirmed by a signed, single-use, expiring link before they receive."""

import re
from datetime import timedelta

import time_machine
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from portal.confirmations import digest_of
from portal.models import NotificationAddress, SettingsChange
from returns import outbox
from returns.models import Notification
from tests.builders import awaiting_package

LINK = re.compile(r"https://returns\.example(/settings/confirm/[^/\s]+/)")


def add(client, email: str = "night@shop-a.example"):
    return client.post(reverse("settings:add_address"), {"email": email})


def sent_link() -> str:
    outbox.deliver_notifications()
    message = mail.outbox[-1]
    return LINK.search(message.body).group(1)


def test_a_new_address_is_sent_a_link_in_the_shops_language_and_only_its_digest_is_kept(
    client_for, olivia, seller_a
):
    seller_a.language = "th"
    seller_a.save()

    response = add(client_for(olivia))

    assert response.status_code == 302
    address = NotificationAddress.objects.get()
    assert address.confirmed_at is None
    notice = Notification.objects.get(kind="address_confirmation")
    assert notice.to_email == "night@shop-a.example" and notice.language == "th"
    assert "[[confirmation-link]]" in notice.body_text  # the outbox keeps no link
    path = sent_link()
    message = mail.outbox[-1]
    assert message.to == ["night@shop-a.example"]
    assert path in message.alternatives[0][0]  # the HTML part carries it too
    notice.refresh_from_db()
    assert notice.status == "sent" and "/settings/confirm/" not in notice.body_text
    address.refresh_from_db()
    assert len(address.confirmation_digest) == 64
    assert SettingsChange.objects.get().action == "address_added"


def test_the_confirmation_notice_is_not_in_the_shops_notifications(client_for, olivia):
    client = client_for(olivia)
    add(client)

    page = client.get(reverse("returns:notification_list")).content.decode()

    assert "No notifications yet." in page


def test_get_shows_a_confirm_button_and_post_confirms_without_a_login(client, client_for, olivia):
    add(client_for(olivia))
    path = sent_link()
    client.logout()

    shown = client.get(path)
    assert shown.status_code == 200
    assert NotificationAddress.objects.get().confirmed_at is None  # a mail scanner changes nothing

    done = client.post(path)

    assert done.status_code == 200
    address = NotificationAddress.objects.get()
    assert address.confirmed_at is not None and address.confirmation_digest == ""
    change = SettingsChange.objects.get(action="address_confirmed")
    assert change.actor is None


def test_a_used_link_is_refused_the_second_time(client, client_for, olivia):
    add(client_for(olivia))
    path = sent_link()
    client.post(path)

    replay = client.post(path)

    assert replay.status_code == 400
    assert "already confirmed" in replay.content.decode()
    assert SettingsChange.objects.filter(action="address_confirmed").count() == 1


def test_a_tampered_link_is_refused(client, client_for, olivia):
    add(client_for(olivia))
    path = sent_link()
    tampered = path[:-3] + ("A" if path[-3] != "A" else "B") + path[-2:]

    response = client.post(tampered)

    assert response.status_code == 400
    assert "not valid" in response.content.decode()
    assert NotificationAddress.objects.get().confirmed_at is None


def test_an_expired_link_is_refused(client, client_for, olivia):
    add(client_for(olivia))
    path = sent_link()

    with time_machine.travel(timezone.now() + timedelta(hours=49)):
        response = client.post(path)

    assert response.status_code == 400
    assert "expired" in response.content.decode()
    assert NotificationAddress.objects.get().confirmed_at is None


def test_a_new_link_replaces_the_old_one(client, client_for, olivia):
    owner = client_for(olivia)
    add(owner)
    first = sent_link()
    address = NotificationAddress.objects.get()
    with time_machine.travel(timezone.now() + timedelta(minutes=2)):
        owner.post(reverse("settings:resend_address", args=[address.pk]))
        second = sent_link()

    assert client.post(first).status_code == 400
    assert client.post(second).status_code == 200


def test_notices_go_to_the_confirmed_addresses_only_in_one_message(
    client, client_for, olivia, seller_a, provider_x
):
    owner = client_for(olivia)
    add(owner, "night@shop-a.example")
    client.post(sent_link())
    add(owner, "unconfirmed@shop-a.example")
    mail.outbox.clear()

    awaiting_package(seller_a, provider_x)
    outbox.deliver_notifications()

    (message,) = [m for m in mail.outbox if "destroyed" in m.subject]
    assert message.to == [seller_a.contact_email, "night@shop-a.example"]
    notice = Notification.objects.get(kind="destruction_notice")
    assert notice.recipients == [seller_a.contact_email, "night@shop-a.example"]
    assert message.extra_headers["Message-ID"] == outbox.message_id(notice)


def test_the_primary_address_cannot_be_removed_while_it_is_the_only_one(
    client, client_for, olivia, seller_a
):
    owner = client_for(olivia)
    add(owner)  # not confirmed yet: it cannot take over

    owner.post(reverse("settings:remove_primary"))

    seller_a.refresh_from_db()
    assert seller_a.contact_email == "shop-a@shops.example"

    client.post(sent_link())
    owner.post(reverse("settings:remove_primary"))

    seller_a.refresh_from_db()
    assert seller_a.contact_email == "night@shop-a.example"
    assert not NotificationAddress.objects.exists()
    assert SettingsChange.objects.get(action="primary_changed").changes == {
        "contact_email": ["shop-a@shops.example", "night@shop-a.example"]
    }


def test_at_most_five_addresses_and_no_duplicates(client_for, olivia, seller_a):
    owner = client_for(olivia)
    for n in range(4):
        add(owner, f"team{n}@shop-a.example")

    fifth = add(owner, "team9@shop-a.example")
    again = add(owner, "SHOP-A@shops.example")

    assert fifth.status_code == 400 and "at most 5" in fifth.content.decode()
    assert again.status_code == 400 and "already on the list" in again.content.decode()
    assert NotificationAddress.objects.count() == 4


def test_a_removed_address_receives_nothing_more(client, client_for, olivia, seller_a, provider_x):
    owner = client_for(olivia)
    add(owner)
    client.post(sent_link())

    owner.post(reverse("settings:remove_address", args=[NotificationAddress.objects.get().pk]))
    awaiting_package(seller_a, provider_x)

    assert Notification.objects.get(kind="destruction_notice").also_to == ""


def test_a_confirmation_still_waiting_is_not_sent_once_its_address_is_removed(client_for, olivia):
    owner = client_for(olivia)
    add(owner)

    owner.post(reverse("settings:remove_address", args=[NotificationAddress.objects.get().pk]))
    outbox.deliver_notifications()

    assert Notification.objects.get(kind="address_confirmation").status == "muted"
    assert mail.outbox == []


def test_another_sellers_address_is_a_404(client_for, olivia, oscar):
    add(client_for(oscar), "theirs@shop-b.example")
    theirs = NotificationAddress.objects.get()
    client = client_for(olivia)

    for name in ("resend_address", "remove_address"):
        assert client.post(reverse(f"settings:{name}", args=[theirs.pk])).status_code == 404
    assert NotificationAddress.objects.filter(pk=theirs.pk).exists()


def test_only_the_digest_of_the_nonce_is_stored(client_for, olivia):
    add(client_for(olivia))
    path = sent_link()
    address = NotificationAddress.objects.get()

    assert address.confirmation_digest not in path
    assert address.confirmation_digest != digest_of(path)


def test_the_confirm_page_reads_a_fixed_number_of_rows(
    client, client_for, olivia, django_assert_num_queries
):
    add(client_for(olivia))
    path = sent_link()
    client.logout()

    with django_assert_num_queries(1):  # the address with its shop (no session yet)
        assert client.get(path).status_code == 200
