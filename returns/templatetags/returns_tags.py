from datetime import datetime, timedelta

from django import template
from django.conf import settings
from django.utils import timezone

from returns import formatting

register = template.Library()

STATUS_BADGES = {
    "in_delivery": "text-bg-secondary",
    "awaiting_seller": "text-bg-warning",
    "claimed": "text-bg-info",
    "returned": "text-bg-success",
    "destruction_pending": "text-bg-danger",
    "destroyed": "text-bg-dark",
}

EVENT_LABELS = {
    "registered": "Registered for return",
    "attempt_failed": "Delivery attempt failed",
    "delivery_failed": "Last delivery attempt failed: waiting for you",
    "delivered": "Delivered to you",
    "rejected": "Rejected at delivery",
    "claimed": "You asked for it back",
    "released": "You said you no longer need it",
    "window_closed": "Claim window closed",
    "returned": "Returned to you",
    "claim_withdrawn": "Return cancelled",
    "destroyed": "Destroyed",
}


@register.filter
def in_zone(moment: datetime | None, zone_name: str) -> str:
    """`{{ package.claim_deadline|in_zone:package.seller.time_zone }}`"""
    return formatting.local_datetime(moment, zone_name) if moment else ""


@register.filter
def short_in_zone(moment: datetime | None, zone_name: str) -> str:
    return formatting.local_date(moment, zone_name) if moment else ""


@register.filter
def zone_label(zone_name: str) -> str:
    return formatting.zone_label(zone_name)


@register.filter
def time_left(deadline: datetime | None) -> str:
    return formatting.time_left(deadline) if deadline else ""


@register.filter
def urgent(deadline: datetime | None) -> bool:
    """Less time left than the reminder allows: the page shows it in red."""
    if deadline is None:
        return False
    return deadline - timezone.now() < timedelta(hours=settings.REMINDER_HOURS_BEFORE)


@register.filter
def status_badge(status: str) -> str:
    return STATUS_BADGES.get(status, "text-bg-secondary")


@register.filter
def event_label(action: str) -> str:
    return EVENT_LABELS.get(action, action.replace("_", " ").capitalize())
