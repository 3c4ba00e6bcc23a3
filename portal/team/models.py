from datetime import datetime, timedelta

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext_lazy as _

from portal.models import Seller, SellerRole
from portal.querysets import TenantQuerySet

# How long an invitation link works (issue 12: a week).
INVITE_VALID_FOR = timedelta(days=7)


class InviteQuerySet(TenantQuerySet):
    provider_path = None

    def pending(self, now: datetime) -> "InviteQuerySet":
        """Neither accepted nor cancelled, and not expired yet."""
        return self.filter(accepted_at__isnull=True, revoked_at__isnull=True, expires_at__gt=now)


class Invite(models.Model):
    """An owner's invitation to join the seller's team, sent as a single-use email link.

    The link's token is shown once, in the email; the row keeps only its keyed
    digest, so a copy of the table opens no account.
    """

    seller = models.ForeignKey(
        Seller, on_delete=models.CASCADE, related_name="invites", verbose_name=_("seller")
    )
    email = models.EmailField(_("email address"))
    role = models.CharField(_("role"), max_length=10, choices=SellerRole.choices)
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("invited by"),
    )
    token_digest = models.CharField(max_length=64)
    created_at = models.DateTimeField(_("sent at"))
    expires_at = models.DateTimeField(_("expires at"))
    accepted_at = models.DateTimeField(_("accepted at"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("cancelled at"), null=True, blank=True)

    objects = InviteQuerySet.as_manager()

    class Meta:
        verbose_name = _("team invitation")
        verbose_name_plural = _("team invitations")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["token_digest"], name="invite_token_digest_unique"),
            # A new invitation to the same address cancels the open one first (team.services).
            models.UniqueConstraint(
                fields=["seller", "email"],
                condition=Q(accepted_at__isnull=True, revoked_at__isnull=True),
                name="invite_one_open_per_seller_email",
            ),
        ]

    def __str__(self) -> str:
        return self.email

    @staticmethod
    def digest_of(raw: str) -> str:
        # Keyed with SECRET_KEY: the table alone can neither open nor check a link.
        return salted_hmac("team.invite", raw, algorithm="sha256").hexdigest()
