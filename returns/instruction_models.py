"""Sellers' standing instructions: what becomes of a package that fails delivery for the last time.

Imported by `returns.models`, which re-exports them; read and written by `returns.instructions`.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from portal.models import Seller
from portal.querysets import TenantQuerySet


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
