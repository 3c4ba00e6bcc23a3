"""Sending the outbox: each due row is claimed, sent and marked in its own transaction.

A row is claimed with `select_for_update(skip_locked=True)`, so two workers
never send the same row; it is marked `sent` in the same transaction as the
send, so a committed `sent` is never sent again. A failure backs off and
retries; after the last attempt the row stays `failed` with its error, and an
operator can retry it from the admin.
"""

import logging
import smtplib
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.conf import settings
from django.core import mail
from django.db import connection, transaction
from django.utils import timezone

from returns import emails
from returns.models import Notification

logger = logging.getLogger(__name__)

MAX_SEND_ATTEMPTS = 5
BATCH_SIZE = 200


def backoff(attempts: int) -> timedelta:
    """2, 4, 8, 16 minutes between tries."""
    return timedelta(minutes=2**attempts)


@dataclass
class DeliverySummary:
    sent: int = 0
    retrying: int = 0
    failed: int = 0
    errors: list[str] = field(default_factory=list)

    def __str__(self) -> str:
        return f"sent {self.sent}, retrying {self.retrying}, failed {self.failed}"


def _due(now: datetime, after_id: int, limit: int) -> list[int]:
    # Walks forward by id, so rows another worker holds (or that now wait for a
    # retry) are passed over once rather than read again.
    return list(
        Notification.objects.filter(
            status=Notification.Status.PENDING, next_attempt_at__lte=now, id__gt=after_id
        )
        .order_by("id")
        .values_list("id", flat=True)[:limit]
    )


def _message(notification: Notification, smtp) -> mail.EmailMultiAlternatives:
    message = mail.EmailMultiAlternatives(
        subject=notification.subject,
        body=notification.body_text,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[notification.to_email],
        connection=smtp,
        # A stable id lets a receiving server drop the copy of a rare re-send.
        headers={"Message-ID": f"<notification-{notification.pk}@returns-portal>"},
    )
    message.attach_alternative(notification.body_html, "text/html")
    return message


def _send(message: mail.EmailMultiAlternatives, smtp) -> None:
    """Send on the batch's connection, reconnecting once if the server dropped it.

    Servers close long sessions (message limits, idle time); without this, every
    later row of the batch would fail on the dead connection and spend a try.
    """
    try:
        message.send()
    except smtplib.SMTPServerDisconnected:
        smtp.close()
        smtp.open()
        message.send()


def _render_unrendered(batch: list[int]) -> None:
    """Render the notices a job wrote in bulk, before any sending is tried.

    Sellers read their notices in the portal too: a notice should read in full
    within a minute even while the email server is down.
    """
    unrendered = Notification.objects.filter(pk__in=batch, subject="").values_list("pk", flat=True)
    for notification_id in list(unrendered):
        with transaction.atomic():
            notification = (
                Notification.objects.select_for_update(
                    skip_locked=connection.features.has_select_for_update_skip_locked
                )
                .filter(pk=notification_id, subject="")
                .first()
            )
            if notification is None:
                continue
            try:
                emails.render_deferred(notification)
            except Exception:  # the send step records the error against the row's tries
                logger.exception("Notification %s could not be rendered", notification_id)
                continue
            notification.save(update_fields=["subject", "body_text", "body_html"])


def _send_one(notification_id: int, smtp, now: datetime, summary: DeliverySummary) -> None:
    with transaction.atomic():
        locked = Notification.objects.select_for_update(
            skip_locked=connection.features.has_select_for_update_skip_locked
        )
        # By key alone, the state checked here: with the state in the WHERE, the planner
        # may walk the whole due index for one row (it did, with thousands pending).
        notification = locked.filter(pk=notification_id).order_by().first()
        if (
            notification is None  # claimed by another worker meanwhile
            or notification.status != Notification.Status.PENDING
            or notification.next_attempt_at > now
        ):
            return
        notification.attempts += 1
        try:
            if not notification.subject:  # written in bulk by a job: rendered now
                emails.render_deferred(notification)
            _send(_message(notification, smtp), smtp)
        except Exception as exc:  # any transport error is recorded on the row
            notification.last_error = f"{type(exc).__name__}: {exc}"[:2000]
            if notification.attempts >= MAX_SEND_ATTEMPTS:
                notification.status = Notification.Status.FAILED
                summary.failed += 1
            else:
                notification.next_attempt_at = now + backoff(notification.attempts)
                summary.retrying += 1
            summary.errors.append(f"{notification.to_email}: {notification.last_error}")
            logger.warning("Notification %s not sent: %s", notification.pk, notification.last_error)
        else:
            notification.status = Notification.Status.SENT
            notification.sent_at = timezone.now()
            notification.last_error = ""
            summary.sent += 1
        notification.save(
            update_fields=[
                "attempts", "status", "sent_at", "next_attempt_at", "last_error",
                "subject", "body_text", "body_html",
            ]
        )  # fmt: skip


def deliver_notifications(
    *, now: datetime | None = None, batch_size: int = BATCH_SIZE
) -> DeliverySummary:
    """Send every due notification, a batch at a time, one SMTP connection per batch."""
    now = now or timezone.now()
    summary = DeliverySummary()
    last_id = 0
    while batch := _due(now, last_id, batch_size):
        last_id = batch[-1]
        _render_unrendered(batch)
        smtp = mail.get_connection()
        try:
            smtp.open()
        except Exception as exc:  # the server is down: every row waits for the next run
            logger.warning("Email server unreachable: %s", exc)
            summary.errors.append(f"email server unreachable: {exc}")
            return summary
        try:
            for notification_id in batch:
                _send_one(notification_id, smtp, now, summary)
        finally:
            smtp.close()
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
