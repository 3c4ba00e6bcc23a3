from django import template

register = template.Library()

STATUS_BADGES = {
    "open": "text-bg-primary",
    "waiting_on_seller": "text-bg-warning",
    "resolved": "text-bg-success",
    "closed": "text-bg-secondary",
}


@register.filter
def ticket_badge(status: str) -> str:
    return STATUS_BADGES.get(status, "text-bg-secondary")
