"""A shop's addresses: where its packages go back to, and who else receives its notices.

Imported by `portal.models`, which re-exports them; changed by `portal.shop.services`.
"""

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from portal.querysets import TenantQuerySet


class ReturnAddressQuerySet(TenantQuerySet):
    provider_path = None


class ReturnAddress(models.Model):
    """Where a seller wants packages sent back: named, with who receives them, one the default.

    A send-back ticket copies the address it was sent to (the ticket keeps it even
    when the seller later edits or deletes this row).
    """

    seller = models.ForeignKey(
        "Seller",
        on_delete=models.CASCADE,
        related_name="return_addresses",
        verbose_name=_("seller"),
    )
    label = models.CharField(_("name"), max_length=60, help_text=_("e.g. Main warehouse"))
    contact_name = models.CharField(_("contact name"), max_length=120)
    phone = models.CharField(_("phone"), max_length=40)
    address = models.TextField(_("address"), max_length=500)
    is_default = models.BooleanField(_("default"), default=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ReturnAddressQuerySet.as_manager()

    class Meta:
        verbose_name = _("return address")
        verbose_name_plural = _("return addresses")
        ordering = ["-is_default", "label", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["seller"],
                condition=Q(is_default=True),
                name="return_address_one_default_per_seller",
            ),
            models.UniqueConstraint(
                fields=["seller", "label"], name="return_address_label_unique_per_seller"
            ),
        ]

    def __str__(self) -> str:
        return self.label

    @property
    def delivery_text(self) -> str:
        """The address as a send-back ticket stores it: who receives it, then where."""
        return f"{self.contact_name}\n{self.address}"


def default_return_address(seller_id: int) -> ReturnAddress | None:
    """The seller's default return address, if they saved one."""
    return ReturnAddress.objects.filter(seller_id=seller_id, is_default=True).first()


class NotificationAddressQuerySet(TenantQuerySet):
    provider_path = None

    def confirmed(self) -> "NotificationAddressQuerySet":
        return self.filter(confirmed_at__isnull=False)


class NotificationAddress(models.Model):
    """Another address that receives the shop's notices, once its owner confirmed it.

    The primary address is the seller's `contact_email` (set by the operator, and
    always receiving); these rows are the others. The confirmation link is minted
    as the email is sent (portal.confirmations) and only its digest is kept here:
    the outbox's copy of the email holds a mark, never the link.
    """

    seller = models.ForeignKey(
        "Seller",
        on_delete=models.CASCADE,
        related_name="notification_addresses",
        verbose_name=_("seller"),
    )
    email = models.EmailField(_("email address"))
    confirmed_at = models.DateTimeField(_("confirmed at"), null=True, blank=True)
    # SHA-256 of the nonce in the latest link sent; emptied once the link is used.
    confirmation_digest = models.CharField(max_length=64, blank=True)
    created_at = models.DateTimeField(_("added at"), auto_now_add=True)

    objects = NotificationAddressQuerySet.as_manager()

    class Meta:
        verbose_name = _("notification address")
        verbose_name_plural = _("notification addresses")
        ordering = ["created_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["seller", "email"], name="notification_address_unique_per_seller"
            )
        ]

    def __str__(self) -> str:
        return self.email


def extra_notice_recipients(seller_id: int) -> list[str]:
    """The confirmed addresses that receive a seller's notices besides the primary one."""
    return list(
        NotificationAddress.objects.confirmed()
        .filter(seller_id=seller_id)
        .values_list("email", flat=True)
    )
