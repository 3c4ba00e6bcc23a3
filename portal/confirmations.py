"""Signed links sent by email: confirming a notification address, and one-click unsubscribe.

A confirmation link is signed and timed (`TimestampSigner`), names its address
and carries a random nonce; the address row keeps only the nonce's SHA-256. It
is minted as the email goes out (`mint_confirmation`, called by the outbox), so
no copy of it is stored anywhere: the outbox row holds a mark in its place.
Using it empties the digest, so it works once; a newer link replaces it.

An unsubscribe link names a shop and one optional kind of email. It has no
expiry: RFC 8058 asks that it keep working as long as such emails are sent.
"""

import hashlib
import hmac
import secrets
from datetime import timedelta

from django.core import signing
from django.utils.translation import gettext

from portal.models import NotificationAddress, Seller

CONFIRMATION_SALT = "portal.notification-address.confirm"
UNSUBSCRIBE_SALT = "portal.optional-emails.unsubscribe"
# Long enough for an email read the next morning; short enough that a forgotten one dies.
CONFIRMATION_MAX_AGE = timedelta(hours=48)

# The Seller fields a one-click link may turn off: never the policy's notices.
OPTIONAL_EMAIL_FIELDS = ("reminder_emails", "ticket_reply_emails")


class LinkError(Exception):
    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def digest_of(nonce: str) -> str:
    return hashlib.sha256(nonce.encode()).hexdigest()


def mint_confirmation(address: NotificationAddress) -> str:
    """A new link token for `address`; it replaces any link sent before."""
    nonce = secrets.token_urlsafe(24)
    NotificationAddress.objects.filter(pk=address.pk).update(confirmation_digest=digest_of(nonce))
    return signing.TimestampSigner(salt=CONFIRMATION_SALT).sign_object(
        {"a": address.pk, "n": nonce}
    )


def read_confirmation(token: str) -> tuple[NotificationAddress, str]:
    """The unconfirmed address a token is for, and its nonce's digest; or a `LinkError`."""
    signer = signing.TimestampSigner(salt=CONFIRMATION_SALT)
    try:
        payload = signer.unsign_object(token, max_age=CONFIRMATION_MAX_AGE)
    except signing.SignatureExpired:
        raise LinkError(
            gettext("This link has expired. Ask an owner of the shop to send a new one.")
        ) from None
    except (signing.BadSignature, ValueError):
        raise LinkError(
            gettext("This link is not valid. Copy the whole link from the email.")
        ) from None
    address = (
        NotificationAddress.objects.select_related("seller").filter(pk=payload.get("a")).first()
    )
    if address is None:
        raise LinkError(gettext("This address was removed from the shop's settings."))
    if address.confirmed_at is not None:
        raise LinkError(gettext("This address is already confirmed; the link was used."))
    digest = digest_of(str(payload.get("n", "")))
    if not hmac.compare_digest(digest, address.confirmation_digest):
        raise LinkError(
            gettext("A newer link was sent for this address. Use the link in the latest email.")
        )
    return address, digest


def unsubscribe_token(seller_id: int, field: str) -> str:
    return signing.Signer(salt=UNSUBSCRIBE_SALT).sign_object({"s": seller_id, "f": field})


def read_unsubscribe(token: str) -> tuple[Seller, str]:
    """The shop and the Seller field an unsubscribe token turns off; or a `LinkError`."""
    try:
        payload = signing.Signer(salt=UNSUBSCRIBE_SALT).unsign_object(token)
    except (signing.BadSignature, ValueError):
        raise LinkError(
            gettext("This link is not valid. Copy the whole link from the email.")
        ) from None
    field = payload.get("f")
    seller = Seller.objects.filter(pk=payload.get("s")).first()
    if seller is None or field not in OPTIONAL_EMAIL_FIELDS:
        raise LinkError(gettext("This link is not valid. Copy the whole link from the email."))
    return seller, field
