"""Batches from the scan station: many packages destroyed or sent back on one confirmation.

Imported by `returns.models`, which re-exports them; written by `returns.batches` only.
"""

import secrets

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from portal.models import LogisticsProvider
from portal.querysets import TenantQuerySet
from portal.storage import PrivateStorage

# No 0/O or 1/I: the reference is read off a printed manifest and typed back.
REFERENCE_ALPHABET = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"


def new_batch_reference() -> str:
    return "B-" + "".join(secrets.choice(REFERENCE_ALPHABET) for _ in range(8))


class BatchQuerySet(TenantQuerySet):
    seller_path = None


class PackageBatch(models.Model):
    """Packages scanned together for one action, confirmed once by an agent."""

    class Kind(models.TextChoices):
        DESTRUCTION = "destruction", _("Destruction batch")
        SEND_BACK = "send_back", _("Send-back batch")

    reference = models.CharField(_("reference"), max_length=16, default=new_batch_reference)
    provider = models.ForeignKey(
        LogisticsProvider,
        on_delete=models.PROTECT,
        related_name="batches",
        db_index=False,  # batch_provider_recent leads with it
        verbose_name=_("provider"),
    )
    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("created by"),
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    # Set once, by the confirmation's compare-and-set: no package is added after it.
    confirmed_at = models.DateTimeField(_("confirmed at"), null=True, blank=True)
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("confirmed by"),
    )
    destruction_reference = models.CharField(_("destruction reference"), max_length=64, blank=True)
    destruction_method = models.CharField(_("destruction method"), max_length=20, blank=True)
    # Stored once for the whole batch; each destroyed package's photo names the same file.
    photo = models.FileField(_("photo"), storage=PrivateStorage(), blank=True)

    objects = BatchQuerySet.as_manager()

    class Meta:
        verbose_name = _("package batch")
        verbose_name_plural = _("package batches")
        constraints = [
            models.UniqueConstraint(fields=["reference"], name="batch_reference_unique"),
            models.CheckConstraint(
                condition=Q(kind__in=["destruction", "send_back"]), name="batch_kind_valid"
            ),
        ]
        indexes = [
            # The scan station's list of the provider's latest batches.
            models.Index(fields=["provider", "-created_at"], name="batch_provider_recent"),
        ]

    def __str__(self) -> str:
        return self.reference

    @property
    def is_open(self) -> bool:
        return self.confirmed_at is None


class BatchEntry(models.Model):
    """One package scanned into a batch, and what the confirmation did with it."""

    class Outcome(models.TextChoices):
        WAITING = "", _("Waiting for the confirmation")
        DONE = "done", _("Done")
        SKIPPED = "skipped", _("Skipped")

    batch = models.ForeignKey(
        PackageBatch,
        on_delete=models.CASCADE,
        related_name="entries",
        db_index=False,  # batch_entry_unique leads with it
        verbose_name=_("batch"),
    )
    package = models.ForeignKey(
        "returns.FailedPackage",
        on_delete=models.PROTECT,
        related_name="batch_entries",
        verbose_name=_("package"),
    )
    scanned_at = models.DateTimeField(_("scanned at"), default=timezone.now)
    outcome = models.CharField(_("outcome"), max_length=10, blank=True, choices=Outcome.choices)
    # Why the confirmation skipped it, in the words of the agent who confirmed.
    skip_reason = models.TextField(_("why skipped"), blank=True)

    class Meta:
        verbose_name = _("batch entry")
        verbose_name_plural = _("batch entries")
        constraints = [
            models.UniqueConstraint(fields=["batch", "package"], name="batch_entry_unique"),
            models.CheckConstraint(
                condition=Q(outcome__in=["", "done", "skipped"]), name="batch_entry_outcome_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.batch_id}:{self.package_id}"
