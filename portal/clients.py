"""The address a request came from, for login lock-outs and password-reset limits.

Behind load balancers every connection comes from a balancer, so REMOTE_ADDR
names the balancer, not the person. Each trusted proxy appends the address it
was reached from to X-Forwarded-For; with TRUSTED_PROXY_COUNT=N the client is
the Nth entry from the right. Entries further left were written by the client
and are never believed. With N=0 (no proxy in front) the header is ignored.
"""

import ipaddress
import logging

from django.conf import settings
from django.http import HttpRequest

logger = logging.getLogger(__name__)


def client_address(request: HttpRequest) -> str:
    """The client's IP address: REMOTE_ADDR, or the one the trusted proxies saw."""
    remote = str(request.META.get("REMOTE_ADDR", ""))
    count = settings.TRUSTED_PROXY_COUNT
    if count == 0:
        return remote
    forwarded = [entry.strip() for entry in request.headers.get("x-forwarded-for", "").split(",")]
    forwarded = [entry for entry in forwarded if entry]
    if not forwarded:
        # Reached the portal without passing a proxy: only the connection is known.
        return remote
    # Fewer entries than proxies: the request entered behind the outer ones, and the
    # leftmost entry is the address the first proxy it passed saw.
    candidate = forwarded[-min(count, len(forwarded))]
    try:
        return str(ipaddress.ip_address(candidate))
    except ValueError:
        logger.warning(
            "X-Forwarded-For entry %r is not an IP address; using REMOTE_ADDR", candidate
        )
        return remote
