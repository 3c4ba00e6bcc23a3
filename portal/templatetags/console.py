from typing import Any

from django import template
from django.template import Context
from django.urls import reverse

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


@register.inclusion_tag("admin/_recent_actions.html", takes_context=True)
def recent_actions(context: Context) -> dict[str, Any]:
    """`{% recent_actions %}`: the index's panel, from what the services recorded."""
    return {"actions": recent_for(context["request"].user)}
