"""Local SMTP servers for the outbox tests: aiosmtpd on a free port, each failing one way."""

import email
import socket
import threading
from collections import Counter
from contextlib import contextmanager

from aiosmtpd.controller import Controller


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Sink:
    """Accepts every message and keeps it."""

    def __init__(self) -> None:
        self.messages: list[email.message.Message] = []

    def keep(self, envelope) -> email.message.Message:
        message = email.message_from_bytes(envelope.content)
        self.messages.append(message)
        return message

    def copies(self) -> Counter:
        """How many copies of each Message-ID arrived."""
        return Counter(message["Message-ID"] for message in self.messages)

    async def handle_DATA(self, server, session, envelope) -> str:
        self.keep(envelope)
        return "250 OK"


class DropsAfterData(Sink):
    """Keeps the message, then hangs up instead of answering: the sender cannot know.

    Drops the first `drops` deliveries of each Message-ID (every one, if None).
    """

    def __init__(self, drops: int | None = 1) -> None:
        super().__init__()
        self.drops = drops

    async def handle_DATA(self, server, session, envelope) -> str:
        message = self.keep(envelope)
        if self.drops is None or self.copies()[message["Message-ID"]] <= self.drops:
            server.transport.abort()
        return "250 OK"


class ClosesIdleSessions(Sink):
    """One message per session: the next MAIL is answered 421, as a server that closed
    an idle session answers the next command (smtplib then hangs up itself)."""

    async def handle_MAIL(self, server, session, envelope, address, mail_options) -> str:
        if getattr(session, "delivered", False):
            return "421 4.4.2 closing idle session"
        envelope.mail_from = address
        envelope.mail_options.extend(mail_options)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope) -> str:
        session.delivered = True
        return await super().handle_DATA(server, session, envelope)


class Pauses(Sink):
    """Holds the sender at one point of the `nth` message until the test lets it go.

    `at="mail"`: the earlier messages are answered, this one's envelope not yet;
    `at="data"`: this message is kept, its answer not yet sent.
    """

    def __init__(self, nth: int, at: str) -> None:
        super().__init__()
        self.nth, self.at = nth, at
        self.reached, self.go_on = threading.Event(), threading.Event()
        self._mails = 0

    def _pause(self) -> None:
        self.reached.set()
        self.go_on.wait(timeout=60)

    async def handle_MAIL(self, server, session, envelope, address, mail_options) -> str:
        self._mails += 1
        if self.at == "mail" and self._mails == self.nth:
            self._pause()
        envelope.mail_from = address
        envelope.mail_options.extend(mail_options)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope) -> str:
        self.keep(envelope)
        if self.at == "data" and len(self.messages) == self.nth:
            self._pause()
        return "250 OK"


@contextmanager
def running(handler: Sink):
    """The server, started on a free port; yields its (host, port)."""
    controller = Controller(handler, hostname="127.0.0.1", port=free_port())
    controller.start()
    try:
        yield controller.hostname, controller.port
    finally:
        if isinstance(handler, Pauses):
            handler.go_on.set()
        controller.stop()


def use_smtp(settings, host: str, port: int) -> None:
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = host, port
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    settings.EMAIL_TIMEOUT = 5
