from typing import Any

from django.conf import settings
from django.http import HttpRequest


def tenancy(request: HttpRequest) -> dict[str, Any]:
    context = {"claim_window_days": settings.CLAIM_WINDOW_DAYS}
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        context.update(current_seller=user.seller, current_provider=user.provider)
    return context
