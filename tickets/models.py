import secrets
from datetime import datetime, timedelta
from typing import Self, TypeAlias

from django.conf import settings
from django.db import models
from django.db.models import Case, ExpressionWrapper, F, Q, When
from django.db.models.expressions import Combinable
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext, pgettext_lazy
from django.utils.translation import gettext_lazy as _
from django_stubs_ext import StrOrPromise

from portal.models import LogisticsProvider, Seller
from portal.querysets import TenantQuerySet
from portal.storage import PrivateStorage
from portal.tenancy import Viewer
from returns.models import FailedPackage
from tickets.storage import attachment_name

# No 0/O, 1/I/L: a reference read out on the phone or copied by hand stays unambiguous.
REFERENCE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
REFERENCE_LENGTH = 6


def new_reference() -> str:
    """`RT-7K3F9Q`: short, random (not a counter), so it reveals nothing about volumes."""
    return "RT-" + "".join(secrets.choice(REFERENCE_ALPHABET) for _ in range(REFERENCE_LENGTH))


class TicketCategory(models.TextChoices):
    SEND_BACK = "send_back", _("Send it back to me")
    PICK_UP = "pick_up", _("I will pick it up")
    NOT_NEEDED = "not_needed", _("I no longer need it")
    QUESTION = "question", pgettext_lazy("ticket category", "Question")
    DISPUTE = "dispute", pgettext_lazy("ticket category", "Dispute")


class TicketStatus(models.TextChoices):
    """The labels are the seller's ("Waiting for your answer"); staff read STAFF_STATUSES."""

    OPEN = "open", pgettext_lazy("ticket status", "Open")
    WAITING_ON_SELLER = "waiting_on_seller", _("Waiting for your answer")
    RESOLVED = "resolved", pgettext_lazy("ticket status", "Resolved")
    CLOSED = "closed", pgettext_lazy("ticket status", "Closed")


# A ticket's status as provider staff read it (the console's inbox, filter and thread).
STAFF_STATUSES: dict[str, StrOrPromise] = {
    TicketStatus.OPEN: TicketStatus.OPEN.label,
    TicketStatus.WAITING_ON_SELLER: _("Waiting on the seller"),
    TicketStatus.RESOLVED: TicketStatus.RESOLVED.label,
    TicketStatus.CLOSED: TicketStatus.CLOSED.label,
}


# A claim ticket asks for the package back; it claims the package when it is filed.
CLAIM_CATEGORIES = [TicketCategory.SEND_BACK, TicketCategory.PICK_UP]
# Statuses in which a ticket still needs someone to act.
OPEN_STATUSES = [TicketStatus.OPEN, TicketStatus.WAITING_ON_SELLER]
INQUIRY_CATEGORIES = [TicketCategory.QUESTION, TicketCategory.DISPUTE]
# The seller is waiting for the provider's first public answer: the response clock runs.
AWAITING_FIRST_RESPONSE = Q(status=TicketStatus.OPEN, first_response_at__isnull=True)

# The staff inbox's order: tickets awaiting a first answer, oldest (most overdue) first,
# then the others, latest activity first. The `ticket_inbox` index has these same terms.
INBOX_ORDERING: list[str | Combinable] = [
    ExpressionWrapper(AWAITING_FIRST_RESPONSE, output_field=models.BooleanField()).desc(),
    Case(When(AWAITING_FIRST_RESPONSE, then=F("created_at"))).asc(),
    F("last_activity_at").desc(),
    F("id").desc(),
]


def first_response_cutoff(now: datetime | None = None) -> datetime:
    """A ticket opened before this moment and still unanswered is overdue."""
    return (now or timezone.now()) - timedelta(hours=settings.TICKET_FIRST_RESPONSE_HOURS)


class TicketQuerySet(TenantQuerySet):
    def open(self) -> "TicketQuerySet":
        return self.filter(status__in=OPEN_STATUSES)

    def overdue(self, now: datetime | None = None) -> "TicketQuerySet":
        return self.filter(AWAITING_FIRST_RESPONSE, created_at__lt=first_response_cutoff(now))

    def unassigned(self) -> "TicketQuerySet":
        return self.open().filter(assignee__isnull=True)


class Ticket(models.Model):
    """A conversation between a seller and a provider, usually about one package."""

    Category: TypeAlias = TicketCategory
    Status: TypeAlias = TicketStatus

    reference = models.CharField(
        _("reference"), max_length=16, unique=True, default=new_reference, editable=False
    )
    seller = models.ForeignKey(
        Seller, on_delete=models.PROTECT, related_name="tickets", verbose_name=_("seller")
    )
    provider = models.ForeignKey(
        LogisticsProvider,
        on_delete=models.PROTECT,
        related_name="tickets",
        verbose_name=_("provider"),
    )
    package = models.ForeignKey(
        FailedPackage,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="tickets",
        verbose_name=_("package"),
    )
    category = models.CharField(_("category"), max_length=20, choices=Category.choices)
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.OPEN
    )
    subject = models.CharField(_("subject"), max_length=200)

    # How the seller wants the package back (send back / pick up).
    delivery_address = models.TextField(_("delivery address"), blank=True)
    contact_phone = models.CharField(_("contact phone"), max_length=40, blank=True)
    preferred_date = models.DateField(_("preferred date"), null=True, blank=True)
    preferred_time = models.TimeField(_("preferred time"), null=True, blank=True)

    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="assigned_tickets",
        verbose_name=_("assignee"),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("created by"),
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    first_response_at = models.DateTimeField(_("first response at"), null=True, blank=True)
    escalated_at = models.DateTimeField(_("escalated at"), null=True, blank=True)
    resolved_at = models.DateTimeField(_("resolved at"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    last_activity_at = models.DateTimeField(_("last activity at"), default=timezone.now)

    objects = TicketQuerySet.as_manager()

    class Meta:
        verbose_name = _("ticket")
        verbose_name_plural = _("tickets")
        ordering = ["-last_activity_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=TicketStatus.values), name="ticket_status_valid"
            ),
            models.CheckConstraint(
                condition=Q(category__in=TicketCategory.values), name="ticket_category_valid"
            ),
            models.UniqueConstraint(
                fields=["package"],
                condition=Q(
                    category__in=CLAIM_CATEGORIES,
                    status__in=OPEN_STATUSES,
                ),
                name="ticket_one_open_claim_per_package",
                violation_error_message=_("This package already has an open ticket asking for it."),
            ),
        ]
        indexes = [
            # Seller pages: one seller's tickets, latest activity first.
            models.Index(fields=["seller", "-last_activity_at"], name="ticket_seller"),
            # Provider inbox: one provider's tickets by status.
            models.Index(
                fields=["provider", "status", "-last_activity_at"], name="ticket_provider"
            ),
            # Read by the ticket escalation job (tickets.tasks): open tickets still unanswered.
            models.Index(
                fields=["created_at"],
                condition=Q(
                    first_response_at__isnull=True,
                    escalated_at__isnull=True,
                    status="open",
                ),
                name="ticket_awaiting_first_response",
            ),
            # The work list's median time to a first answer (tickets.week): the tickets
            # first answered on the days counted, with the moment each was opened.
            models.Index(
                fields=["provider", "first_response_at"],
                include=["created_at"],
                condition=Q(first_response_at__isnull=False),
                name="ticket_week_first_answer",
            ),
            # The staff inbox (tickets.admin): one provider's tickets in INBOX_ORDERING.
            models.Index(F("provider"), *INBOX_ORDERING, name="ticket_inbox"),
        ]

    def __str__(self) -> str:
        return self.reference

    def get_absolute_url(self) -> str:
        return reverse("tickets:detail", args=[self.reference])

    @property
    def is_claim(self) -> bool:
        return self.category in CLAIM_CATEGORIES

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES

    @property
    def is_inquiry(self) -> bool:
        """A question or a dispute: it moves no package, so the seller's decision can end it."""
        return self.category in INQUIRY_CATEGORIES

    def is_overdue(self, now: datetime | None = None) -> bool:
        """Mirrors `TicketQuerySet.overdue` for a ticket already in memory."""
        return (
            self.status == TicketStatus.OPEN
            and self.first_response_at is None
            and self.created_at < first_response_cutoff(now)
        )


class MessageQuerySet(TenantQuerySet):
    seller_path = "ticket__seller"
    provider_path = "ticket__provider"

    def for_user(self, user: Viewer) -> Self:
        # Internal notes are for provider staff: a seller's user never sees one.
        scoped = super().for_user(user)
        if user.is_authenticated and user.seller_id and not user.is_superuser:
            scoped = scoped.filter(internal=False)
        return scoped


class TicketMessage(models.Model):
    ticket = models.ForeignKey(
        Ticket, on_delete=models.CASCADE, related_name="messages", verbose_name=_("ticket")
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("author"),
    )
    body = models.TextField(_("body"))
    internal = models.BooleanField(
        _("internal"),
        default=False,
        help_text=_("A note for provider staff only: never shown or sent to sellers."),
    )
    # Written for the seller with nobody signed in (tickets.one_click): by a one-click
    # button in their email, or by their standing instruction. From the seller all the same.
    written_for_seller = models.BooleanField(_("written for the seller"), default=False)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    objects = MessageQuerySet.as_manager()

    class Meta:
        verbose_name = _("ticket message")
        verbose_name_plural = _("ticket messages")
        ordering = ["ticket", "created_at", "id"]
        indexes = [
            # The console index's "Recent actions" (tickets.worklist): an agent's last
            # replies newest first, read until ten are found instead of all sorted (an
            # agent's history only grows; 15 ms at 19,000 messages by one agent, sorted).
            models.Index(fields=["author", "-created_at", "-id"], name="message_author_recent"),
        ]

    def __str__(self) -> str:
        return gettext("Message on %(ticket)s at %(time)s") % {
            "ticket": self.ticket_id,
            "time": f"{self.created_at:%Y-%m-%d %H:%M}",
        }

    @property
    def from_seller(self) -> bool:
        if self.written_for_seller:
            return True
        return self.author is not None and self.author.seller_id is not None


class AttachmentQuerySet(TenantQuerySet):
    seller_path = "message__ticket__seller"
    provider_path = "message__ticket__provider"

    def for_user(self, user: Viewer) -> Self:
        scoped = super().for_user(user)
        if user.is_authenticated and user.seller_id and not user.is_superuser:
            scoped = scoped.filter(message__internal=False)
        return scoped


class Attachment(models.Model):
    """A file on a message, kept outside MEDIA_ROOT and served only by an access-checked view."""

    message = models.ForeignKey(
        TicketMessage,
        on_delete=models.CASCADE,
        related_name="attachments",
        verbose_name=_("message"),
    )
    file = models.FileField(
        _("file"), storage=PrivateStorage(), upload_to=attachment_name, max_length=200
    )
    original_name = models.CharField(_("original name"), max_length=200)
    content_type = models.CharField(_("content type"), max_length=50)
    size = models.PositiveIntegerField(_("size"))
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    objects = AttachmentQuerySet.as_manager()

    class Meta:
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")
        ordering = ["message", "id"]

    def __str__(self) -> str:
        return self.original_name

    @property
    def is_image(self) -> bool:
        return self.content_type.startswith("image/")


class CannedReplyQuerySet(TenantQuerySet):
    seller_path = None  # a provider's own words: no seller sees them


class CannedReply(models.Model):
    """A provider's stock answer, put into a ticket reply from the ticket page.

    Its text may name placeholders (tickets.canned.PLACEHOLDERS), filled in with
    the ticket's values when it is put into the reply box.
    """

    provider = models.ForeignKey(
        LogisticsProvider,
        on_delete=models.CASCADE,
        related_name="canned_replies",
        db_index=False,  # the unique (provider, title) index leads with it
        verbose_name=_("provider"),
    )
    title = models.CharField(
        _("title"), max_length=80, help_text=_("What the agent picks it by, e.g. “Ships Thursday”.")
    )
    body = models.TextField(_("text"), max_length=5000)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    objects = CannedReplyQuerySet.as_manager()

    class Meta:
        verbose_name = _("canned reply")
        verbose_name_plural = _("canned replies")
        ordering = ["provider", "title"]
        constraints = [
            models.UniqueConstraint(
                fields=["provider", "title"],
                name="canned_reply_title_unique_per_provider",
                violation_error_message=_("You already have a canned reply with this title."),
            )
        ]

    def __str__(self) -> str:
        return self.title
