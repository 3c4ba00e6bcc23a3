"""The work list's closed days, counted once (returns.day_counts): imported by
`returns.models`, which re-exports the model; written by `returns.day_counts` only."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from portal.models import LogisticsProvider


class DayCount(models.Model):
    """What one provider's `source` (packages, answers) counted on one day that is over,
    in one zone (the reader's: a provider's staff and the operators may differ).

    `numbers` is the source's own (returns.week, tickets.week). A row is written once,
    by the first reader or the job, and deleted when a service writes a moment into a
    day that is over (a carrier's late report, an undone decision), to be counted again.
    """

    # Never shown (no admin): no worded names to translate but the two that exist.
    source = models.CharField(max_length=20)
    provider = models.ForeignKey(
        LogisticsProvider,
        on_delete=models.CASCADE,
        related_name="+",
        db_index=False,  # the unique (provider, zone, source, day) index leads with it
        verbose_name=_("provider"),
    )
    zone = models.CharField(_("time zone"), max_length=64)
    day = models.DateField()
    numbers = models.JSONField(default=dict)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["provider", "zone", "source", "day"], name="day_count_once"
            )
        ]

    def __str__(self) -> str:
        return f"{self.source} {self.provider_id} {self.day} ({self.zone})"
