from datetime import datetime, timedelta

from django import template
from django.conf import settings
from django.utils import timezone
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe

from returns import formatting
from returns.models import FailedPackage

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


# The badges are tags rather than included templates: a list shows them on every row,
# and an include per badge was most of the package list's rendering.


@register.simple_tag
def status_badge(package: FailedPackage) -> SafeString:
    """`{% status_badge package %}`: the package's status, coloured."""
    return format_html(
        '<span class="badge {}">{}</span>',
        STATUS_BADGES.get(package.status, "text-bg-secondary"),
        package.get_status_display(),
    )


WINDOW_CLOSED = mark_safe('<span class="badge text-bg-secondary">Window closed</span>')


@register.simple_tag
def time_left_badge(package: FailedPackage) -> str:
    """`{% time_left_badge package %}`: while the package waits for the seller, the time
    left to decide, which static/js/portal.js counts down from data-deadline."""
    if package.status != FailedPackage.Status.AWAITING_SELLER:
        return ""
    left = time_left(package.claim_deadline)
    if left == "closed":
        return WINDOW_CLOSED
    return format_html(
        '<span class="badge {}"><span class="visually-hidden">Time to decide: </span>'
        '<span class="countdown" data-deadline="{}">{}</span></span>',
        "text-bg-danger" if urgent(package.claim_deadline) else "text-bg-light border",
        timezone.localtime(package.claim_deadline).isoformat(),
        left,
    )


@register.filter
def event_label(action: str) -> str:
    return EVENT_LABELS.get(action, action.replace("_", " ").capitalize())
