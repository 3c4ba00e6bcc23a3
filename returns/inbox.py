"""The seller's in-app notices: the only change a seller makes to one is reading it."""

from django.db.models import QuerySet
from django.utils import timezone

from returns.models import Notification


def mark_read(*, notifications: QuerySet[Notification]) -> int:
    """Mark the given (already scoped) notices read; returns how many were unread."""
    return notifications.filter(read_at__isnull=True).update(read_at=timezone.now())
