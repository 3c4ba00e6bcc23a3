"""A package's delivery attempts and its audit trail, the events the services append.

Imported by `returns.models`, which re-exports them.
"""

from django.apps import apps
from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext, ngettext, pgettext_lazy
from django.utils.translation import gettext_lazy as _
from django_stubs_ext import StrOrPromise

from portal.formatting import choice_label
from portal.querysets import TenantQuerySet
from returns.instruction_models import InstructionRule
from returns.package_choices import DestructionMethod, PackageStatus


class AttemptQuerySet(TenantQuerySet):
    seller_path = "package__seller"
    provider_path = "package__provider"


class AttemptOutcome(models.TextChoices):
    FAILED = "failed", pgettext_lazy("delivery attempt outcome", "Failed")
    DELIVERED = "delivered", _("Delivered")
    REJECTED = "rejected", _("Rejected by the seller")


class DeliveryAttempt(models.Model):
    """One try at delivering the package back to the seller."""

    Outcome = AttemptOutcome

    # No index of its own: the unique (package, number) index leads with it, and each
    # intake event writes an attempt.
    package = models.ForeignKey(
        "FailedPackage",
        on_delete=models.CASCADE,
        related_name="attempts",
        db_index=False,
        verbose_name=_("package"),
    )
    number = models.PositiveSmallIntegerField(_("number"))
    attempted_at = models.DateTimeField(_("attempted at"))
    outcome = models.CharField(_("outcome"), max_length=10, choices=Outcome.choices)
    failure_reason = models.CharField(_("failure reason"), max_length=200, blank=True)
    # Bounded: a carrier's feed once sent 5 MB of it, printed on the seller's page.
    courier_note = models.CharField(_("courier note"), max_length=1000, blank=True)

    objects = AttemptQuerySet.as_manager()

    class Meta:
        verbose_name = _("delivery attempt")
        verbose_name_plural = _("delivery attempts")
        ordering = ["package", "number"]
        constraints = [
            models.UniqueConstraint(fields=["package", "number"], name="attempt_number_unique"),
            models.CheckConstraint(
                condition=Q(outcome__in=AttemptOutcome.values), name="attempt_outcome_valid"
            ),
        ]

    def __str__(self) -> str:
        return gettext("Attempt %(number)s (%(outcome)s)") % {
            "number": self.number,
            "outcome": choice_label(self, "outcome"),
        }


class EventQuerySet(TenantQuerySet):
    seller_path = "package__seller"
    provider_path = "package__provider"


class Channel(models.TextChoices):
    WEB = "web", _("Seller portal")
    ADMIN = "admin", _("Provider console")
    API = "api", _("Intake API")
    CSV = "csv", _("CSV import")
    JOB = "job", _("Scheduled job")
    # A one-click action from an email (returns.action_links), taken without signing in.
    EMAIL = "email", _("Email link")


class EventAction(models.TextChoices):
    """What the services record (returns.services); a fixed list the console filters by.

    The labels are the staff's; a seller's package page reads SELLER_EVENT_LABELS.
    """

    REGISTERED = "registered", _("Registered")
    ATTEMPT_FAILED = "attempt_failed", _("Delivery attempt failed")
    DELIVERY_FAILED = "delivery_failed", _("Last delivery attempt failed")
    DELIVERED = "delivered", _("Delivered")
    REJECTED = "rejected", _("Rejected at delivery")
    CLAIMED = "claimed", _("Claimed")
    RELEASED = "released", _("Released by the seller")
    WINDOW_CLOSED = "window_closed", _("Claim window closed")
    REMINDER_SENT = "reminder_sent", _("Reminder sent")
    RETURNED = "returned", _("Returned")
    CLAIM_WITHDRAWN = "claim_withdrawn", _("Claim withdrawn")
    DESTROYED = "destroyed", _("Destroyed")
    DESTRUCTION_OVERDUE = "destruction_overdue", _("Destruction overdue")
    INSTRUCTION_UNDONE = "instruction_undone", _("Standing instruction undone")
    DETAILS_EDITED = "details_edited", _("Details edited")


# A package's history as its seller reads it (the package page).
SELLER_EVENT_LABELS: dict[str, StrOrPromise] = {
    EventAction.REGISTERED: _("Registered for return"),
    EventAction.ATTEMPT_FAILED: _("Delivery attempt failed"),
    EventAction.DELIVERY_FAILED: _("Last delivery attempt failed: waiting for you"),
    EventAction.DELIVERED: _("Delivered to you"),
    EventAction.REJECTED: _("Rejected at delivery"),
    EventAction.CLAIMED: _("You asked for it back"),
    EventAction.RELEASED: _("You said you no longer need it"),
    EventAction.WINDOW_CLOSED: _("Claim window closed"),
    EventAction.REMINDER_SENT: _("We reminded you of the deadline"),
    EventAction.RETURNED: _("Returned to you"),
    EventAction.CLAIM_WITHDRAWN: _("Return cancelled"),
    EventAction.DESTROYED: _("Destroyed"),
    EventAction.DESTRUCTION_OVERDUE: _("The provider has not yet confirmed the destruction"),
    EventAction.DETAILS_EDITED: _("Package details updated"),
    EventAction.INSTRUCTION_UNDONE: _("Standing instruction undone"),
}


class PackageEvent(models.Model):
    """Append-only audit trail of a package: nothing edits or deletes an event."""

    Channel = Channel
    Action = EventAction

    package = models.ForeignKey(
        "FailedPackage", on_delete=models.PROTECT, related_name="events", verbose_name=_("package")
    )
    action = models.CharField(_("action"), max_length=40, choices=EventAction)
    from_status = models.CharField(
        _("from status"), max_length=20, choices=PackageStatus.choices, blank=True
    )
    to_status = models.CharField(_("to status"), max_length=20, choices=PackageStatus.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        db_index=False,  # partial index in Meta: jobs and carriers write most events,
        verbose_name=_("actor"),
    )
    channel = models.CharField(_("channel"), max_length=10, choices=Channel)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    # What a person typed (a staff note, a withdrawal reason); the services' own words are
    # never stored, they are built from `facts` when read, in the reader's language.
    detail = models.TextField(_("detail"), blank=True)
    facts = models.JSONField(_("facts"), default=dict, blank=True)

    objects = EventQuerySet.as_manager()

    class Meta:
        verbose_name = _("package event")
        verbose_name_plural = _("package events")
        ordering = ["package", "created_at", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(channel__in=Channel.values), name="event_channel_valid"
            ),
            models.CheckConstraint(
                condition=Q(action__in=EventAction.values), name="event_action_valid"
            ),
        ]
        indexes = [
            # The actor's foreign key, and the console's "Recent actions" (newest first).
            models.Index(
                fields=["actor", "-created_at", "-id"],
                condition=Q(actor__isnull=False),
                name="event_actor_recent",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.action}: {self.from_status or '—'} → {self.to_status}"

    def description(self) -> str:
        """The event's detail in the active language: the services' facts, else the note."""
        facts = self.facts or {}
        if "attempt" in facts:
            return gettext("Attempt %(number)s failed: %(reason)s") % {
                "number": facts["attempt"],
                "reason": facts.get("reason", ""),
            }
        if "destruction_reference" in facts:
            method = DestructionMethod(facts["method"]).label
            return gettext("%(method)s, reference %(reference)s") % {
                "method": method,
                "reference": facts["destruction_reference"],
            }
        if "overdue_days" in facts:
            return ngettext(
                "Not destroyed %(days)s day after the instruction; the provider was reminded.",
                "Not destroyed %(days)s days after the instruction; the provider was reminded.",
                facts["overdue_days"],
            ) % {"days": facts["overdue_days"]}
        if "rule" in facts:
            rule = InstructionRule(facts["rule"]).label
            if self.action == EventAction.INSTRUCTION_UNDONE:
                return gettext("The seller undid their standing instruction “%(rule)s”.") % {
                    "rule": rule
                }
            return gettext("Decided by the seller's standing instruction “%(rule)s”.") % {
                "rule": rule
            }
        if "changed" in facts:
            # By name: the package model imports this module.
            package_model = apps.get_model("returns", "FailedPackage")
            fields = [package_model._meta.get_field(name) for name in facts["changed"]]
            names = [str(f.verbose_name) for f in fields if isinstance(f, models.Field)]
            return gettext("Changed: %(fields)s") % {"fields": ", ".join(names)}
        if self.detail:
            return self.detail
        if "ticket" in facts:
            return gettext("Ticket %(reference)s") % {"reference": facts["ticket"]}
        return ""
