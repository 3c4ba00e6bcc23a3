"""One connection to the email server for a batch, and what a failed send means.

A send that fails did one of three things, and each is handled differently:

- it never reached the server's DATA step (the server had closed an idle
  session, or hung up between two messages): the message was provably not
  transmitted, so it is sent again at once on a new connection;
- it failed once DATA had started (the connection dropped while the message
  went out, or before the server's answer): the server may have it, so it is
  `Uncertain` and must not be sent again at once;
- the server answered with a refusal (a bad recipient, a rejected message):
  the send failed, and the caller backs off as for any error.
"""

import contextlib
import logging
import smtplib
from typing import TYPE_CHECKING

from django.conf import settings
from django.core import mail
from django.core.mail.message import sanitize_address

from returns.outbox import mime

if TYPE_CHECKING:
    from typing_extensions import Buffer

logger = logging.getLogger(__name__)


class Unreachable(Exception):
    """The email server could not be connected to (refused, timed out, bad TLS or login)."""


class Uncertain(Exception):
    """The connection was lost after DATA started: the server may have the message."""


def describe(exc: BaseException) -> str:
    return f"{type(exc).__name__}: {exc}"[:2000]


def _lost_connection(exc: Exception) -> bool:
    """A failure of the session itself rather than an answer about this message."""
    if isinstance(exc, smtplib.SMTPServerDisconnected):
        return True
    if isinstance(exc, smtplib.SMTPResponseException):
        return exc.smtp_code == 421  # "service not available, closing the channel"
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        return any(code == 421 for code, _ in exc.recipients.values())
    # SMTPException is an OSError too: only the socket's own errors are left here.
    return isinstance(exc, OSError) and not isinstance(exc, smtplib.SMTPException)


class Transport:
    """The configured email backend, opened once and reopened when the server hangs up.

    Messages go through the backend's own `send_messages`, so Django still does
    everything it does (TLS or SSL, login, timeouts, address encoding, and the
    in-memory or file backends of tests and development). What the backend
    cannot say is whether a lost connection happened before the message went
    out. smtplib's `sendmail` calls the connection's `data()` only once the
    envelope was accepted, so the transport wraps that one method on the open
    connection and notes that DATA started. A wrapper on the live object, rather
    than a subclass: the backend picks `SMTP` or `SMTP_SSL` itself.

    On an SMTP connection, a notice goes out as the bytes `mime` builds, the ones
    Django's `_send` would build, to the same sanitized envelope.
    """

    def __init__(self) -> None:
        self.backend = mail.get_connection()
        self._data_started = False
        self._broken = False

    def open(self) -> None:
        try:
            self.backend.open()
        except Exception as exc:  # refused, timed out, TLS or login failed: all "unreachable"
            self.close()
            raise Unreachable(describe(exc)) from exc
        smtp = getattr(self.backend, "connection", None)
        if isinstance(smtp, smtplib.SMTP):
            data = smtp.data

            def watched_data(msg: "Buffer | str") -> tuple[int, bytes]:
                self._data_started = True
                return data(msg)

            smtp.data = watched_data  # type: ignore[method-assign]  # to see DATA start
        self._broken = False

    def close(self) -> None:
        # Closing a connection the server already dropped fails in new ways; it is gone.
        with contextlib.suppress(Exception):
            self.backend.close()

    def _reopen(self) -> None:
        self.close()
        self.open()

    def _send(self, message: mail.EmailMultiAlternatives) -> None:
        smtp = getattr(self.backend, "connection", None)
        raw = mime.as_bytes(message) if isinstance(smtp, smtplib.SMTP) else None
        if smtp is None or raw is None:
            self.backend.send_messages([message])
            return
        # What the backend's own _send does with the message's bytes.
        encoding = message.encoding or settings.DEFAULT_CHARSET
        smtp.sendmail(
            sanitize_address(message.from_email, encoding),
            [sanitize_address(address, encoding) for address in message.recipients()],
            raw,
        )

    def send(self, message: mail.EmailMultiAlternatives) -> None:
        """Send one message; raises `Uncertain`, `Unreachable`, or the server's refusal.

        A connection lost before DATA is reopened and the message sent once more.
        """
        for last_try in (False, True):
            if self._broken:
                self._reopen()
            self._data_started = False
            try:
                self._send(message)
            except Exception as exc:
                if not _lost_connection(exc):
                    raise
                self._broken = True
                if self._data_started:
                    # A 421 answer to the message is a refusal; a silence is not.
                    if isinstance(exc, smtplib.SMTPResponseException):
                        raise
                    raise Uncertain(describe(exc)) from exc
                if last_try:
                    raise
                logger.info("Email server closed the session before DATA (%s): reconnecting", exc)
            else:
                return
