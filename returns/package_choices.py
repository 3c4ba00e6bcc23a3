"""A package's states and reasons, with the words sellers and staff read for them.

Imported by `returns.models`, which re-exports them; beside it so the event and notification
models can name a package's states without importing the package model.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from django_stubs_ext import StrOrPromise


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


class DestructionMethod(models.TextChoices):
    RECYCLED = "recycled", _("Recycled")
    SHREDDED = "shredded", _("Shredded")
    INCINERATED = "incinerated", _("Incinerated")
    OTHER = "other", _("Other (see reference)")
