"""The tickets series of the week at a glance (portal.week): the median time to a first
answer of the tickets opened each day.

The days that are over come from their kept waits (returns.day_counts), the others
from `answer_days`: the tickets first answered on those days, from the (provider,
first_response_at) index, only the two moments each. Each wait is kept whole, in
microseconds, by the day it was answered and the day its ticket was opened: the
medians are taken here over every wait of the window, exactly as from the tickets.
"""

from datetime import date, datetime, timedelta, tzinfo
from statistics import median

from django.utils.translation import gettext

from portal.models import User
from portal.week import Series, Window, cached, provider_ids
from returns.day_counts import Numbers, numbers_by_day
from tickets.models import Ticket

MICROSECOND = timedelta(microseconds=1)


def answer_days(
    provider_ids: list[int], start: datetime, end: datetime | None, zone: tzinfo
) -> dict[tuple[int, date], Numbers]:
    """Of each (provider, day) in [start, end) (returns.day_counts): `waits`, the waits
    of the tickets first answered that day, in microseconds, by the day each was opened."""
    tickets = Ticket.objects.filter(provider_id__in=provider_ids, first_response_at__gte=start)
    if end is not None:
        tickets = tickets.filter(first_response_at__lt=end)
    found: dict[tuple[int, date], Numbers] = {}
    for provider, created, answered in tickets.order_by().values_list(
        "provider_id", "created_at", "first_response_at"
    ):
        waits = found.setdefault((provider, answered.astimezone(zone).date()), {"waits": {}})
        opened = created.astimezone(zone).date().isoformat()
        waits["waits"].setdefault(opened, []).append((answered - created) // MICROSECOND)
    return found


def answer_series(user: User, window: Window) -> list[Series]:
    if not user.has_perm("tickets.view_ticket"):
        return []
    return cached("answers", user, window, lambda: _answer_series(user, window))


def _answer_series(user: User, window: Window) -> list[Series]:
    waits: dict[date, list[float]] = {}
    for _, numbers in numbers_by_day(
        "answers", provider_ids(user, window), window.days, window.zone
    ):
        for opened, kept in numbers.get("waits", {}).items():
            day = date.fromisoformat(opened)
            # The tickets opened in the window: one opened before it may be answered in it.
            if day >= window.days[0]:
                # The hours as `(answered - created).total_seconds() / 3600`, to the bit.
                waits.setdefault(day, []).extend(
                    (wait * MICROSECOND).total_seconds() / 3600 for wait in kept
                )
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
