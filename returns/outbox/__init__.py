"""Sending the outbox (DESIGN.md §6): as close to once as SMTP allows.

1. Take back the rows of senders that stopped (their lease ran out): counted
   uncertain, retried after a back-off (`leases.take_back_expired`).
2. Claim a batch of due rows with a committed lease (`leases.claim`): no
   transaction stays open while SMTP runs.
3. Render the notices a job wrote in bulk, so they read in full in the portal
   even while the email server is down; write in the time left as of this run
   (`rendering.fill_time_left`), kept on the row when it is marked sent. The one-click
   links are written into the message only (`action_links.fill_links`).
4. Send the batch over one SMTP connection; mark each row as soon as the
   server answers, in its own short write (`transport` says what a failure
   means: resent at once only when the message provably did not go out).
5. Stop before the run's time budget is spent, giving back what was not tried:
   the next run takes those first. An unreachable server fails the run, and
   its rows wait with the error.
"""

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from time import monotonic
from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.core import mail
from django.db import transaction
from django.utils import timezone

from portal.emails import email_headers
from returns import action_links
from returns.models import Notification
from returns.outbox import leases, rendering
from returns.outbox.leases import MAX_SEND_ATTEMPTS, backoff
from returns.outbox.transport import Transport, Uncertain, Unreachable, describe

__all__ = [
    "MAX_SEND_ATTEMPTS",
    "DeliverySummary",
    "backoff",
    "deliver_notifications",
    "message_id",
    "retry_notification",
]

logger = logging.getLogger(__name__)

BATCH_SIZE = 200


@dataclass
class DeliverySummary:
    sent: int = 0
    retrying: int = 0  # refused or not rendered: tried again after a back-off
    uncertain: int = 0  # the server may have it: tried again after a back-off
    failed: int = 0  # the last attempt failed: stays `failed`
    released: int = 0  # claimed but not tried (time up, or server unreachable)
    unreachable: str = ""  # why the email server could not be reached, if it could not
    out_of_time: bool = False  # stopped at the time budget, with notices still due
    errors: list[str] = field(default_factory=list)

    def __str__(self) -> str:
        text = (
            f"sent {self.sent}, retrying {self.retrying}, uncertain {self.uncertain}, "
            f"failed {self.failed}"
        )
        if self.unreachable:
            text += f"; email server unreachable: {self.unreachable}"
        return text


def message_id(notification: Notification) -> str:
    """Stable across re-sends, so a receiver can drop a second copy; unique to this site."""
    return f"<notification-{notification.pk}@{urlsplit(settings.SITE_URL).hostname}>"


def _message(notification: Notification) -> mail.EmailMultiAlternatives:
    """One message to all the notice's recipients: one Message-ID, however many read it.

    The links that act (an address confirmation, the one-click buttons) go into the
    message only: the row keeps their marks (a stored link would work for whoever
    reads the table)."""
    language = notification.language
    text, html = rendering.with_links(notification)
    message = mail.EmailMultiAlternatives(
        subject=notification.subject,
        body=action_links.fill_links(text, language),
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=notification.recipients,
        headers={
            "Message-ID": message_id(notification),
            **email_headers(notification.language),
            **rendering.unsubscribe_headers(notification),
        },
    )
    message.attach_alternative(action_links.fill_links(html, language, html=True), "text/html")
    return message


def _lease_until(now: datetime, budget: float) -> datetime:
    """Past the end of this run, however slow its last message: only a stopped sender
    outlives its lease. Each SMTP step may take EMAIL_TIMEOUT; a message with a
    reconnect takes about ten of them."""
    step = settings.EMAIL_TIMEOUT or 60
    return now + timedelta(seconds=budget + 10 * step)


def _render(batch: list[Notification], now: datetime, summary: DeliverySummary) -> list[Any]:
    """Fill in the notices written in bulk; one that cannot be rendered backs off alone.

    Their packages are read in one query and the rendered rows written in one UPDATE,
    so a batch of notices written in bulk costs two statements more, not two a notice.
    """
    ready: list[Any] = []
    rendered: list[Notification] = []
    rendering.load_deferred_packages(batch)
    for notification in batch:
        if not notification.subject:
            try:
                rendering.render_deferred(notification)
            except Exception as exc:  # its error is kept on the row, its try counted
                logger.exception("Notification %s could not be rendered", notification.pk)
                _failed(notification, describe(exc), now, summary)
                continue
            rendered.append(notification)
        ready.append(notification)
    leases.save_rendered(rendered)
    return ready


def _failed(
    notification: Notification,
    error: str,
    now: datetime,
    summary: DeliverySummary,
    *,
    uncertain: bool = False,
) -> None:
    last = leases.mark_failed(notification, error=error, now=now, uncertain=uncertain)
    if last:
        summary.failed += 1
    elif uncertain:
        summary.uncertain += 1
    else:
        summary.retrying += 1
    summary.errors.append(f"{notification.to_email}: {error}")
    logger.warning("Notification %s not sent: %s", notification.pk, error)


def _send_batch(
    batch: list[Notification],
    transport: Transport,
    now: datetime,
    out_of_time: Callable[[], bool],
    summary: DeliverySummary,
    filled: set[int],
) -> bool:
    """Send each row and mark it; returns False when the run must stop here.

    `filled` are the rows whose bodies got the time left written in: only theirs are
    written again when they are marked sent.
    """
    for position, notification in enumerate(batch):
        if out_of_time():
            leases.release(batch[position:])
            summary.released += len(batch) - position
            summary.out_of_time = True
            return False
        try:
            transport.send(_message(notification))
        except Unreachable as exc:  # reconnecting after a drop failed: an outage
            _unreachable(batch[position:], str(exc), now, summary)
            return False
        except Uncertain as exc:
            _failed(notification, str(exc), now, summary, uncertain=True)
        except Exception as exc:  # a refusal or any other error: recorded on the row
            _failed(notification, describe(exc), now, summary)
        else:
            sent_at = timezone.now()
            if not leases.mark_sent(
                notification, sent_at=sent_at, bodies=notification.pk in filled
            ):
                logger.warning("Notification %s was sent after its lease ran out", notification.pk)
            summary.sent += 1
    return True


def _unreachable(
    held: list[Notification], error: str, now: datetime, summary: DeliverySummary
) -> None:
    retry_at = now + backoff(0)  # the next scheduled run; an outage spends no attempt
    leases.release(held, error=f"Email server unreachable: {error}", retry_at=retry_at)
    leases.record_unreachable(now=now, error=error)
    summary.unreachable = error
    summary.released += len(held)
    summary.errors.append(
        f"email server unreachable ({error}): {len(held)} notices put back, "
        f"next attempt at {retry_at:%Y-%m-%d %H:%M} UTC"
    )
    logger.error("Email server unreachable: %s", error)


def deliver_notifications(
    *,
    now: datetime | None = None,
    batch_size: int = BATCH_SIZE,
    time_budget: float | None = None,
) -> DeliverySummary:
    """Send due notifications, a batch per SMTP connection, until none are due or time is up.

    The time budget (OUTBOX_TIME_BUDGET_SECONDS) keeps a run well inside the
    django-q2 task timeout; the next run continues where this one stopped.
    """
    now = now or timezone.now()
    budget = settings.OUTBOX_TIME_BUDGET_SECONDS if time_budget is None else time_budget
    started = monotonic()

    def out_of_time() -> bool:
        return monotonic() - started >= budget

    summary = DeliverySummary()
    for stale in leases.take_back_expired(now=now):
        summary.errors.append(f"{stale.to_email}: {stale.last_error}")
    lease_until = _lease_until(now, budget)
    while True:
        if out_of_time():
            summary.out_of_time = True
            break
        batch = leases.reconnecting(
            lambda: leases.claim(now=now, limit=batch_size, lease_until=lease_until)
        )
        if not batch:
            break
        batch = _render(batch, now, summary)
        if not batch:
            continue
        filled = rendering.fill_time_left(batch, now=now)
        transport = Transport()
        try:
            transport.open()
        except Unreachable as exc:
            _unreachable(batch, str(exc), now, summary)
            break
        leases.record_reachable()
        try:
            going_on = _send_batch(batch, transport, now, out_of_time, summary, filled)
        finally:
            transport.close()
        if not going_on:
            break
    if summary.out_of_time:
        summary.errors.append(
            f"stopped after its time budget of {budget:g} s; the next run continues"
        )
    return summary


@transaction.atomic
def retry_notification(*, notification: Notification) -> bool:
    """Put a failed notification back in the queue; a sent one is never sent again."""
    rows = Notification.objects.filter(
        pk=notification.pk, status=Notification.Status.FAILED
    ).update(
        status=Notification.Status.PENDING,
        attempts=0,
        next_attempt_at=timezone.now(),
        last_error="",
    )
    return rows == 1
