"""The intake API's tokens and the events it has applied.

Imported by `returns.models`, which re-exports them; read by `returns.api`.
"""

import hashlib

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from portal.models import LogisticsProvider
from portal.querysets import TenantQuerySet


class ApiTokenQuerySet(TenantQuerySet):
    seller_path = None

    def active(self) -> "ApiTokenQuerySet":
        return self.filter(revoked_at__isnull=True)


class ApiToken(models.Model):
    """A provider's bearer token for the intake API; only its SHA-256 digest is stored."""

    provider = models.ForeignKey(
        LogisticsProvider,
        on_delete=models.CASCADE,
        related_name="api_tokens",
        verbose_name=_("provider"),
    )
    name = models.CharField(
        _("name"), max_length=100, help_text=_("Which system uses it, e.g. “carrier feed”.")
    )
    prefix = models.CharField(
        _("prefix"), max_length=12, help_text=_("First characters, to recognise the token.")
    )
    digest = models.CharField(_("digest"), max_length=64, unique=True, editable=False)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    last_used_at = models.DateTimeField(_("last used at"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)

    objects = ApiTokenQuerySet.as_manager()

    class Meta:
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")
        ordering = ["provider", "-created_at"]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    @staticmethod
    def digest_of(raw: str) -> str:
        # Tokens are long random strings, so a plain hash is enough (no salt or stretching).
        return hashlib.sha256(raw.encode()).hexdigest()


class IntakeEventQuerySet(TenantQuerySet):
    seller_path = None


class IntakeEvent(models.Model):
    """An intake API event already applied, so a replay returns the first answer unchanged."""

    # No index of its own: the unique (provider, event_id) index leads with it, and every
    # intake event writes a row.
    provider = models.ForeignKey(
        LogisticsProvider,
        on_delete=models.CASCADE,
        related_name="intake_events",
        db_index=False,
        verbose_name=_("provider"),
    )
    event_id = models.CharField(_("event id"), max_length=100)
    kind = models.CharField(_("kind"), max_length=40)
    status_code = models.PositiveSmallIntegerField(_("status code"))
    response = models.JSONField(_("response"))
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    objects = IntakeEventQuerySet.as_manager()

    class Meta:
        verbose_name = _("intake event")
        verbose_name_plural = _("intake events")
        constraints = [
            models.UniqueConstraint(
                fields=["provider", "event_id"], name="intake_event_unique_per_provider"
            )
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.event_id}"
