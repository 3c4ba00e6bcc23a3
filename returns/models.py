import hashlib
import secrets
from pathlib import PurePosixPath
from typing import Self, TypeAlias

import filetype
from django.conf import settings
from django.core.files import File
from django.db import models
from django.db.models import Case, F, Q, Value, When
from django.utils import timezone
from django.utils.translation import gettext, ngettext, pgettext_lazy
from django.utils.translation import gettext_lazy as _
from django_stubs_ext import StrOrPromise

from portal.models import LogisticsProvider, Seller
from portal.querysets import TenantQuerySet
from portal.storage import PrivateStorage, random_name
from portal.tenancy import Viewer
from returns.batch_models import BatchEntry, PackageBatch
from returns.day_count_models import DayCount as DayCount

__all__ = ["BatchEntry", "PackageBatch"]  # defined beside, registered with this app

# The destruction photo's types, each with the extension it is stored under. The services
# read the type from the file's first bytes (`photo_type`) and name the stored file by it,
# so the stored extension records a checked type and the download serves that type.
PHOTO_TYPES = {"image/jpeg": ".jpg", "image/png": ".png"}


def photo_type(photo: File[bytes]) -> str | None:
    """The photo's content type by its content, never its name; None unless JPEG or PNG."""
    photo.seek(0)
    kind = filetype.guess(photo.read(2048))
    photo.seek(0)
    return kind.mime if kind is not None and kind.mime in PHOTO_TYPES else None


def stored_photo_type(name: str) -> str:
    """The content type of a stored photo, from the extension `photo_type` chose (bytes of
    no stated type for a name the services did not write)."""
    types = {extension: mime for mime, extension in PHOTO_TYPES.items()}
    return types.get(PurePosixPath(name).suffix, "application/octet-stream")


def destruction_photo_name(instance: models.Model, filename: str) -> str:
    """A random name: whoever knows a package's public id must not find its photo."""
    return random_name("destructions", PurePosixPath(filename).suffix.lower())


def new_public_id() -> str:
    """Random and unguessable: package URLs must not be enumerable."""
    return secrets.token_urlsafe(12)


class PackageStatus(models.TextChoices):
    """The labels are the seller's ("Waiting for you"); staff read STAFF_STATES."""

    IN_DELIVERY = "in_delivery", _("In delivery")
    AWAITING_SELLER = "awaiting_seller", _("Waiting for you")
    CLAIMED = "claimed", _("Coming back to you")
    RETURNED = "returned", _("Returned")
    DESTRUCTION_PENDING = "destruction_pending", _("To be destroyed")
    DESTROYED = "destroyed", _("Destroyed")


# How a package's state reads for an agent, in "TRK-1 is …" and the console's status filter.
STAFF_STATES: dict[str, StrOrPromise] = {
    PackageStatus.IN_DELIVERY: pgettext_lazy("package state for staff", "in delivery"),
    PackageStatus.AWAITING_SELLER: pgettext_lazy("package state for staff", "awaiting the seller"),
    PackageStatus.CLAIMED: pgettext_lazy("package state for staff", "claimed"),
    PackageStatus.RETURNED: pgettext_lazy("package state for staff", "returned"),
    PackageStatus.DESTRUCTION_PENDING: pgettext_lazy(
        "package state for staff", "waiting for destruction"
    ),
    PackageStatus.DESTROYED: pgettext_lazy("package state for staff", "destroyed"),
}


class PackageReason(models.TextChoices):
    SELLER_REJECTED = "seller_rejected", _("Rejected at delivery")
    DELIVERY_FAILED = "delivery_failed", _("Could not be delivered")


class FailedPackage(models.Model):
    """A return package on its way back to the seller, and what became of it.

    Status changes only through `returns.services`; see DESIGN.md §5.
    """

    Status: TypeAlias = PackageStatus
    Reason = PackageReason

    class DestructionMethod(models.TextChoices):
        RECYCLED = "recycled", _("Recycled")
        SHREDDED = "shredded", _("Shredded")
        INCINERATED = "incinerated", _("Incinerated")
        OTHER = "other", _("Other (see reference)")

    # Unique through Meta.constraints: `unique=True` would add a second, LIKE-ready
    # index on PostgreSQL, and nothing searches public ids by prefix.
    public_id = models.CharField(
        _("public id"), max_length=24, default=new_public_id, editable=False
    )
    # No index of their own: the composite indexes below lead with each of them, and
    # every index on this table is rewritten when a package changes status.
    provider = models.ForeignKey(
        LogisticsProvider,
        on_delete=models.PROTECT,
        related_name="packages",
        db_index=False,
        verbose_name=_("provider"),
    )
    seller = models.ForeignKey(
        Seller,
        on_delete=models.PROTECT,
        related_name="packages",
        db_index=False,
        verbose_name=_("seller"),
    )
    tracking_number = models.CharField(_("tracking number"), max_length=64)
    order_id = models.CharField(_("order id"), max_length=64)
    return_id = models.CharField(_("return id"), max_length=64, blank=True)

    description = models.CharField(_("description"), max_length=300, blank=True)
    weight_grams = models.PositiveIntegerField(_("weight grams"), null=True, blank=True)
    declared_value = models.DecimalField(
        _("declared value"), max_digits=12, decimal_places=2, null=True, blank=True
    )
    currency = models.CharField(_("currency"), max_length=3, blank=True)
    warehouse_location = models.CharField(
        _("warehouse location"),
        max_length=64,
        blank=True,
        help_text=_("Bin or shelf at the provider's warehouse."),
    )

    reason = models.CharField(_("reason"), max_length=20, choices=Reason.choices, blank=True)
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.IN_DELIVERY
    )

    registered_at = models.DateTimeField(_("registered at"), default=timezone.now)
    failed_at = models.DateTimeField(_("failed at"), null=True, blank=True)
    claim_deadline = models.DateTimeField(_("claim deadline"), null=True, blank=True)
    reminded_at = models.DateTimeField(_("reminded at"), null=True, blank=True)
    # The stage of the last reminder sent (returns.reminders): no stage of more hours
    # goes out after it, and each stage once.
    reminded_hours_before = models.PositiveSmallIntegerField(
        _("last reminder, hours before the deadline"), null=True, blank=True
    )
    claimed_at = models.DateTimeField(_("claimed at"), null=True, blank=True)
    released_at = models.DateTimeField(_("released at"), null=True, blank=True)
    returned_at = models.DateTimeField(_("returned at"), null=True, blank=True)
    destruction_requested_at = models.DateTimeField(
        _("destruction requested at"), null=True, blank=True
    )
    destruction_overdue_at = models.DateTimeField(
        _("destruction overdue at"), null=True, blank=True
    )
    destroyed_at = models.DateTimeField(_("destroyed at"), null=True, blank=True)
    destruction_reference = models.CharField(_("destruction reference"), max_length=64, blank=True)
    destruction_method = models.CharField(
        _("destruction method"), max_length=20, choices=DestructionMethod.choices, blank=True
    )
    destroyed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        db_index=False,  # a partial index in Meta: only destroyed packages have one,
        verbose_name=_("destroyed by"),
    )
    # Printed on the certificate: anyone holding it may confirm it at /verify/<code>/
    # (returns.certificates). Random, so the codes cannot be walked.
    # A database default too: bulk loads (COPY, INSERT … SELECT) name only what they know.
    certificate_code = models.CharField(
        _("certificate code"), max_length=16, blank=True, editable=False, db_default=""
    )
    # Served only by `returns:destruction_photo`, which checks who asks.
    destruction_photo = models.FileField(
        _("destruction photo"),
        storage=PrivateStorage(),
        upload_to=destruction_photo_name,
        blank=True,
    )
    # The scan-station batch whose confirmation destroyed it; its certificate names it.
    destruction_batch = models.ForeignKey(
        PackageBatch,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,  # a partial index in Meta: most packages have none
        verbose_name=_("destruction batch"),
    )

    # The seller's list, "Needs action": open decisions first, then packages on their way
    # back, then those to be destroyed, still in delivery, and last the finished ones. A
    # stored column, not an ORDER BY CASE, so an index serves the first page of a seller
    # with 10,000 rows.
    action_rank = models.GeneratedField(
        expression=Case(
            When(status="awaiting_seller", then=Value(0)),
            When(status="claimed", then=Value(1)),
            When(status="destruction_pending", then=Value(2)),
            When(status="in_delivery", then=Value(3)),
            default=Value(4),
        ),
        output_field=models.PositiveSmallIntegerField(),
        db_persist=True,
    )
    # The deadline while the seller can still act on it: a closed window keeps its
    # `claim_deadline`, which must not put a returned package before an open one.
    open_deadline = models.GeneratedField(
        expression=Case(When(status="awaiting_seller", then=F("claim_deadline")), default=None),
        output_field=models.DateTimeField(null=True),
        db_persist=True,
    )

    # The console's work-first order (returns.admin.packages): windows closing soonest,
    # then destructions waiting longest (the overdue ones among them), then packages to
    # send back, then those in delivery, and last the finished ones. Stored, so one index
    # serves the first page of a provider with a million packages.
    work_rank = models.GeneratedField(
        expression=Case(
            When(status="awaiting_seller", then=Value(0)),
            When(status="destruction_pending", then=Value(1)),
            When(status="claimed", then=Value(2)),
            When(status="in_delivery", then=Value(3)),
            default=Value(4),
        ),
        output_field=models.PositiveSmallIntegerField(),
        db_persist=True,
    )
    work_due = models.GeneratedField(
        expression=Case(
            When(status="awaiting_seller", then=F("claim_deadline")),
            When(status="destruction_pending", then=F("destruction_requested_at")),
            When(status="claimed", then=F("claimed_at")),
            default=None,
        ),
        output_field=models.DateTimeField(null=True),
        db_persist=True,
    )

    objects = TenantQuerySet.as_manager()

    class Meta:
        verbose_name = _("failed package")
        verbose_name_plural = _("failed packages")
        ordering = ["-registered_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["public_id"], name="package_public_id_unique"),
            # Tracking number first, so its index also finds a number across providers
            # (an operator's search); (provider, number) lookups use it all the same.
            models.UniqueConstraint(
                fields=["tracking_number", "provider"], name="package_tracking_unique_per_provider"
            ),
            # Partial: only destroyed packages have a code. Its index is /verify/'s lookup.
            models.UniqueConstraint(
                fields=["certificate_code"],
                condition=~Q(certificate_code=""),
                name="package_certificate_code_unique",
            ),
            models.CheckConstraint(
                condition=Q(status__in=PackageStatus.values), name="package_status_valid"
            ),
            models.CheckConstraint(
                condition=Q(reason__in=[*PackageReason.values, ""]), name="package_reason_valid"
            ),
            models.CheckConstraint(
                condition=~Q(status="awaiting_seller") | Q(claim_deadline__isnull=False),
                name="package_deadline_while_awaiting_seller",
            ),
            models.CheckConstraint(
                condition=(
                    Q(status="destroyed", destroyed_at__isnull=False) & ~Q(destruction_reference="")
                )
                | (~Q(status="destroyed") & Q(destroyed_at__isnull=True, destruction_reference="")),
                name="package_destruction_recorded_exactly_when_destroyed",
            ),
        ]
        indexes = [
            # Read by the finalize and reminder jobs (returns.tasks): open windows by deadline
            # (the reminder job's stage conditions filter the few rows in its span).
            models.Index(
                fields=["claim_deadline"],
                condition=Q(status="awaiting_seller"),
                name="package_open_window_deadline",
            ),
            # Read by the overdue-destruction job and the console's work list.
            models.Index(
                fields=["destruction_requested_at"],
                condition=Q(status="destruction_pending"),
                name="package_pending_destruction",
            ),
            # The console's work list and its "overdue" filter: few rows, by provider.
            models.Index(
                fields=["provider"],
                condition=Q(status="destruction_pending", destruction_overdue_at__isnull=False),
                name="package_overdue_destruction",
            ),
            # Seller pages: one seller's packages by status and deadline.
            models.Index(fields=["seller", "status", "claim_deadline"], name="package_seller"),
            # The seller's list, one index per way it sorts (returns.selectors.SORTS).
            models.Index(
                fields=["seller", "action_rank", "open_deadline", "-registered_at", "-id"],
                name="package_seller_action",
            ),
            models.Index(
                fields=["seller", "open_deadline", "-registered_at", "-id"],
                name="package_seller_deadline",
            ),
            models.Index(fields=["seller", "-registered_at", "-id"], name="package_seller_recent"),
            # Provider console, unfiltered: the staff's list and the operators' list in the
            # default ordering, so the first page is read from an index, not sorted.
            models.Index(
                fields=["provider", "-registered_at", "-id"], name="package_provider_recent"
            ),
            models.Index(fields=["-registered_at", "-id"], name="package_recent"),
            # The console's work-first list (FailedPackageAdmin.ordering): a provider's
            # staff, the operators, and either with a status filter.
            models.Index(
                fields=["provider", "work_rank", "work_due", "-registered_at", "-id"],
                name="package_provider_work",
            ),
            models.Index(
                fields=["provider", "status", "work_due", "-registered_at", "-id"],
                name="package_provider_status_work",
            ),
            models.Index(
                fields=["work_rank", "work_due", "-registered_at", "-id"], name="package_work"
            ),
            # The console's prefix search (returns.admin.search): under a non-C collation a
            # plain btree cannot serve LIKE 'TH12%'; the pattern operator class can, and
            # equality too. Ignored on SQLite, which builds a plain index.
            models.Index(
                fields=["tracking_number"],
                opclasses=["varchar_pattern_ops"],
                name="package_tracking_prefix",
            ),
            models.Index(
                fields=["order_id"], opclasses=["varchar_pattern_ops"], name="package_order_id"
            ),
            # The pick list (returns.admin.floor): claimed packages by bin.
            models.Index(
                fields=["provider", "warehouse_location", "id"],
                condition=Q(status="claimed"),
                name="package_pick_list",
            ),
            models.Index(
                fields=["destruction_batch"],
                condition=Q(destruction_batch__isnull=False),
                name="package_destruction_batch",
            ),
            # The work list's last 30 days (returns.week): one index-only range scan per
            # series. Partial: each moment is set once, so a package enters each index once,
            # when it happens. The failures carry what the claim rate counts.
            models.Index(
                fields=["provider", "failed_at"],
                include=["reason", "claimed_at"],
                condition=Q(failed_at__isnull=False),
                name="package_week_failed_at",
            ),
            *(
                models.Index(
                    fields=["provider", moment],
                    condition=Q(**{f"{moment}__isnull": False}),
                    name=f"package_week_{moment}",
                )
                for moment in ["claimed_at", "released_at", "destroyed_at"]
            ),
            # For SET NULL when a staff account is deleted. Partial, like the two below,
            # because the column is mostly empty and a full index would still take an
            # entry for every row each time a package changes status.
            models.Index(
                fields=["destroyed_by"],
                condition=Q(destroyed_by__isnull=False),
                name="package_destroyed_by",
            ),
        ]

    def __str__(self) -> str:
        return self.tracking_number


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
        FailedPackage,
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
            "outcome": self.get_outcome_display(),
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

# What the console's package page lets staff edit (returns.delivery.edit_package_details).
EDITABLE_DETAILS = [
    "description",
    "weight_grams",
    "declared_value",
    "currency",
    "warehouse_location",
]


class PackageEvent(models.Model):
    """Append-only audit trail of a package: nothing edits or deletes an event."""

    Channel = Channel
    Action = EventAction

    package = models.ForeignKey(
        FailedPackage, on_delete=models.PROTECT, related_name="events", verbose_name=_("package")
    )
    action = models.CharField(_("action"), max_length=40, choices=EventAction)
    from_status = models.CharField(
        _("from status"), max_length=20, choices=FailedPackage.Status.choices, blank=True
    )
    to_status = models.CharField(
        _("to status"), max_length=20, choices=FailedPackage.Status.choices
    )
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
            method = FailedPackage.DestructionMethod(facts["method"]).label
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
            fields = [FailedPackage._meta.get_field(name) for name in facts["changed"]]
            names = [str(f.verbose_name) for f in fields if isinstance(f, models.Field)]
            return gettext("Changed: %(fields)s") % {"fields": ", ".join(names)}
        if self.detail:
            return self.detail
        if "ticket" in facts:
            return gettext("Ticket %(reference)s") % {"reference": facts["ticket"]}
        return ""


class NotificationQuerySet(TenantQuerySet):
    def for_user(self, user: Viewer) -> Self:
        # Sellers see only the notices addressed to them, not the provider's copies.
        scoped = super().for_user(user)
        if user.is_authenticated and user.seller_id and not user.is_superuser:
            scoped = scoped.filter(audience=Notification.Audience.SELLER)
        return scoped


class NotificationStatus(models.TextChoices):
    PENDING = "pending", pgettext_lazy("notification status", "Pending")
    # Claimed by a delivery run until `lease_until` (returns.outbox): being sent now.
    SENDING = "sending", pgettext_lazy("notification status", "Sending")
    SENT = "sent", pgettext_lazy("notification status", "Sent")
    FAILED = "failed", pgettext_lazy("notification status", "Failed")
    # Never sent: an optional email the seller turned off (Seller.reminder_emails and the
    # like), kept in /notifications/; or a confirmation link for an address since removed.
    MUTED = "muted", pgettext_lazy("notification status", "Not emailed (turned off)")


class Notification(models.Model):
    """The outbox: written with the change that causes it, sent by a job after commit."""

    class Audience(models.TextChoices):
        SELLER = "seller", _("Seller")
        PROVIDER = "provider", _("Provider operations")
        # A shop's new notification address, asked to confirm itself: not the shop's
        # notice (kept out of /notifications/) and no provider's.
        NEW_ADDRESS = "address", _("Address to confirm")
        # A person invited to a seller's team (the team app): not a notice on the seller's
        # page, which every colleague reads, since it carries the invitation's link.
        INVITEE = "invitee", _("Invited person")

    class Kind(models.TextChoices):
        DESTRUCTION_NOTICE = "destruction_notice", _("Destruction notice")
        DEADLINE_REMINDER = "deadline_reminder", _("Deadline reminder")
        REJECTION_NOTICE = "rejection_notice", _("Rejected package notice")
        CLAIM_CONFIRMED = "claim_confirmed", _("Claim confirmed")
        RELEASE_CONFIRMED = "release_confirmed", _("Release confirmed")
        DESTRUCTION_FINALIZED = "destruction_finalized", _("Claim window closed")
        CLAIM_WITHDRAWN = "claim_withdrawn", _("Claim withdrawn")
        DESTROYED = "destroyed", _("Destroyed")
        RETURNED = "returned", _("Returned")
        DESTRUCTION_INSTRUCTION = "destruction_instruction", _("Destruction instruction")
        CLAIM_RECEIVED = "claim_received", _("Claim received")
        TICKET_CREATED = "ticket_created", _("New ticket")
        TICKET_REPLY = "ticket_reply", _("Ticket reply")
        TICKET_OVERDUE = "ticket_overdue", _("Ticket overdue")
        DESTRUCTION_OVERDUE = "destruction_overdue", _("Destruction overdue")
        ADDRESS_CONFIRMATION = "address_confirmation", _("Notification address confirmation")
        TEAM_INVITE = "team_invite", _("Team invitation")
        INSTRUCTION_APPLIED = "instruction_applied", _("Standing instruction applied")
        INSTRUCTION_UNDONE = "instruction_undone", _("Standing instruction undone")

    Status: TypeAlias = NotificationStatus

    audience = models.CharField(_("audience"), max_length=10, choices=Audience.choices)
    # No index of its own: notification_seller leads with it.
    seller = models.ForeignKey(
        Seller,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="notifications",
        db_index=False,
        verbose_name=_("seller"),
    )
    # Empty only for an email about no package or ticket (an address confirmation, a
    # team invitation): provider staff never see those, the console scopes by provider.
    provider = models.ForeignKey(
        LogisticsProvider,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="notifications",
        verbose_name=_("provider"),
    )
    package = models.ForeignKey(
        FailedPackage,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="notifications",
        verbose_name=_("package"),
    )
    # The ticket app sits above this one, so a ticket is referred to by its reference.
    ticket_reference = models.CharField(_("ticket reference"), max_length=16, blank=True)
    kind = models.CharField(_("kind"), max_length=30, choices=Kind.choices)
    to_email = models.EmailField(_("to email"))
    # The seller's other confirmed addresses (one a line), a snapshot like to_email: one
    # message to all of them, so one row, one dedupe key and one Message-ID per notice.
    # A database default too: the finalize job writes notices with INSERT … SELECT.
    also_to = models.TextField(_("also to"), blank=True, default="", db_default="")
    subject = models.CharField(_("subject"), max_length=250)
    body_text = models.TextField(_("body text"))
    body_html = models.TextField(_("body html"))
    dedupe_key = models.CharField(_("dedupe key"), max_length=200)  # unique: see Meta.constraints

    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.PENDING
    )
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    # Tries whose outcome is unknown: the connection dropped after DATA, or the sender
    # stopped while it held the row. The server may have a copy (see returns.outbox).
    # A database default too: the finalize job writes notices with INSERT … SELECT.
    uncertain_attempts = models.PositiveSmallIntegerField(
        _("uncertain attempts"), default=0, db_default=0
    )
    lease_until = models.DateTimeField(_("claimed until"), null=True, blank=True)
    next_attempt_at = models.DateTimeField(_("next attempt at"), default=timezone.now)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)
    last_error = models.TextField(_("last error"), blank=True)
    read_at = models.DateTimeField(_("read at"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    # The recipient's language when the notice was written (a snapshot, like to_email):
    # the outbox renders a deferred notice in it and sends it as the Content-Language.
    language = models.CharField(_("language"), max_length=8, default="en")

    objects = NotificationQuerySet.as_manager()

    class Meta:
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        ordering = ["-created_at", "-id"]
        constraints = [
            # A constraint rather than `unique=True`, which would add a LIKE index on
            # PostgreSQL that no query uses and every notice written would pay for.
            models.UniqueConstraint(fields=["dedupe_key"], name="notification_dedupe_key_unique"),
            models.CheckConstraint(
                condition=Q(status__in=NotificationStatus.values),
                name="notification_status_valid",
            ),
            models.CheckConstraint(
                condition=~Q(audience="seller") | Q(seller__isnull=False),
                name="notification_seller_notice_has_seller",
            ),
            # Only the emails about the shop itself (a team invitation, an address to
            # confirm) have no provider; every notice about a package or ticket has one.
            models.CheckConstraint(
                condition=Q(audience__in=["invitee", "address"]) | Q(provider__isnull=False),
                name="notification_notice_has_provider",
            ),
            models.CheckConstraint(
                condition=~Q(status="sent") | Q(sent_at__isnull=False),
                name="notification_sent_has_time",
            ),
            models.CheckConstraint(
                condition=~Q(status="sending") | Q(lease_until__isnull=False),
                name="notification_sending_has_lease",
            ),
        ]
        indexes = [
            # Read by deliver_notifications (returns.tasks): the due part of the outbox.
            models.Index(
                fields=["next_attempt_at"],
                condition=Q(status="pending"),
                name="notification_due",
            ),
            # The seller's /notifications/ page and the dashboard: newest first.
            models.Index(fields=["seller", "audience", "-created_at"], name="notification_seller"),
            # The nav's unread count on every seller page: only the unread rows, so the count
            # stays a short index scan for a seller with years of notices read.
            models.Index(
                fields=["seller"],
                condition=Q(audience="seller", read_at__isnull=True),
                name="notification_seller_unread",
            ),
            # Read by deliver_notifications (returns.outbox.leases): claims whose sender
            # stopped, taken again once their lease has run out.
            models.Index(
                fields=["lease_until"],
                condition=Q(status="sending"),
                name="notification_leased",
            ),
            # The console's work list: a provider's notifications that could not be sent.
            models.Index(
                fields=["provider"], condition=Q(status="failed"), name="notification_failed"
            ),
        ]

    def __str__(self) -> str:
        # Translators: a notification in the console, e.g. "Destruction notice to shop@example.com".
        return gettext("%(kind)s to %(email)s") % {
            "kind": self.get_kind_display(),
            "email": self.to_email,
        }

    @property
    def title(self) -> str:
        """The subject, or the kind until the outbox renders a notice written in bulk."""
        return self.subject or self.get_kind_display()

    @property
    def recipients(self) -> list[str]:
        return [self.to_email, *self.also_to.split()]


class MailServerStatus(models.Model):
    """One row: whether delivery runs can reach the email server, and since when not.

    Written by the outbox (returns.outbox) when a run cannot connect and when one
    connects again; read by the console's work list and by /healthz.
    """

    unreachable_since = models.DateTimeField(_("unreachable since"), null=True, blank=True)
    last_error = models.TextField(_("last error"), blank=True)

    class Meta:
        verbose_name = _("email server status")
        verbose_name_plural = _("email server status")

    def __str__(self) -> str:
        return f"unreachable since {self.unreachable_since}" if self.unreachable_since else "ok"


class ActionLinkAction(models.TextChoices):
    SEND_BACK = "send_back", _("Send it back to me")
    LET_GO = "let_go", _("I don't need it")
    # Takes back what the seller's standing instruction decided (returns.instructions).
    UNDO = "undo", _("Undo")


class ActionLink(models.Model):
    """A one-click action a notice carries (returns.action_links): one package, one action.

    Only the token's SHA-256 digest is stored; the notice's stored body holds a mark the
    outbox turns into the link as it sends, so no usable link is kept in the database.
    """

    Action = ActionLinkAction

    notification = models.ForeignKey(
        Notification,
        on_delete=models.CASCADE,
        related_name="action_links",
        verbose_name=_("notification"),
    )
    # No index of its own: the links of a package are only ever read by their digest.
    package = models.ForeignKey(
        FailedPackage,
        on_delete=models.CASCADE,
        related_name="+",
        db_index=False,
        verbose_name=_("package"),
    )
    action = models.CharField(_("action"), max_length=20, choices=Action.choices)
    digest = models.CharField(_("digest"), max_length=64, editable=False)
    expires_at = models.DateTimeField(_("expires at"))
    used_at = models.DateTimeField(_("used at"), null=True, blank=True)

    class Meta:
        verbose_name = _("one-click link")
        verbose_name_plural = _("one-click links")
        constraints = [
            models.UniqueConstraint(fields=["digest"], name="action_link_digest_unique"),
            models.CheckConstraint(
                condition=Q(action__in=ActionLinkAction.values), name="action_link_action_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.action} {self.package_id}"


class InstructionRule(models.TextChoices):
    ASK = "ask", _("Ask me each time")
    SEND_BACK = "send_back", _("Always send it back")
    SEND_BACK_ABOVE = (
        "send_back_above",
        _("Send it back when the declared value is at least an amount, otherwise let it go"),
    )
    LET_GO = "let_go", _("Always let it go")


class StandingInstructionQuerySet(TenantQuerySet):
    provider_path = None


class StandingInstruction(models.Model):
    """A seller's rule for a package that fails delivery for the last time (returns.instructions).

    Append-only: each change is a new row, who set it and when, so the rule a package
    met is on record and a change never rewrites what an earlier rule decided. The
    seller's rule is their latest row; none is "Ask me each time".
    """

    Rule = InstructionRule

    seller = models.ForeignKey(
        Seller,
        on_delete=models.CASCADE,
        related_name="standing_instructions",
        db_index=False,  # the seller_latest index leads with it
        verbose_name=_("seller"),
    )
    rule = models.CharField(_("rule"), max_length=20, choices=Rule.choices, default=Rule.ASK)
    min_value = models.DecimalField(
        _("declared value at least"), max_digits=12, decimal_places=2, null=True, blank=True
    )
    currency = models.CharField(_("currency"), max_length=3, blank=True)
    set_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        db_index=False,  # few rows; a user's deletion may scan them
        verbose_name=_("set by"),
    )
    set_at = models.DateTimeField(_("set at"), default=timezone.now)

    objects = StandingInstructionQuerySet.as_manager()

    class Meta:
        verbose_name = _("standing instruction")
        verbose_name_plural = _("standing instructions")
        ordering = ["seller", "-set_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(rule__in=InstructionRule.values), name="instruction_rule_valid"
            ),
            models.CheckConstraint(
                condition=~Q(rule="send_back_above")
                | (Q(min_value__isnull=False) & ~Q(currency="")),
                name="instruction_threshold_has_value_and_currency",
            ),
        ]
        indexes = [
            # Read at every last failed attempt (returns.instructions): the seller's latest.
            models.Index(fields=["seller", "-set_at", "-id"], name="instruction_seller_latest"),
        ]

    def __str__(self) -> str:
        return f"{self.seller_id}: {self.rule}"


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
