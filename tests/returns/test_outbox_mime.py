"""The bytes the outbox sends over SMTP are the bytes Django's own message would send.

`returns.outbox.mime` builds them without Django's tree of MIME objects; each case here
holds it to `EmailMessage.message().as_bytes()`, the date and the random boundary aside."""

import re
from email.utils import parseaddr
from unittest import mock

import pytest
from django.core import mail
from django.utils import timezone

from portal.languages import html_lang
from portal.models import NotificationAddress
from returns import emails, outbox
from returns.models import Notification
from returns.outbox import mime
from tests.factories import PackageFactory
from tests.i18n.languages import require_catalog
from tests.returns.sinks import Sink, running, use_smtp

DATE = "Wed, 02 Dec 2026 02:15:48 -0000"
BOUNDARY = re.compile(rb'boundary="([^"]+)"')


def same_date():
    """Both builders stamp the same Date."""
    return mock.patch.multiple(
        "django.core.mail.message", formatdate=mock.Mock(return_value=DATE)
    ), mock.patch.object(mime, "formatdate", mock.Mock(return_value=DATE))


def without_boundary(raw: bytes) -> bytes:
    [boundary] = set(BOUNDARY.findall(raw))
    return raw.replace(boundary, b"BOUNDARY")


def django_and_outbox(message: mail.EmailMultiAlternatives) -> tuple[bytes, bytes]:
    django_dates, outbox_dates = same_date()
    with django_dates, outbox_dates:
        built = mime.as_bytes(message)
        assert built is not None
        return (
            without_boundary(message.message().as_bytes(linesep="\r\n")),
            without_boundary(built),
        )


def built_for(notification: Notification) -> mail.EmailMultiAlternatives:
    notification.refresh_from_db()
    return outbox._message(notification)


@pytest.mark.parametrize("language", ["en", "th", "id", "vi", "ms", "zh-hans"])
def test_each_language_s_notice_is_the_same_bytes(settings, provider_x, seller_a, language):
    if language != "en":
        require_catalog(language)
    seller_a.language = language
    seller_a.save()
    NotificationAddress.objects.create(
        seller=seller_a, email="warehouse@shop.example", confirmed_at=timezone.now()
    )
    package = PackageFactory(provider=provider_x, seller=seller_a, awaiting=True)
    # A reminder: an optional email, with its List-Unsubscribe headers.
    notice = emails.deadline_reminder(package, hours_before=24)

    django_bytes, outbox_bytes = django_and_outbox(built_for(notice))

    assert outbox_bytes == django_bytes
    assert b"List-Unsubscribe-Post: List-Unsubscribe=One-Click\r\n" in outbox_bytes
    assert f"Content-Language: {html_lang(language)}\r\n".encode() in outbox_bytes


def test_long_and_non_ascii_headers_and_any_line_ending_are_the_same_bytes(settings):
    settings.DEFAULT_FROM_EMAIL = "Cổng hoàn hàng của Swiftlane <noreply@returns.example>"
    message = mail.EmailMultiAlternatives(
        subject="Paket TRK00000001 dan " + "sebuah subjek yang sangat panjang " * 4,
        body="Baris satu\r\nbaris dua\rbaris tiga\n\nพัสดุ ✓\n",
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=["ร้าน ก <a@shop.example>", "b@shop.example"],
        headers={"Message-ID": "<notification-7@returns.example>", "Content-Language": "th"},
    )
    message.attach_alternative("<p>พัสดุ</p>\n<p>two</p>", "text/html")

    django_bytes, outbox_bytes = django_and_outbox(message)

    assert outbox_bytes == django_bytes


def test_a_message_of_another_shape_is_left_to_django():
    def notice(**changes) -> mail.EmailMultiAlternatives:
        message = mail.EmailMultiAlternatives(
            subject="s", body="text", to=["a@shop.example"], headers={"Message-ID": "<m@x>"}
        )
        message.attach_alternative("<p>html</p>", "text/html")
        for name, value in changes.items():
            setattr(message, name, value)
        return message

    assert mime.as_bytes(notice()) is not None
    too_long = "x" * 999  # Django sends this part quoted-printable
    for changes in [
        {"body": too_long},
        {"cc": ["c@shop.example"]},
        {"attachments": [("a.txt", "a", "text/plain")]},
        {"encoding": "iso-8859-1"},
        {"extra_headers": {}},
    ]:
        assert mime.as_bytes(notice(**changes)) is None, changes


def test_the_smtp_server_receives_the_notice_django_would_send(settings, provider_x, seller_a):
    seller_a.language = "th"
    seller_a.save()
    notice = emails.destruction_notice(
        PackageFactory(provider=provider_x, seller=seller_a, awaiting=True)
    )
    received = []

    class Keeps(Sink):
        async def handle_DATA(self, server, session, envelope) -> str:
            received.append((envelope.mail_from, envelope.rcpt_tos, envelope.content))
            return "250 OK"

    django_dates, outbox_dates = same_date()
    with running(Keeps()) as (host, port), django_dates, outbox_dates:
        use_smtp(settings, host, port)
        assert outbox.deliver_notifications().sent == 1
        expected = built_for(notice).message().as_bytes(linesep="\r\n")

    [(sender, recipients, content)] = received
    assert (sender, recipients) == (
        parseaddr(settings.DEFAULT_FROM_EMAIL)[1],
        [seller_a.contact_email],
    )
    assert without_boundary(content) == without_boundary(expected)
