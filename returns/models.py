import secrets
from pathlib import PurePosixPath
from typing import TypeAlias

from django.conf import settings
from django.db import models
from django.db.models import Case, F, Q, Value, When
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from portal.models import LogisticsProvider, Seller
from portal.querysets import TenantQuerySet
from portal.storage import PrivateStorage, random_name
from returns.batch_models import BatchEntry, PackageBatch
from returns.day_count_models import DayCount
from returns.event_models import (
    SELLER_EVENT_LABELS,
    AttemptOutcome,
    Channel,
    DeliveryAttempt,
    EventAction,
    PackageEvent,
)
from returns.instruction_models import InstructionRule, StandingInstruction
from returns.intake_models import ApiToken, IntakeEvent
from returns.notification_models import (
    ActionLink,
    ActionLinkAction,
    MailServerStatus,
    Notification,
    NotificationStatus,
)
from returns.package_choices import STAFF_STATES, DestructionMethod, PackageReason, PackageStatus
from returns.photo_types import PHOTO_TYPES, photo_type, stored_photo_type

# Defined beside, registered with this app; imported from here.
__all__ = [
    "PHOTO_TYPES",
    "SELLER_EVENT_LABELS",
    "STAFF_STATES",
    "ActionLink",
    "ActionLinkAction",
    "ApiToken",
    "AttemptOutcome",
    "BatchEntry",
    "Channel",
    "DayCount",
    "DeliveryAttempt",
    "DestructionMethod",
    "EventAction",
    "InstructionRule",
    "IntakeEvent",
    "MailServerStatus",
    "Notification",
    "NotificationStatus",
    "PackageBatch",
    "PackageEvent",
    "PackageReason",
    "PackageStatus",
    "StandingInstruction",
    "photo_type",
    "stored_photo_type",
]


def destruction_photo_name(instance: models.Model, filename: str) -> str:
    """A random name: whoever knows a package's public id must not find its photo."""
    return random_name("destructions", PurePosixPath(filename).suffix.lower())


def new_public_id() -> str:
    """Random and unguessable: package URLs must not be enumerable."""
    return secrets.token_urlsafe(12)


# The seller list's "Needs action" order (FailedPackage.action_rank): open decisions first,
# then packages on their way back, then those to be destroyed, still in delivery, and last
# the finished ones, which all rank FINAL_ACTION_RANK.
ACTION_RANKS = {"awaiting_seller": 0, "claimed": 1, "destruction_pending": 2, "in_delivery": 3}
FINAL_ACTION_RANK = 4


class FailedPackage(models.Model):
    """A return package on its way back to the seller, and what became of it.

    Status changes only through `returns.services`; see DESIGN.md §5.
    """

    Status: TypeAlias = PackageStatus
    Reason = PackageReason
    DestructionMethod: TypeAlias = DestructionMethod

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

    # The seller's list, "Needs action" (ACTION_RANKS). A stored column, not an ORDER BY
    # CASE, so an index serves the first page of a seller with 10,000 rows.
    action_rank = models.GeneratedField(
        expression=Case(
            *(When(status=status, then=Value(rank)) for status, rank in ACTION_RANKS.items()),
            default=Value(FINAL_ACTION_RANK),
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
            # Seller pages: one seller's packages by status and deadline. The provider rides
            # along (PostgreSQL only) so the console's capped count of one seller's packages
            # reads this index alone: without it the planner may count with a LIMITed table
            # scan, which starts wherever the last scan stopped (synchronize_seqscans), at
            # 1M packages 30 ms a count on average and up to 270 ms.
            models.Index(
                fields=["seller", "status", "claim_deadline"],
                include=["provider"],
                name="package_seller",
            ),
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


# What the console's package page lets staff edit (returns.delivery.edit_package_details).
EDITABLE_DETAILS = [
    "description",
    "weight_grams",
    "declared_value",
    "currency",
    "warehouse_location",
]
