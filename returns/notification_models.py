"""The outbox of notices, the one-click links they carry, and the email server's state.

Imported by `returns.models`, which re-exports them; written by the services, sent by
`returns.outbox`.
"""

from typing import Self, TypeAlias

from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext, pgettext_lazy
from django.utils.translation import gettext_lazy as _

from portal.formatting import choice_label
from portal.models import LogisticsProvider, Seller
from portal.querysets import TenantQuerySet
from portal.tenancy import Viewer


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
        "FailedPackage",
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
    # What a notice written unrendered shows beyond its package (the rule that decided, its
    # undo mark, a claim's note): the outbox renders it from these when it sends it
    # (`emails.deferred_context`). Empty for the rest; a database default for the finalize
    # job's INSERT … SELECT, which has nothing to add.
    render_facts = models.JSONField(_("facts"), default=dict, blank=True, db_default={})

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
            "kind": choice_label(self, "kind"),
            "email": self.to_email,
        }

    @property
    def title(self) -> str:
        """The subject, or the kind until the outbox renders a notice written in bulk."""
        return self.subject or choice_label(self, "kind")

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
        "FailedPackage",
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
