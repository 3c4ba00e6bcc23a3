from functools import partial
from typing import Any

from django.http import HttpRequest

from returns import selectors


def unread_notices(request: HttpRequest) -> dict[str, Any]:
    """The nav's count of unread notices, for a seller; counted only when a page shows it."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated or not user.seller_id:
        return {}
    # A template calls it when it renders the count: a page without the nav pays nothing.
    return {
        "unread_notices": partial(selectors.unread_for_badge, request),
        "unread_cap": selectors.UNREAD_CAP,
    }
