"""Intake API tokens: created once, stored as a digest, revocable.

The raw token exists only in the return value of `create_api_token`; whoever
calls it shows it to a person once and forgets it.
"""

import secrets
from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from portal.models import LogisticsProvider
from returns.models import ApiToken

PREFIX_LENGTH = 8
LAST_USED_RESOLUTION = timedelta(minutes=1)


@transaction.atomic
def create_api_token(*, provider: LogisticsProvider, name: str) -> tuple[ApiToken, str]:
    """A new token for the provider: the saved row and the raw token to hand over once."""
    raw = secrets.token_urlsafe(32)
    token = ApiToken.objects.create(
        provider=provider,
        name=name.strip(),
        prefix=raw[:PREFIX_LENGTH],
        digest=ApiToken.digest_of(raw),
    )
    return token, raw


def authenticate_token(raw: str) -> ApiToken | None:
    """The active token behind a raw bearer token, marked as used; None if there is none."""
    # get(), not first(): the digest is unique, and first() would sort by the model's order.
    try:
        token: ApiToken = (
            ApiToken.objects.active().select_related("provider").get(digest=ApiToken.digest_of(raw))
        )
    except ApiToken.DoesNotExist:
        return None
    now = timezone.now()
    if token.last_used_at is None or now - token.last_used_at > LAST_USED_RESOLUTION:
        # At most one write a minute: a busy feed would otherwise queue every request
        # behind the row lock of this one token.
        token.last_used_at = now
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return token


def revoke_api_token(*, token: ApiToken) -> bool:
    """Stop a token from working; False if it was already revoked."""
    rows = ApiToken.objects.filter(pk=token.pk, revoked_at__isnull=True).update(
        revoked_at=timezone.now()
    )
    return rows == 1
