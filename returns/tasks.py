"""Scheduled and queued jobs of the returns app: thin wrappers over the services."""

from returns import outbox


def deliver_notifications() -> str:
    return str(outbox.deliver_notifications())
