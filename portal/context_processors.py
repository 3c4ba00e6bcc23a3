from django.conf import settings


def tenancy(request) -> dict:
    context = {"claim_window_days": settings.CLAIM_WINDOW_DAYS}
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        context.update(current_seller=user.seller, current_provider=user.provider)
    return context
