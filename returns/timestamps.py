"""Whether a time a carrier or an agent reports is believable: the one rule for every channel.

The API, the CSV import, the console's forms and the services all ask `time_problem`.
A time beyond the floor is not only wrong: PostgreSQL stores `0001-01-01T00:00+14:00`
as a date before Christ, which psycopg cannot read back, and the package it belongs to
would answer 500 on every page from then on.
"""

from datetime import datetime, timedelta

from django.utils import timezone
from django.utils.translation import gettext

# How far ahead of our clock a reported time may be before it is refused.
CLOCK_SKEW = timedelta(minutes=5)
# How far back: a return that failed more than a year ago has long been destroyed.
MAX_AGE = timedelta(days=366)


def time_problem(moment: datetime, *, not_before: datetime | None = None) -> str | None:
    """What is wrong with this time, in a sentence that starts with it; None if nothing.

    `not_before` is the package's previous event: its attempts are recorded in order.
    """
    now = timezone.now()
    shown = moment.isoformat()
    if moment > now + CLOCK_SKEW:
        return gettext("%(time)s is in the future.") % {"time": shown}
    if moment < now - MAX_AGE:
        return gettext("%(time)s is more than a year ago.") % {"time": shown}
    if not_before is not None and moment < not_before:
        return gettext("%(time)s is before the package's previous attempt, at %(previous)s.") % {
            "time": shown,
            "previous": not_before.isoformat(),
        }
    return None
