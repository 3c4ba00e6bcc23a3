"""For each language: every seller page and every email kind for a seller who reads it.

No English msgid may show in what the reader sees (data such as tracking
numbers and shop names excepted), `<html lang>` names the language, and every
email says it in Content-Language. They skip only while a catalog is absent:
an incomplete catalog fails them.
"""

import re

import pytest
from django.core import mail
from django.urls import reverse

from portal.confirmations import unsubscribe_token
from portal.languages import html_lang
from portal.models import NotificationAddress, ReturnAddress, SellerRole
from portal.shop import emails as settings_notices
from portal.shop import services as settings_services
from portal.team import services as team_services
from returns import emails as notices
from returns import outbox
from returns.models import Notification
from tests.builders import awaiting_package, destroyed_package, file_ticket, question_ticket
from tests.factories import UserFactory
from tests.i18n.languages import (
    TRANSLATED,
    data_strings,
    english_left,
    english_phrases,
    require_catalog,
    visible_text,
)
from tests.urlwalk import all_routes
from tickets import emails as ticket_notices
from tickets.services import reply_as_staff

pytestmark = pytest.mark.parametrize("code", TRANSLATED)

SELLER_PAGES = [
    route
    for route in all_routes()
    if route.name in {"home", "account"}
    or route.name.split(":")[0] in {"returns", "tickets", "settings", "team"}
]
NOT_PAGES = {"returns:destruction_photo", "tickets:attachment"}  # files, not text


@pytest.fixture
def world(code, seller_a, provider_x, alice, xavier, client_for):
    """A seller and a provider who read `code`, with a package and a ticket in every state."""
    require_catalog(code)
    seller_a.language = provider_x.language = code
    seller_a.save()
    provider_x.save()
    alice.seller_role = SellerRole.OWNER  # the settings pages too
    alice.save()
    saved = ReturnAddress.objects.create(
        seller=seller_a, label="Bang Rak", contact_name="Ann", phone="+66 2 1", address="1 Road"
    )
    settings_services.update_profile(
        seller=seller_a,
        actor=alice,
        values={"name": "Shop A2", "time_zone": "UTC", "language": code},
    )
    waiting = awaiting_package(seller_a, provider_x)
    destroyed = destroyed_package(seller_a, provider_x, staff=xavier)
    claimed = awaiting_package(seller_a, provider_x, description="Bluetooth speaker")
    file_ticket(client_for(alice), claimed)
    ticket = question_ticket(waiting, alice)
    reply_as_staff(ticket=ticket, author=xavier, body="It is on shelf B-07.")
    colleague = UserFactory(email="carol@shop-a.example", seller=seller_a, seller_role="member")
    invite = team_services.invite_colleague(
        seller=seller_a, email="dana@shop-a.example", role="member", invited_by=alice, language=code
    )
    invitation = Notification.objects.get(kind=Notification.Kind.TEAM_INVITE).body_text
    return {
        "user_id": colleague.pk,
        "invite_id": invite.pk,
        "token": re.search(r"/team/join/([^/]+)/", invitation)[1],
        "public_id": waiting.public_id,
        "certificate": destroyed.public_id,
        "code": destroyed.certificate_code,  # the public check, /verify/<code>/
        "reference": ticket.reference,
        "notification_id": Notification.objects.for_user(alice).first().pk,
        "pk": saved.pk,
        "unsubscribe_token": unsubscribe_token(seller_a.pk, "reminder_emails"),
        "packages": (waiting, destroyed, claimed),
        "ticket": ticket,
    }


def _pages(world, client):
    for route in SELLER_PAGES:
        if route.name in NOT_PAGES:
            continue
        values = dict(world)
        if route.name in {"returns:certificate", "returns:certificate_pdf"}:
            values["public_id"] = world["certificate"]
        if route.name == "settings:unsubscribe":
            values["token"] = world["unsubscribe_token"]
        url = reverse(route.name, kwargs={name: values[name] for name in route.params})
        response = client.get(url)
        if response.status_code == 200 and "html" in response["Content-Type"]:
            yield url, response


def test_no_english_shows_on_any_seller_page(code, world, client_for, alice, client):
    phrases, data = english_phrases(code), data_strings()
    pages = dict(_pages(world, client_for(alice)))
    client.logout()
    for url in ["/accounts/login/", "/accounts/password_reset/", "/no-such-page/"]:
        pages[url] = client.get(f"{url}?lang={code}")

    assert len(pages) >= 10
    for url, response in pages.items():
        text = response.content.decode()
        assert re.search(r'<html lang="([^"]+)"', text)[1] == html_lang(code), url
        assert english_left(visible_text(text), phrases, data) == [], url


def _every_kind(world):
    waiting, destroyed, claimed = world["packages"]
    ticket = world["ticket"]
    opening = ticket.messages.first()
    notices.deadline_reminder(waiting, hours_before=72)
    notices.rejection_notice(waiting)
    notices.release_confirmed(waiting)
    notices.destruction_finalized(waiting)
    notices.claim_withdrawn(claimed, reason="The courier could not reach you.")
    notices.returned(claimed)
    notices.destruction_instruction(waiting)
    notices.claim_received(claimed, ticket_reference=ticket.reference, note="Mornings")
    notices.destruction_overdue(destroyed)
    notices.instruction_applied(claimed, rule="send_back", ticket_reference=ticket.reference)
    notices.instruction_undone(waiting, undone="released")
    ticket_notices.seller_replied(ticket, opening)
    ticket_notices.ticket_overdue(ticket, waiting_hours=30)
    address = NotificationAddress.objects.create(
        seller=waiting.seller, email="night@shop-a.example"
    )
    settings_notices.address_confirmation(address, sent_at=waiting.failed_at)


def test_every_email_kind_reaches_its_reader_in_their_language(code, world, client):
    _every_kind(world)
    outbox.deliver_notifications()
    client.post(reverse("password_reset"), {"email": "alice@shop-a.example"})
    phrases, data = english_phrases(code), data_strings()

    kinds = set(Notification.objects.values_list("kind", flat=True))
    assert kinds == set(Notification.Kind.values)
    assert len(mail.outbox) >= len(kinds)
    for sent in mail.outbox:
        label = f"{sent.subject!r} to {sent.to}"
        assert sent.extra_headers.get("Content-Language") == html_lang(code), label
        [(html, _type)] = sent.alternatives
        assert f'lang="{html_lang(code)}"' in html, label
        for part in (sent.subject, sent.body, visible_text(html)):
            assert english_left(part, phrases, data) == [], label
