"""The tickets series of the week at a glance (portal.week): the median time to a first
answer of the tickets opened each day.

One query: the window's tickets from the (provider, created_at) index, only the two
moments each; the medians are taken here, the same on PostgreSQL and SQLite.
"""

from datetime import date
from statistics import median

from django.utils.translation import gettext

from portal.models import User
from portal.week import Series, Window, cached
from tickets.models import Ticket


def answer_series(user: User, window: Window) -> list[Series]:
    if not user.has_perm("tickets.view_ticket"):
        return []
    return cached("answers", user, window, lambda: _answer_series(user, window))


def _answer_series(user: User, window: Window) -> list[Series]:
    tickets = Ticket.objects.for_user(user).filter(
        created_at__gte=window.start, first_response_at__isnull=False
    )
    if window.provider_id is not None:
        tickets = tickets.filter(provider_id=window.provider_id)
    waits: dict[date, list[float]] = {}
    for created, answered in tickets.order_by().values_list("created_at", "first_response_at"):
        day = created.astimezone(window.zone).date()
        waits.setdefault(day, []).append((answered - created).total_seconds() / 3600)
    everything = [hours for day in waits.values() for hours in day]
    return [
        Series(
            "first_answer_hours",
            gettext("Median time to a first answer"),
            window.by_day((day, round(median(hours), 1)) for day, hours in waits.items()),
            unit="h",
            total=round(median(everything), 1) if everything else None,
            hint=gettext("Tickets opened that day and answered since, in hours."),
        )
    ]
