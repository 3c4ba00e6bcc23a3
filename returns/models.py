import hashlib
import secrets
from pathlib import PurePosixPath

from django.conf import settings
from django.db import models
from django.db.models import Case, Q, Value, When
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from portal.models import LogisticsProvider, Seller
from portal.storage import PrivateStorage, random_name
from portal.tenancy import TenantQuerySet

# The destruction photo's stored extension, the only record of its checked content type.
PHOTO_TYPES = {".jpg": "image/jpeg", ".png": "image/png"}


def destruction_photo_name(instance: models.Model, filename: str) -> str:
    """A random name: whoever knows a package's public id must not find its photo."""
    return random_name("destructions", PurePosixPath(filename).suffix.lower())


def new_public_id() -> str:
    """Random and unguessable: package URLs must not be enumerable."""
    return secrets.token_urlsafe(12)


class PackageQuerySet(TenantQuerySet):
    pass


class PackageStatus(models.TextChoices):
    IN_DELIVERY = "in_delivery", "In delivery"
    AWAITING_SELLER = "awaiting_seller", "Waiting for you"
    CLAIMED = "claimed", "Coming back to you"
    RETURNED = "returned", "Returned"
    DESTRUCTION_PENDING = "destruction_pending", "To be destroyed"
    DESTROYED = "destroyed", "Destroyed"


class PackageReason(models.TextChoices):
    SELLER_REJECTED = "seller_rejected", "Rejected at delivery"
    DELIVERY_FAILED = "delivery_failed", "Could not be delivered"


class FailedPackage(models.Model):
    """A return package on its way back to the seller, and what became of it.

    Status changes only through `returns.services`; see DESIGN.md §5.
    """

    Status = PackageStatus
    Reason = PackageReason

    class DestructionMethod(models.TextChoices):
        RECYCLED = "recycled", "Recycled"
        SHREDDED = "shredded", "Shredded"
        INCINERATED = "incinerated", "Incinerated"
        OTHER = "other", "Other (see reference)"

    # Unique through Meta.constraints: `unique=True` would add a second, LIKE-ready
    # index on PostgreSQL, and nothing searches public ids by prefix.
    public_id = models.CharField(max_length=24, default=new_public_id, editable=False)
    # No index of their own: the composite indexes below lead with each of them, and
    # every index on this table is rewritten when a package changes status.
    provider = models.ForeignKey(
        LogisticsProvider, on_delete=models.PROTECT, related_name="packages", db_index=False
    )
    seller = models.ForeignKey(
        Seller, on_delete=models.PROTECT, related_name="packages", db_index=False
    )
    tracking_number = models.CharField(max_length=64)
    order_id = models.CharField("order id", max_length=64)
    return_id = models.CharField("return id", max_length=64, blank=True)

    description = models.CharField(max_length=300, blank=True)
    weight_grams = models.PositiveIntegerField(null=True, blank=True)
    declared_value = models.DecimalField(max_digits=12, decimal_places=2, null=True, blank=True)
    currency = models.CharField(max_length=3, blank=True)
    warehouse_location = models.CharField(
        max_length=64, blank=True, help_text="Bin or shelf at the provider's warehouse."
    )

    reason = models.CharField(max_length=20, choices=Reason.choices, blank=True)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.IN_DELIVERY)

    registered_at = models.DateTimeField(default=timezone.now)
    failed_at = models.DateTimeField(null=True, blank=True)
    claim_deadline = models.DateTimeField(null=True, blank=True)
    reminded_at = models.DateTimeField(null=True, blank=True)
    claimed_at = models.DateTimeField(null=True, blank=True)
    released_at = models.DateTimeField(null=True, blank=True)
    returned_at = models.DateTimeField(null=True, blank=True)
    destruction_requested_at = models.DateTimeField(null=True, blank=True)
    destruction_overdue_at = models.DateTimeField(null=True, blank=True)
    destroyed_at = models.DateTimeField(null=True, blank=True)
    destruction_reference = models.CharField(max_length=64, blank=True)
    destruction_method = models.CharField(
        max_length=20, choices=DestructionMethod.choices, blank=True
    )
    destroyed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        db_index=False,  # a partial index in Meta: only destroyed packages have one
    )
    # Served only by `returns:destruction_photo`, which checks who asks.
    destruction_photo = models.FileField(
        storage=PrivateStorage(), upload_to=destruction_photo_name, blank=True
    )

    # The seller's list puts packages waiting for them first. A stored column, not an
    # ORDER BY CASE, so an index can serve the first page of a seller with 10,000 rows.
    action_rank = models.GeneratedField(
        expression=Case(When(status="awaiting_seller", then=Value(0)), default=Value(1)),
        output_field=models.PositiveSmallIntegerField(),
        db_persist=True,
    )

    objects = PackageQuerySet.as_manager()

    class Meta:
        ordering = ["-registered_at", "-id"]
        constraints = [
            # Tracking number first, so its index also finds a number across providers
            # (an operator's search); (provider, number) lookups use it all the same.
            models.UniqueConstraint(fields=["public_id"], name="package_public_id_unique"),
            models.UniqueConstraint(
                fields=["tracking_number", "provider"], name="package_tracking_unique_per_provider"
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
            # Read by the finalize and reminder jobs (returns.tasks): open windows by deadline.
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
                fields=["seller", "action_rank", "claim_deadline", "-registered_at", "-id"],
                name="package_seller_action",
            ),
            models.Index(
                fields=["seller", "claim_deadline", "-registered_at", "-id"],
                name="package_seller_deadline",
            ),
            models.Index(fields=["seller", "-registered_at", "-id"], name="package_seller_recent"),
            # Provider console: one provider's packages, newest first, by status.
            models.Index(fields=["provider", "status", "-registered_at"], name="package_provider"),
            # Provider console, unfiltered: the staff's list and the operators' list in the
            # default ordering, so the first page is read from an index, not sorted.
            models.Index(
                fields=["provider", "-registered_at", "-id"], name="package_provider_recent"
            ),
            models.Index(fields=["-registered_at", "-id"], name="package_recent"),
            models.Index(fields=["order_id"], name="package_order_id"),
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

    @property
    def is_open_for_seller(self) -> bool:
        return self.status == self.Status.AWAITING_SELLER


class AttemptQuerySet(TenantQuerySet):
    seller_path = "package__seller"
    provider_path = "package__provider"


class AttemptOutcome(models.TextChoices):
    FAILED = "failed", "Failed"
    DELIVERED = "delivered", "Delivered"
    REJECTED = "rejected", "Rejected by the seller"


class DeliveryAttempt(models.Model):
    """One try at delivering the package back to the seller."""

    Outcome = AttemptOutcome

    # No index of its own: the unique (package, number) index leads with it, and each
    # intake event writes an attempt.
    package = models.ForeignKey(
        FailedPackage, on_delete=models.CASCADE, related_name="attempts", db_index=False
    )
    number = models.PositiveSmallIntegerField()
    attempted_at = models.DateTimeField()
    outcome = models.CharField(max_length=10, choices=Outcome.choices)
    failure_reason = models.CharField(max_length=200, blank=True)
    # Bounded: a carrier's feed once sent 5 MB of it, printed on the seller's page.
    courier_note = models.CharField(max_length=1000, blank=True)

    objects = AttemptQuerySet.as_manager()

    class Meta:
        ordering = ["package", "number"]
        constraints = [
            models.UniqueConstraint(fields=["package", "number"], name="attempt_number_unique"),
            models.CheckConstraint(
                condition=Q(outcome__in=AttemptOutcome.values), name="attempt_outcome_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"Attempt {self.number} ({self.get_outcome_display()})"


class EventQuerySet(TenantQuerySet):
    seller_path = "package__seller"
    provider_path = "package__provider"


class Channel(models.TextChoices):
    WEB = "web", "Seller portal"
    ADMIN = "admin", "Provider console"
    API = "api", "Intake API"
    CSV = "csv", "CSV import"
    JOB = "job", "Scheduled job"


class EventAction(models.TextChoices):
    """What the services record (returns.services); a fixed list the console filters by."""

    REGISTERED = "registered", "Registered"
    ATTEMPT_FAILED = "attempt_failed", "Delivery attempt failed"
    DELIVERY_FAILED = "delivery_failed", "Last delivery attempt failed"
    DELIVERED = "delivered", "Delivered"
    REJECTED = "rejected", "Rejected at delivery"
    CLAIMED = "claimed", "Claimed"
    RELEASED = "released", "Released by the seller"
    WINDOW_CLOSED = "window_closed", "Claim window closed"
    REMINDER_SENT = "reminder_sent", "Reminder sent"
    RETURNED = "returned", "Returned"
    CLAIM_WITHDRAWN = "claim_withdrawn", "Claim withdrawn"
    DESTROYED = "destroyed", "Destroyed"
    DESTRUCTION_OVERDUE = "destruction_overdue", "Destruction overdue"


class PackageEvent(models.Model):
    """Append-only audit trail of a package: nothing edits or deletes an event."""

    Channel = Channel
    Action = EventAction

    package = models.ForeignKey(FailedPackage, on_delete=models.PROTECT, related_name="events")
    action = models.CharField(max_length=40, choices=EventAction.choices)
    from_status = models.CharField(max_length=20, choices=FailedPackage.Status.choices, blank=True)
    to_status = models.CharField(max_length=20, choices=FailedPackage.Status.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        db_index=False,  # partial index in Meta: jobs and carriers write most events
    )
    channel = models.CharField(max_length=10, choices=Channel.choices)
    created_at = models.DateTimeField(default=timezone.now)
    detail = models.TextField(blank=True)

    objects = EventQuerySet.as_manager()

    class Meta:
        ordering = ["package", "created_at", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(channel__in=Channel.values), name="event_channel_valid"
            ),
        ]
        indexes = [
            models.Index(fields=["actor"], condition=Q(actor__isnull=False), name="event_actor"),
        ]

    def __str__(self) -> str:
        return f"{self.action}: {self.from_status or '—'} → {self.to_status}"


class NotificationQuerySet(TenantQuerySet):
    def for_user(self, user) -> "NotificationQuerySet":
        # Sellers see only the notices addressed to them, not the provider's copies.
        scoped = super().for_user(user)
        if user.is_authenticated and user.seller_id and not user.is_superuser:
            scoped = scoped.filter(audience=Notification.Audience.SELLER)
        return scoped


class NotificationStatus(models.TextChoices):
    PENDING = "pending", "Pending"
    # Claimed by a delivery run until `lease_until` (returns.outbox): being sent now.
    SENDING = "sending", _("Sending")
    SENT = "sent", "Sent"
    FAILED = "failed", "Failed"


class Notification(models.Model):
    """The outbox: written with the change that causes it, sent by a job after commit."""

    class Audience(models.TextChoices):
        SELLER = "seller", "Seller"
        PROVIDER = "provider", "Provider operations"

    class Kind(models.TextChoices):
        DESTRUCTION_NOTICE = "destruction_notice", "Destruction notice"
        DEADLINE_REMINDER = "deadline_reminder", "Deadline reminder"
        REJECTION_NOTICE = "rejection_notice", "Rejected package notice"
        CLAIM_CONFIRMED = "claim_confirmed", "Claim confirmed"
        RELEASE_CONFIRMED = "release_confirmed", "Release confirmed"
        DESTRUCTION_FINALIZED = "destruction_finalized", "Claim window closed"
        CLAIM_WITHDRAWN = "claim_withdrawn", "Claim withdrawn"
        DESTROYED = "destroyed", "Destroyed"
        RETURNED = "returned", "Returned"
        DESTRUCTION_INSTRUCTION = "destruction_instruction", "Destruction instruction"
        CLAIM_RECEIVED = "claim_received", "Claim received"
        TICKET_CREATED = "ticket_created", "New ticket"
        TICKET_REPLY = "ticket_reply", "Ticket reply"
        TICKET_OVERDUE = "ticket_overdue", "Ticket overdue"
        DESTRUCTION_OVERDUE = "destruction_overdue", "Destruction overdue"

    Status = NotificationStatus

    audience = models.CharField(max_length=10, choices=Audience.choices)
    # No index of its own: notification_seller leads with it.
    seller = models.ForeignKey(
        Seller,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="notifications",
        db_index=False,
    )
    provider = models.ForeignKey(
        LogisticsProvider, on_delete=models.PROTECT, related_name="notifications"
    )
    package = models.ForeignKey(
        FailedPackage,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="notifications",
    )
    # The ticket app sits above this one, so a ticket is referred to by its reference.
    ticket_reference = models.CharField(max_length=16, blank=True)
    kind = models.CharField(max_length=30, choices=Kind.choices)
    to_email = models.EmailField()
    subject = models.CharField(max_length=250)
    body_text = models.TextField()
    body_html = models.TextField()
    dedupe_key = models.CharField(max_length=200)  # unique: see Meta.constraints

    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveSmallIntegerField(default=0)
    # Tries whose outcome is unknown: the connection dropped after DATA, or the sender
    # stopped while it held the row. The server may have a copy (see returns.outbox).
    # A database default too: the finalize job writes notices with INSERT … SELECT.
    uncertain_attempts = models.PositiveSmallIntegerField(
        default=0, db_default=0, verbose_name=_("uncertain attempts")
    )
    lease_until = models.DateTimeField(null=True, blank=True, verbose_name=_("claimed until"))
    next_attempt_at = models.DateTimeField(default=timezone.now)
    sent_at = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField(blank=True)
    read_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    objects = NotificationQuerySet.as_manager()

    class Meta:
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
        return f"{self.get_kind_display()} to {self.to_email}"

    @property
    def title(self) -> str:
        """The subject, or the kind until the outbox renders a notice written in bulk."""
        return self.subject or self.get_kind_display()


class MailServerStatus(models.Model):
    """One row: whether delivery runs can reach the email server, and since when not.

    Written by the outbox (returns.outbox) when a run cannot connect and when one
    connects again; read by the console's work list and by /healthz.
    """

    unreachable_since = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField(blank=True)

    class Meta:
        verbose_name = _("email server status")
        verbose_name_plural = _("email server status")

    def __str__(self) -> str:
        return f"unreachable since {self.unreachable_since}" if self.unreachable_since else "ok"


class ApiTokenQuerySet(TenantQuerySet):
    seller_path = None

    def active(self) -> "ApiTokenQuerySet":
        return self.filter(revoked_at__isnull=True)


class ApiToken(models.Model):
    """A provider's bearer token for the intake API; only its SHA-256 digest is stored."""

    provider = models.ForeignKey(
        LogisticsProvider, on_delete=models.CASCADE, related_name="api_tokens"
    )
    name = models.CharField(max_length=100, help_text="Which system uses it, e.g. “carrier feed”.")
    prefix = models.CharField(max_length=12, help_text="First characters, to recognise the token.")
    digest = models.CharField(max_length=64, unique=True, editable=False)
    created_at = models.DateTimeField(default=timezone.now)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    objects = ApiTokenQuerySet.as_manager()

    class Meta:
        ordering = ["provider", "-created_at"]
        verbose_name = "API token"

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
        LogisticsProvider, on_delete=models.CASCADE, related_name="intake_events", db_index=False
    )
    event_id = models.CharField(max_length=100)
    kind = models.CharField(max_length=40)
    status_code = models.PositiveSmallIntegerField()
    response = models.JSONField()
    created_at = models.DateTimeField(default=timezone.now)

    objects = IntakeEventQuerySet.as_manager()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["provider", "event_id"], name="intake_event_unique_per_provider"
            )
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.event_id}"
