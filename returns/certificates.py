"""Destruction certificates that travel: a code on each, and what /verify/<code>/ confirms.

The certificate (the seller's page, its PDF) carries a random code. Anyone
holding the paper may confirm it on the public verification page, which names
only what the provider attests — reference, date, method, batch, provider —
and never the seller, the contents or the value: a code found on a printout
must not tell a stranger whose goods they were.
"""

import secrets
from dataclasses import dataclass
from datetime import datetime

from django.urls import reverse

from portal.emails import absolute_url
from returns.models import FailedPackage

# As ticket references (tickets.models): no 0/O, 1/I/L, so a code typed from paper is right.
CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
CODE_GROUPS = 3
CODE_GROUP_LENGTH = 4


def new_code() -> str:
    """`K7QF-9XAM-2PRT`: 60 random bits, and /verify/ is rate-limited (views.verify)."""
    groups = (
        "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_GROUP_LENGTH))
        for _ in range(CODE_GROUPS)
    )
    return "-".join(groups)


def normalized(code: str) -> str:
    """A code as typed (lower case, spaces, no dashes) in the form it is stored."""
    letters = "".join(ch for ch in code.upper() if ch in CODE_ALPHABET)
    size = CODE_GROUP_LENGTH
    return "-".join(letters[i : i + size] for i in range(0, len(letters), size))


def batch_of(package: FailedPackage) -> str:
    """The destruction batch a package was destroyed in, or "" when it was destroyed alone
    (`confirm_destruction` records it; read with `select_related("destruction_batch")`)."""
    batch = package.destruction_batch
    return batch.reference if batch is not None else ""


@dataclass(frozen=True)
class Attested:
    """What the verification page confirms: the provider's act, nothing of the seller's."""

    code: str
    reference: str
    destroyed_at: datetime
    method: str
    batch: str
    provider_name: str
    provider_zone: str


def attested(code: str) -> Attested | None:
    """The certificate with this code, or None: no package is destroyed under it."""
    package = (
        FailedPackage.objects.filter(
            status=FailedPackage.Status.DESTROYED, certificate_code=normalized(code)
        )
        .select_related("provider", "destruction_batch")
        .first()
    )
    if package is None:
        return None
    return Attested(
        code=package.certificate_code,
        reference=package.destruction_reference,
        destroyed_at=package.destroyed_at,
        method=package.get_destruction_method_display(),
        batch=batch_of(package),
        provider_name=package.provider.name,
        provider_zone=package.provider.time_zone,
    )


def verify_url(package: FailedPackage) -> str:
    """The absolute link printed on the certificate (SITE_URL): short, to be typed from paper."""
    return absolute_url(reverse("returns:verify", args=[package.certificate_code]))
