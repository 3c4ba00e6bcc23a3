"""The outbox against a real SMTP server: a local aiosmtpd sink on a free port."""

import email
import socket

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.handlers import Message

from returns import emails, outbox
from tests.factories import PackageFactory


class Sink(Message):
    def __init__(self):
        super().__init__()
        self.messages: list[email.message.Message] = []

    def handle_message(self, message):
        self.messages.append(message)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def smtp_sink(settings):
    sink = Sink()
    controller = Controller(sink, hostname="127.0.0.1", port=free_port())
    controller.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = controller.hostname, controller.port
    settings.EMAIL_USE_TLS = False
    yield sink
    controller.stop()


def test_notices_arrive_over_smtp_as_multipart_text_and_html(smtp_sink, provider_x, seller_a):
    for _ in range(3):
        emails.destruction_notice(
            PackageFactory(provider=provider_x, seller=seller_a, awaiting=True)
        )

    summary = outbox.deliver_notifications()

    assert summary.sent == 3
    assert len(smtp_sink.messages) == 3
    message = smtp_sink.messages[0]
    assert message["To"] == seller_a.contact_email
    assert message["Message-ID"].startswith("<notification-")
    assert [part.get_content_type() for part in message.walk()] == [
        "multipart/alternative",
        "text/plain",
        "text/html",
    ]


def test_an_unreachable_server_leaves_every_notice_pending(settings, provider_x, seller_a):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", free_port(), 2
    notice = emails.destruction_notice(
        PackageFactory(provider=provider_x, seller=seller_a, awaiting=True)
    )

    summary = outbox.deliver_notifications()

    assert summary.sent == 0
    assert "unreachable" in summary.errors[0]
    notice.refresh_from_db()
    assert (notice.status, notice.attempts) == ("pending", 0)
