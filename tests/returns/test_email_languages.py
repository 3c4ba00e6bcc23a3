"""Every email in its recipient's language: the seller's, or the provider's for ops emails,
whoever caused it and whenever it is rendered; its links keep that language."""

from datetime import timedelta
from pathlib import Path

import pytest
from django.conf import settings
from django.core import mail
from django.urls import reverse
from django.utils import timezone, translation

from portal.emails import email_headers, render_email
from returns import emails, outbox, tasks
from returns.models import Notification
from tests.builders import awaiting_package, question_ticket
from tests.factories import PackageFactory, UserFactory
from tests.helpers import as_sent
from tickets.services import reply_as_staff

SPY = "{% load i18n %}{% get_current_language as language %}rendered in {{ language }}"
SPIED_KINDS = ["destruction_notice", "destruction_instruction", "destruction_finalized"]


@pytest.fixture
def spy_templates(settings, tmp_path: Path) -> None:
    """Email templates that say which language they were rendered in, before the real ones."""
    for kind in [*SPIED_KINDS, "spy"]:
        folder = tmp_path / "emails" / kind
        folder.mkdir(parents=True)
        for name in ["subject.txt", "body.txt", "body.html"]:
            (folder / name).write_text(SPY, "utf-8")
    for name in ["password_reset_subject.txt", "password_reset_email.txt"]:
        (tmp_path / "registration").mkdir(exist_ok=True)
        (tmp_path / "registration" / name).write_text(SPY, "utf-8")
    (tmp_path / "registration" / "password_reset_email.html").write_text(SPY, "utf-8")
    settings.TEMPLATES = [
        {**engine, "DIRS": [tmp_path, *engine["DIRS"]]} for engine in settings.TEMPLATES
    ]


@pytest.fixture
def thai_seller(seller_a):
    seller_a.language = "th"
    seller_a.save()
    return seller_a


@pytest.fixture
def indonesian_provider(provider_x):
    provider_x.language = "id"
    provider_x.save()
    return provider_x


def test_render_email_renders_every_part_in_the_language_asked(spy_templates):
    email = render_email("spy", {}, language="zh-hans")

    assert (email.subject, email.text, email.html) == (
        "rendered in zh-hans",
        "rendered in zh-hans\n",
        "rendered in zh-hans",
    )
    assert email.language == "zh-hans"


@pytest.mark.parametrize("code", ["de", "xx", "", None])
def test_an_unknown_recipient_language_gives_english(spy_templates, code):
    email = render_email("spy", {}, language=code)

    assert (email.subject, email.language) == ("rendered in en", "en")


def test_the_headers_name_the_language_as_mail_readers_expect():
    assert email_headers("zh-hans") == {"Content-Language": "zh-Hans"}
    assert email_headers("th") == {"Content-Language": "th"}
    assert email_headers("de") == {"Content-Language": "en"}


def test_a_sellers_notice_is_in_the_sellers_language_whoever_acted(
    spy_templates, thai_seller, indonesian_provider
):
    with translation.override("vi"):  # the language of the request that caused it
        package = awaiting_package(thai_seller, indonesian_provider)
        notice = Notification.objects.get(package=package, kind="destruction_notice")
        as_sent(notice)  # rendered as the outbox sends it, whatever language is active

    assert notice.language == "th"
    assert notice.subject == "rendered in th"
    assert translation.get_language() == settings.LANGUAGE_CODE


def test_an_ops_email_is_in_the_providers_language(spy_templates, thai_seller, indonesian_provider):
    package = PackageFactory(seller=thai_seller, provider=indonesian_provider)

    notice = emails.destruction_instruction(package)

    assert (notice.language, notice.subject) == ("id", "rendered in id")


def test_the_links_of_an_ops_email_keep_the_providers_language(thai_seller, indonesian_provider):
    package = PackageFactory(seller=thai_seller, provider=indonesian_provider)

    notice = emails.destruction_instruction(package)

    assert f"/admin/returns/failedpackage/{package.pk}/change/?lang=id" in notice.body_text


def test_the_links_of_a_sellers_notice_keep_the_sellers_language(thai_seller, provider_x):
    package = awaiting_package(thai_seller, provider_x)

    notice = as_sent(Notification.objects.get(package=package, kind="destruction_notice"))
    assert f"/packages/{package.public_id}/?lang=th" in notice.body_text
    assert f"/tickets/new/?package={package.public_id}&amp;lang=th" in notice.body_html


def test_notices_written_in_bulk_are_rendered_later_in_each_recipients_language(
    spy_templates, thai_seller, indonesian_provider
):
    package = PackageFactory(
        provider=indonesian_provider,
        seller=thai_seller,
        awaiting=True,
        claim_deadline=timezone.now() - timedelta(minutes=5),
    )
    tasks.finalize_expired_windows()
    written = {n.kind: n for n in Notification.objects.filter(package=package)}
    assert written["destruction_finalized"].language == "th"
    assert written["destruction_instruction"].language == "id"
    assert written["destruction_finalized"].subject == ""  # rendered when sent

    with translation.override("vi"):
        outbox.deliver_notifications()

    sent = {n.kind: n for n in Notification.objects.filter(package=package)}
    assert sent["destruction_finalized"].subject == "rendered in th"
    assert sent["destruction_instruction"].subject == "rendered in id"


def test_a_ticket_reply_goes_to_the_seller_in_theirs_and_a_new_ticket_to_ops_in_theirs(
    thai_seller, indonesian_provider, xavier
):
    xavier.provider = indonesian_provider
    xavier.save()
    seller_user = UserFactory(email="somchai@shop-a.example", seller=thai_seller)
    package = awaiting_package(thai_seller, indonesian_provider)
    ticket = question_ticket(package, seller_user)
    reply_as_staff(ticket=ticket, author=xavier, body="It is on shelf B-07.")

    created = Notification.objects.get(kind="ticket_created")
    reply = Notification.objects.get(kind="ticket_reply", audience="seller")
    assert created.language == "id"
    assert "?lang=id" in created.body_text
    assert reply.language == "th"
    assert f"/tickets/{ticket.reference}/?lang=th" in reply.body_text


def test_the_password_reset_email_is_in_the_users_language(spy_templates, client, thai_seller):
    UserFactory(email="somchai@shop-a.example", seller=thai_seller)

    client.post(
        reverse("password_reset"), {"email": "somchai@shop-a.example"}, HTTP_ACCEPT_LANGUAGE="en"
    )

    [sent] = mail.outbox
    assert sent.subject == "rendered in th"
    assert sent.body == "rendered in th"
    assert sent.extra_headers["Content-Language"] == "th"


def test_a_password_reset_for_a_user_with_no_language_follows_the_page(
    spy_templates, client, operator
):
    client.post(reverse("password_reset"), {"email": operator.email}, HTTP_ACCEPT_LANGUAGE="ms")

    [sent] = mail.outbox
    assert (sent.subject, sent.extra_headers["Content-Language"]) == ("rendered in ms", "ms")


def test_every_email_the_outbox_sends_carries_its_content_language(thai_seller, provider_x):
    awaiting_package(thai_seller, provider_x)

    outbox.deliver_notifications()

    [sent] = [m for m in mail.outbox if m.to == [thai_seller.contact_email]]
    assert sent.extra_headers["Content-Language"] == "th"


def test_the_html_part_names_its_language_for_mail_readers(thai_seller, provider_x, client):
    thai_seller.language = "zh-hans"
    thai_seller.save()
    package = awaiting_package(thai_seller, provider_x)
    UserFactory(email="li@shop-a.example", seller=thai_seller)

    client.post(reverse("password_reset"), {"email": "li@shop-a.example"})

    notice = as_sent(Notification.objects.get(package=package, kind="destruction_notice"))
    assert notice.body_html.startswith('<!doctype html>\n<html lang="zh-Hans">')
    [(html, _type)] = mail.outbox[0].alternatives
    assert '<html lang="zh-Hans">' in html
