"""Limits on sign-in failures (on top of django-axes) and on password-reset emails.

Sign-in failures
----------------

django-axes locks a username from one address after AXES_FAILURE_LIMIT
failures (its AXES_LOCKOUT_PARAMETERS). It compares every lock-out parameter
with one limit, so a limit across usernames for one address — someone trying
many accounts — is kept here: once an address has LOGIN_ADDRESS_FAILURE_LIMIT
failures within the cool-off time, the limit for every account from it is 0,
and axes refuses every attempt from it, whatever the username, until the
failures age out. The count is axes's own records (one row per username,
address and browser), so it holds across every web node.

Password resets
---------------
Each request counts against its client address and its target email (hashed,
whether an account has it or not) in a fixed window (PASSWORD_RESET_WINDOW);
over either limit, no email is sent. Counts are `RequestCount` rows, shared by
every web node.
"""

from datetime import UTC, datetime, timedelta
from typing import Any

from axes.models import AccessAttempt
from django.conf import settings
from django.db.models import F, Sum
from django.http import HttpRequest
from django.utils import timezone
from django.utils.crypto import salted_hmac

from portal.clients import client_address
from portal.models import RequestCount


def address_failures(address: str) -> int:
    """Failed sign-ins from this address within the cool-off time, for any username."""
    since = timezone.now() - settings.AXES_COOLOFF_TIME
    recent = AccessAttempt.objects.filter(ip_address=address, attempt_time__gte=since)
    return recent.aggregate(total=Sum("failures_since_start"))["total"] or 0


def login_failure_limit(request: HttpRequest, credentials: dict[str, Any] | None = None) -> int:
    """AXES_FAILURE_LIMIT: the account-and-address limit, or 0 once the address is over its own."""
    if address_failures(client_address(request)) >= settings.LOGIN_ADDRESS_FAILURE_LIMIT:
        return 0
    return settings.LOGIN_FAILURE_LIMIT


def take(key: str, *, limit: int, window: timedelta) -> bool:
    """Count one request against `key`; False, and nothing counted, once `limit` are in the window.

    1. Windows are fixed: each starts at a whole multiple of `window` since the epoch.
       Rows of windows that have ended are deleted.
    2. get_or_create makes the window's row; its unique constraint settles two first
       requests at once.
    3. One conditional UPDATE adds the hit only while under the limit, so two requests
       at once never both take the last one.
    """
    seconds = int(window.total_seconds())
    start = datetime.fromtimestamp(int(timezone.now().timestamp()) // seconds * seconds, tz=UTC)
    RequestCount.objects.filter(window_start__lt=start).delete()
    row, _ = RequestCount.objects.get_or_create(key=key, window_start=start)
    counted = RequestCount.objects.filter(pk=row.pk, hits__lt=limit).update(hits=F("hits") + 1)
    return counted == 1


def may_send_password_reset(request: HttpRequest, email: str) -> bool:
    """Count a reset request against its address, then its email; False when over either limit."""
    window = settings.PASSWORD_RESET_WINDOW
    address = client_address(request)
    # The email's hash, not the email: the table keeps no list of addresses people typed.
    digest = salted_hmac("portal.throttle.password_reset", email.strip().lower()).hexdigest()
    return take(
        f"reset-address:{address}", limit=settings.PASSWORD_RESET_ADDRESS_LIMIT, window=window
    ) and take(
        f"reset-email:{digest[:40]}", limit=settings.PASSWORD_RESET_EMAIL_LIMIT, window=window
    )
