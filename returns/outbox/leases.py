"""The outbox's rows: claimed with a committed lease, then marked in short transactions.

No transaction stays open while SMTP runs. A delivery run claims a batch (the
rows move to `sending` with `lease_until`, and the attempt is counted) and
commits; it sends; then it marks each row on its own. A row whose lease ran
out was held by a sender that stopped (killed, timed out, lost its database):
the server may have the message, so the row is counted uncertain and retried
after a back-off, never at once.
"""

from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any, TypeVar

from django.db import InterfaceError, OperationalError, connection, transaction
from django.db.models import F, Value
from django.db.models.functions import Coalesce

from returns.models import MailServerStatus, Notification

Status = Notification.Status

MAX_SEND_ATTEMPTS = 5

T = TypeVar("T")


def backoff(attempts: int) -> timedelta:
    """2, 4, 8, 16 minutes between tries."""
    return timedelta(minutes=2**attempts)


def reconnecting(work: Callable[[], T]) -> T:
    """Run `work`; if the database connection was lost, once more on a new one.

    A sender whose connection was cut after the server accepted a message would
    otherwise leave the row to its lease, and the message would go out twice.
    """
    try:
        return work()
    except (OperationalError, InterfaceError):
        if connection.in_atomic_block:
            raise
        connection.close()
        return work()


def claim(*, now: datetime, limit: int, lease_until: datetime) -> list[Notification]:
    """Take up to `limit` due rows for this run, oldest due first, and commit the lease."""
    with transaction.atomic():
        rows = list(
            Notification.objects.select_for_update(
                skip_locked=connection.features.has_select_for_update_skip_locked
            )
            # The due index (notification_due) answers this in order.
            .filter(status=Status.PENDING, next_attempt_at__lte=now)
            .order_by("next_attempt_at")[:limit]
        )
        if not rows:
            return []
        Notification.objects.filter(pk__in=[row.pk for row in rows]).update(
            status=Status.SENDING, lease_until=lease_until, attempts=F("attempts") + 1
        )
    for row in rows:
        row.status, row.lease_until, row.attempts = Status.SENDING, lease_until, row.attempts + 1
    return rows


def take_back_expired(*, now: datetime) -> list[Notification]:
    """Rows whose sender stopped while it held them: uncertain, retried after a back-off."""
    expired = list(
        Notification.objects.filter(status=Status.SENDING, lease_until__lt=now).order_by(
            "lease_until"
        )
    )
    for row in expired:
        error = (
            f"The sender stopped while it held this notice (its lease ran out at "
            f"{row.lease_until:%Y-%m-%d %H:%M:%S} UTC): the email server may have it."
        )
        last = row.attempts >= MAX_SEND_ATTEMPTS
        # Compare-and-set on the lease: another run may have taken it back meanwhile.
        Notification.objects.filter(
            pk=row.pk, status=Status.SENDING, lease_until=row.lease_until
        ).update(
            status=Status.FAILED if last else Status.PENDING,
            lease_until=None,
            uncertain_attempts=F("uncertain_attempts") + 1,
            next_attempt_at=now + backoff(row.attempts),
            last_error=error,
        )
        row.last_error = error
    return expired


TABLE = Notification._meta.db_table


def save_rendered(notifications: list[Notification]) -> None:
    """Keep what the outbox rendered for notices written in bulk, in one round trip.

    `executemany` (a pipeline on psycopg 3) rather than `bulk_update`, whose CASE per
    row and column cost more to build than the writes themselves."""
    if not notifications:
        return
    with connection.cursor() as cursor:
        cursor.executemany(
            f"UPDATE {TABLE} SET subject = %s, body_text = %s, body_html = %s, also_to = %s"
            " WHERE id = %s",
            [(n.subject, n.body_text, n.body_html, n.also_to, n.pk) for n in notifications],
        )


def mark_sent(notification: Notification, *, sent_at: datetime, bodies: bool = True) -> bool:
    """One short write, right after the server's answer, before the next message goes.

    With `bodies`, the bodies are written too: the row keeps what was sent, time left
    included (the outbox passes False when nothing was written into them since they
    were stored)."""
    # Written out rather than through the ORM: building the UPDATE cost as much as running it.
    columns = "status = %s, sent_at = %s, lease_until = NULL, last_error = ''"
    values = [Status.SENT, connection.ops.adapt_datetimefield_value(sent_at)]
    if bodies:
        columns += ", body_text = %s, body_html = %s"
        values += [notification.body_text, notification.body_html]

    def write() -> int:
        with connection.cursor() as cursor:
            cursor.execute(
                f"UPDATE {TABLE} SET {columns} WHERE id = %s AND status = %s",
                [*values, notification.pk, Status.SENDING],
            )
            rows: int = cursor.rowcount
            return rows

    return bool(reconnecting(write))


def mark_failed(
    notification: Notification, *, error: str, now: datetime, uncertain: bool = False
) -> bool:
    """Back off (2, 4, 8, 16 minutes); after the last attempt the row stays `failed`.

    Returns whether that was the last attempt.
    """
    last = notification.attempts >= MAX_SEND_ATTEMPTS
    changes: dict[str, object] = {
        "status": Status.FAILED if last else Status.PENDING,
        "lease_until": None,
        "next_attempt_at": now + backoff(notification.attempts),
        "last_error": error,
    }
    if uncertain:
        changes["uncertain_attempts"] = F("uncertain_attempts") + 1
    reconnecting(
        lambda: Notification.objects.filter(pk=notification.pk, status=Status.SENDING).update(
            **changes
        )
    )
    return last


def release(
    notifications: list[Notification], *, error: str = "", retry_at: datetime | None = None
) -> None:
    """Give back rows this run claimed but did not try: the attempt is not counted.

    With `retry_at` (the server was unreachable) the rows wait until then and carry
    the error; without it (the run's time is up) the next run takes them first.
    """
    changes: dict[str, Any] = {
        "status": Status.PENDING,
        "lease_until": None,
        "attempts": F("attempts") - 1,
    }
    if retry_at is not None:
        changes |= {"next_attempt_at": retry_at, "last_error": error}
    reconnecting(
        lambda: Notification.objects.filter(
            pk__in=[n.pk for n in notifications], status=Status.SENDING
        ).update(**changes)
    )


def record_unreachable(*, now: datetime, error: str) -> None:
    """Keep the time the server was first found unreachable, and the latest error."""
    MailServerStatus.objects.get_or_create(pk=1)
    MailServerStatus.objects.filter(pk=1).update(
        unreachable_since=Coalesce("unreachable_since", Value(now)), last_error=error
    )


def record_reachable() -> None:
    MailServerStatus.objects.filter(unreachable_since__isnull=False).update(
        unreachable_since=None, last_error=""
    )
