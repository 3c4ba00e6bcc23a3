"""The outbox's part of /healthz (settings.HEALTH_CHECKS): public, so counts and times only."""

from datetime import timedelta

from django.utils import timezone

from returns.models import MailServerStatus, Notification

# The job runs every minute: a notice due this long ago means delivery has stalled
# (no worker running, or every run failing).
STALLED_AFTER = timedelta(minutes=15)


def email_health() -> tuple[str, dict[str, object]]:
    """("email", {...}): degraded while the server is unreachable or delivery stalls."""
    now = timezone.now()
    outage = MailServerStatus.objects.filter(unreachable_since__isnull=False).first()
    # The first notice in line, through the due index; its age is the one an operator
    # feels (how long the next email has waited), without counting a large backlog.
    first = (
        Notification.objects.filter(status=Notification.Status.PENDING)
        .order_by("next_attempt_at")
        .values("created_at", "next_attempt_at")
        .first()
    )
    stalled = first is not None and now - first["next_attempt_at"] > STALLED_AFTER
    report: dict[str, object] = {
        "status": "degraded" if outage or stalled else "ok",
        "server": "unreachable" if outage else "ok",
        "oldest_pending_seconds": (
            int((now - first["created_at"]).total_seconds()) if first else None
        ),
    }
    if outage is not None and outage.unreachable_since is not None:
        report["unreachable_since"] = outage.unreachable_since.isoformat()
    return "email", report
