from datetime import datetime

from django import template

from returns import formatting

register = template.Library()


@register.filter
def in_zone(moment: datetime | None, zone_name: str) -> str:
    """`{{ package.claim_deadline|in_zone:package.seller.time_zone }}`"""
    return formatting.local_datetime(moment, zone_name) if moment else ""


@register.filter
def short_in_zone(moment: datetime | None, zone_name: str) -> str:
    return formatting.local_date(moment, zone_name) if moment else ""


@register.filter
def time_left(deadline: datetime | None) -> str:
    return formatting.time_left(deadline) if deadline else ""
