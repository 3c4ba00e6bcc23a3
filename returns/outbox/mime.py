"""A notice's email as bytes, the very bytes Django would send, built in a tenth of the time.

Django builds a tree of `email.message` objects for each message and flattens it
with the email package's generator, which folds every header again (14 per
notice), and compiles a regular expression for each boundary it draws: 1.5-2 ms
a notice, as much as the SMTP exchange. A notice always has the same shape (a
text part and an HTML alternative in UTF-8, a handful of headers), so here each
header line comes from the same stdlib folding Django's message goes through,
kept for the lines that repeat (MIME-Version, From, Content-Language, the parts'
headers), and the parts are written as the generator writes them.

A message of any other shape (attachments, copies, another charset, a line too
long for SMTP, which Django sends quoted-printable) is left to Django: `as_bytes`
returns None for it. tests/returns/test_outbox_mime.py holds both to the same bytes.
"""

import random
import re
import sys
from email import policy
from email.utils import formatdate
from functools import lru_cache

from django.conf import settings
from django.core import mail
from django.core.mail.message import RFC5322_EMAIL_LINE_LENGTH_LIMIT, forbid_multi_line_headers

CRLF = "\r\n"
# What BytesGenerator(policy=compat32).flatten(linesep="\r\n") folds with.
_POLICY = policy.compat32.clone(linesep=CRLF)
# The generator's own line breaks: any of the three becomes CRLF.
_NEWLINE = re.compile(r"\r\n|\r|\n")
# The boundary the generator would draw: fifteen "=", a random number as wide as
# sys.maxsize, "==".
_BOUNDARY_WIDTH = len(repr(sys.maxsize - 1))


@lru_cache(maxsize=512)
def _repeated(name: str, value: str) -> bytes:
    return header(name, value)


def header(name: str, value: str) -> bytes:
    """One header line as Django's message would carry it: encoded as `SafeMIMEMultipart`
    does (an encoded word for a non-ASCII value, an address's name encoded), folded as
    the generator folds it."""
    name, value = forbid_multi_line_headers(name, value, "utf-8")
    folded: bytes = _POLICY.fold_binary(name, value)
    return folded


def _boundary(text: str) -> str:
    """A boundary absent from the parts (the generator checks each line with a regular
    expression compiled anew for each boundary; absent anywhere is stricter)."""
    token = random.randrange(sys.maxsize)
    boundary = f"{'=' * 15}{token:0{_BOUNDARY_WIDTH}d}=="
    counter = 0
    candidate = boundary
    while f"--{candidate}" in text:
        candidate = f"{boundary}.{counter}"
        counter += 1
    return candidate


def _part(subtype: str, content: str) -> str | None:
    """A text part in UTF-8 as SafeMIMEText writes it: 7bit when ASCII, 8bit otherwise;
    None when a line is too long for SMTP (Django sends that part quoted-printable)."""
    encoded = content.encode("utf-8", "surrogateescape")
    if any(len(line) > RFC5322_EMAIL_LINE_LENGTH_LIMIT for line in encoded.splitlines()):
        return None
    cte = "7bit" if encoded.isascii() else "8bit"
    lines = _NEWLINE.split(content)
    # The generator ends each line but the last with CRLF, and writes the last if any.
    body = CRLF.join(lines)
    return (
        f'Content-Type: text/{subtype}; charset="utf-8"{CRLF}'
        f"MIME-Version: 1.0{CRLF}"
        f"Content-Transfer-Encoding: {cte}{CRLF}{CRLF}{body}"
    )


def _plain_shape(message: mail.EmailMultiAlternatives) -> bool:
    """The shape the outbox gives every notice, in the charset this builder writes."""
    return (
        (message.encoding or settings.DEFAULT_CHARSET) == "utf-8"
        and bool(message.body)
        and bool(message.to)
        and message.content_subtype == "plain"
        # A class attribute the stubs do not declare.
        and getattr(message, "alternative_subtype", None) == "alternative"
        and not message.attachments
        and not message.cc
        and not message.bcc
        and not message.reply_to
        and len(message.alternatives) == 1
        and message.alternatives[0][1] == "text/html"
        and {"date", "from", "to", "subject", "content-type", "mime-version"}.isdisjoint(
            name.lower() for name in message.extra_headers
        )
        and "message-id" in (name.lower() for name in message.extra_headers)
    )


def as_bytes(message: mail.EmailMultiAlternatives) -> bytes | None:
    """`message.message().as_bytes(linesep="\\r\\n")`, for a notice's shape; else None."""
    if not _plain_shape(message):
        return None
    text = _part("plain", str(message.body))
    html = _part("html", str(message.alternatives[0][0]))
    if text is None or html is None:
        return None
    boundary = _boundary(f"{text}{CRLF}{html}")
    lines = [
        header("Content-Type", f'multipart/alternative; boundary="{boundary}"'),
        _repeated("MIME-Version", "1.0"),
        header("Subject", str(message.subject)),
        _repeated("From", str(message.from_email)),
        header("To", ", ".join(str(address) for address in message.to)),
        _repeated("Date", formatdate(localtime=settings.EMAIL_USE_LOCALTIME)),
    ]
    for name, value in message.extra_headers.items():
        # The Message-ID and the unsubscribe link differ from notice to notice.
        if name.lower() in {"message-id", "list-unsubscribe"}:
            lines.append(header(name, str(value)))
        else:
            lines.append(_repeated(name, str(value)))
    body = f"{CRLF}--{boundary}{CRLF}{text}{CRLF}--{boundary}{CRLF}{html}{CRLF}--{boundary}--{CRLF}"
    return b"".join(lines) + body.encode("utf-8", "surrogateescape")
