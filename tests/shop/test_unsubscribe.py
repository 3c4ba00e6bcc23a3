"""Optional emails carry RFC 8058 one-click unsubscribe; the policy's notices never do."""

import re

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse

from portal.confirmations import unsubscribe_token
from portal.models import SettingsChange
from returns import emails, outbox
from returns.models import Notification
from tests.builders import awaiting_package, file_ticket
from tickets.models import Ticket
from tickets.services import reply_as_seller, reply_as_staff


@pytest.fixture
def reminder(seller_a, provider_x):
    package = awaiting_package(seller_a, provider_x)
    emails.deadline_reminder(package, hours_before=24)
    mail.outbox.clear()
    outbox.deliver_notifications()
    notice = Notification.objects.get(kind="deadline_reminder")
    return next(m for m in mail.outbox if m.subject == notice.subject)


def unsubscribe_url(message) -> str:
    header = message.extra_headers["List-Unsubscribe"]
    return re.fullmatch(r"<https://returns\.example(/settings/unsubscribe/[^>]+)>", header).group(1)


def test_a_reminder_carries_one_click_unsubscribe_and_the_destruction_notice_does_not(
    reminder, seller_a
):
    assert reminder.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert unsubscribe_url(reminder)
    notice = Notification.objects.get(kind="destruction_notice")
    sent = [m for m in mail.outbox if m.extra_headers["Message-ID"] == outbox.message_id(notice)]
    assert all("List-Unsubscribe" not in m.extra_headers for m in sent)


def test_the_reminder_also_shows_the_link_to_a_person(reminder):
    url = reminder.extra_headers["List-Unsubscribe"].strip("<>")

    assert f"Turn off these emails: {url}" in reminder.body
    assert url.replace("&", "&amp;") in reminder.alternatives[0][0]


def test_the_one_click_post_turns_reminders_off_without_a_login(reminder, seller_a):
    mail_client = Client(enforce_csrf_checks=True)  # as a mail client posts: no session, no token

    response = mail_client.post(
        unsubscribe_url(reminder),
        "List-Unsubscribe=One-Click",
        content_type="application/x-www-form-urlencoded",
    )

    assert response.status_code == 200
    seller_a.refresh_from_db()
    assert seller_a.reminder_emails is False and seller_a.ticket_reply_emails is True
    change = SettingsChange.objects.get()
    assert change.actor is None and change.changes == {"reminder_emails": [True, False]}


def test_get_only_shows_a_confirm_page(reminder, seller_a):
    response = Client().get(unsubscribe_url(reminder))

    assert response.status_code == 200
    assert "Turn them off" in response.content.decode()
    seller_a.refresh_from_db()
    assert seller_a.reminder_emails is True


def test_a_tampered_unsubscribe_link_changes_nothing(seller_a):
    token = unsubscribe_token(seller_a.pk, "reminder_emails")

    response = Client().post(reverse("settings:unsubscribe", args=[token[:-2] + "xx"]))

    assert response.status_code == 400
    seller_a.refresh_from_db()
    assert seller_a.reminder_emails is True


def test_a_signed_link_cannot_turn_off_the_destruction_notice(seller_a):
    token = unsubscribe_token(seller_a.pk, "contact_email")

    assert Client().post(reverse("settings:unsubscribe", args=[token])).status_code == 400


def test_a_turned_off_reminder_stays_in_the_portal_and_is_not_emailed(seller_a, provider_x):
    seller_a.reminder_emails = False
    seller_a.save()
    package = awaiting_package(seller_a, provider_x)
    emails.deadline_reminder(package, hours_before=24)
    mail.outbox.clear()

    outbox.deliver_notifications()
    outbox.deliver_notifications()

    notice = Notification.objects.get(kind="deadline_reminder")
    assert notice.status == "muted"
    assert not [m for m in mail.outbox if m.subject == notice.subject]


def test_the_unsubscribe_page_reads_a_fixed_number_of_rows(seller_a, django_assert_num_queries):
    token = unsubscribe_token(seller_a.pk, "ticket_reply_emails")

    with django_assert_num_queries(1):  # the shop
        assert Client().get(reverse("settings:unsubscribe", args=[token])).status_code == 200


def test_a_turned_off_ticket_reply_is_not_emailed_but_the_providers_copy_is(
    client_for, alice, xavier, seller_a, provider_x
):
    seller_a.ticket_reply_emails = False
    seller_a.save()
    package = awaiting_package(seller_a, provider_x)
    file_ticket(client_for(alice), package)
    ticket = Ticket.objects.get()

    reply_as_staff(ticket=ticket, author=xavier, body="On its way tomorrow.")
    reply_as_seller(ticket=ticket, author=alice, body="Thank you.")

    replies = dict(
        Notification.objects.filter(kind="ticket_reply").values_list("audience", "status")
    )
    assert replies == {"seller": "muted", "provider": "pending"}
