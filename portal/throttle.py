"""Limits on sign-in failures, on top of django-axes.

django-axes locks a username from one address after AXES_FAILURE_LIMIT
failures (its AXES_LOCKOUT_PARAMETERS). It compares every lock-out parameter
with one limit, so a limit across usernames for one address — someone trying
many accounts — is kept here: once an address has LOGIN_ADDRESS_FAILURE_LIMIT
failures within the cool-off time, the limit for every account from it is 0,
and axes refuses the next attempt whatever the username. The count is axes's
own records (one row per username, address and browser), so it holds across
every web node.
"""

from django.conf import settings
from django.db.models import Sum
from django.http import HttpRequest
from django.utils import timezone

from portal.clients import client_address


def address_failures(address: str) -> int:
    """Failed sign-ins from this address within the cool-off time, for any username."""
    from axes.models import AccessAttempt  # axes's models need the app registry

    since = timezone.now() - settings.AXES_COOLOFF_TIME
    recent = AccessAttempt.objects.filter(ip_address=address, attempt_time__gte=since)
    return recent.aggregate(total=Sum("failures_since_start"))["total"] or 0


def login_failure_limit(request: HttpRequest, credentials: dict | None = None) -> int:
    """AXES_FAILURE_LIMIT: the account-and-address limit, or 0 once the address is over its own."""
    if address_failures(client_address(request)) >= settings.LOGIN_ADDRESS_FAILURE_LIMIT:
        return 0
    return settings.LOGIN_FAILURE_LIMIT
