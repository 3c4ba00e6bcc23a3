from collections.abc import Iterable
from html import escape
from typing import Any

from django import template
from django.template import Context
from django.urls import reverse
from django.utils.safestring import SafeString, mark_safe

from portal import charts, week
from portal.worklist import recent_for, work_for

register = template.Library()


@register.inclusion_tag("admin/_work_list.html", takes_context=True)
def work_list(context: Context) -> dict[str, Any]:
    """`{% work_list %}` on the admin index: the signed-in user's rows, and the last 30 days."""
    user = context["request"].user
    window = week.window_for()
    days = charts.day_labels(window)
    return {
        "items": work_for(user),
        "charts": [charts.chart(series, days) for series in week.series_for(user, window)],
        "csv_url": reverse("console_week_csv"),
    }


@register.filter
def options(choices: Iterable[dict[str, Any]]) -> SafeString:
    """`{{ choices|options }}`: a list filter's choices as the <option>s of a <select>.

    Built in one pass: the seller filter has a choice per shop, a thousand at a large
    provider, and a template loop over them was the slowest part of the package list.
    """
    return mark_safe(
        "".join(
            f'<option value="{escape(str(choice["value"]))}"'
            f"{' selected' if choice['selected'] else ''}>{escape(str(choice['display']))}</option>"
            for choice in choices
        )
    )


@register.inclusion_tag("admin/_recent_actions.html", takes_context=True)
def recent_actions(context: Context) -> dict[str, Any]:
    """`{% recent_actions %}`: the index's panel, from what the services recorded."""
    return {"actions": recent_for(context["request"].user)}
