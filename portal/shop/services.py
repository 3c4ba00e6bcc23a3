"""Every change to a shop's settings: one function each, recorded in `SettingsChange`.

Each runs in one transaction that locks the seller's row first, so two owners
saving at once take turns (the address count, the one default) and the
history names both changes in the order they happened.
"""

from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext

from portal import confirmations
from portal.models import NotificationAddress, ReturnAddress, Seller, SettingsChange, User
from portal.shop import emails
from returns import notice_queue
from returns.models import Notification

Action = SettingsChange.Action

# The primary address (Seller.contact_email) and four more.
MAX_NOTIFICATION_ADDRESSES = 5
PROFILE_FIELDS = ("name", "time_zone", "language")
EMAIL_FIELDS = confirmations.OPTIONAL_EMAIL_FIELDS
RETURN_ADDRESS_FIELDS = ("label", "contact_name", "phone", "address", "is_default")


class SettingsError(Exception):
    """A change refused, with what the person can do instead."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def _locked(seller: Seller) -> Seller:
    return Seller.objects.select_for_update().get(pk=seller.pk)


def _record(
    *,
    seller: Seller,
    actor: User | None,
    action: str,
    subject: str = "",
    changes: dict[str, list[Any]] | None = None,
) -> SettingsChange:
    return SettingsChange.objects.create(
        seller=seller, actor=actor, action=action, subject=subject, changes=changes or {}
    )


def _differences(row: object, values: dict[str, Any]) -> dict[str, list[Any]]:
    return {
        name: [getattr(row, name), value]
        for name, value in values.items()
        if getattr(row, name) != value
    }


def _update_seller(
    *, seller: Seller, actor: User | None, action: str, values: dict[str, Any]
) -> SettingsChange | None:
    locked = _locked(seller)
    changes = _differences(locked, values)
    if not changes:
        return None
    Seller.objects.filter(pk=seller.pk).update(**{name: new for name, (_, new) in changes.items()})
    for name, (_, new) in changes.items():
        setattr(seller, name, new)
    return _record(seller=seller, actor=actor, action=action, changes=changes)


@transaction.atomic
def update_profile(*, seller: Seller, actor: User, values: dict[str, Any]) -> SettingsChange | None:
    """Display name, time zone and language; None when nothing changed."""
    return _update_seller(
        seller=seller,
        actor=actor,
        action=Action.PROFILE,
        values={name: values[name] for name in PROFILE_FIELDS},
    )


@transaction.atomic
def set_email_preferences(
    *, seller: Seller, actor: User | None, values: dict[str, Any]
) -> SettingsChange | None:
    """Turn the optional emails on or off; the policy's notices have no switch."""
    return _update_seller(
        seller=seller,
        actor=actor,
        action=Action.EMAILS,
        values={name: values[name] for name in EMAIL_FIELDS if name in values},
    )


# --- notification addresses -----------------------------------------------------------


@transaction.atomic
def add_notification_address(*, seller: Seller, actor: User, email: str) -> NotificationAddress:
    """A new address, sent a confirmation link; it receives nothing until confirmed."""
    locked = _locked(seller)
    email = email.strip()
    known = NotificationAddress.objects.filter(seller=locked)
    if email.lower() == locked.contact_email.lower() or known.filter(email__iexact=email).exists():
        raise SettingsError(gettext("%(email)s is already on the list.") % {"email": email})
    if known.count() + 1 >= MAX_NOTIFICATION_ADDRESSES:
        raise SettingsError(
            gettext("A shop can have at most %(count)s notification addresses. Remove one first.")
            % {"count": MAX_NOTIFICATION_ADDRESSES}
        )
    address = NotificationAddress.objects.create(seller=locked, email=email)
    _record(seller=seller, actor=actor, action=Action.ADDRESS_ADDED, subject=email)
    emails.address_confirmation(address, sent_at=timezone.now())
    return address


@transaction.atomic
def resend_confirmation(*, address: NotificationAddress) -> Notification:
    """A new link for an unconfirmed address (at most one a minute); the old link stops working."""
    if address.confirmed_at is not None:
        raise SettingsError(gettext("%(email)s is already confirmed.") % {"email": address.email})
    return emails.address_confirmation(address, sent_at=timezone.now())


@transaction.atomic
def confirm_address(*, token: str) -> NotificationAddress:
    """The link in the confirmation email: it works once, within its time, and only the latest."""
    address, digest = confirmations.read_confirmation(token)
    now = timezone.now()
    # Compare-and-set on the digest: of two clicks at the same moment, one confirms.
    confirmed = NotificationAddress.objects.filter(
        pk=address.pk, confirmation_digest=digest, confirmed_at__isnull=True
    ).update(confirmed_at=now, confirmation_digest="")
    if not confirmed:
        raise confirmations.LinkError(
            gettext("This address is already confirmed; the link was used.")
        )
    address.confirmed_at, address.confirmation_digest = now, ""
    _record(
        seller=address.seller, actor=None, action=Action.ADDRESS_CONFIRMED, subject=address.email
    )
    return address


@transaction.atomic
def remove_notification_address(*, address: NotificationAddress, actor: User) -> None:
    """The address receives nothing more, not even a confirmation link still waiting to go."""
    _locked(address.seller)
    NotificationAddress.objects.filter(pk=address.pk).delete()
    notice_queue.mute_address_confirmations(seller_id=address.seller_id, email=address.email)
    _record(
        seller=address.seller, actor=actor, action=Action.ADDRESS_REMOVED, subject=address.email
    )


@transaction.atomic
def remove_primary_address(*, seller: Seller, actor: User) -> str:
    """The oldest confirmed other address becomes the primary one; returns it.

    With none confirmed the primary stays: the shop must always be reachable.
    """
    locked = _locked(seller)
    successor = NotificationAddress.objects.confirmed().filter(seller=locked).first()
    if successor is None:
        raise SettingsError(
            gettext(
                "%(email)s is the only address that receives notices. Add another one and "
                "confirm it before you remove this one."
            )
            % {"email": locked.contact_email}
        )
    old = locked.contact_email
    Seller.objects.filter(pk=seller.pk).update(contact_email=successor.email)
    NotificationAddress.objects.filter(pk=successor.pk).delete()
    seller.contact_email = successor.email
    _record(seller=seller, actor=actor, action=Action.ADDRESS_REMOVED, subject=old)
    _record(
        seller=seller,
        actor=actor,
        action=Action.PRIMARY_CHANGED,
        subject=successor.email,
        changes={"contact_email": [old, successor.email]},
    )
    return str(successor.email)


# --- the one-click unsubscribe link ---------------------------------------------------


@transaction.atomic
def unsubscribe(*, token: str) -> tuple[Seller, str]:
    """Turn off the kind of email a link names (again: nothing changes); (seller, field)."""
    seller, field = confirmations.read_unsubscribe(token)
    _update_seller(seller=seller, actor=None, action=Action.EMAILS, values={field: False})
    return seller, field


# --- saved return addresses -----------------------------------------------------------


def _label_taken() -> SettingsError:
    return SettingsError(gettext("Another saved address has this name. Choose another name."))


@transaction.atomic
def save_return_address(
    *, seller: Seller, actor: User, address: ReturnAddress | None, values: dict[str, Any]
) -> ReturnAddress:
    """Add (`address` None) or change a saved address. The first one saved is the default;
    making one the default takes it from the other."""
    locked = _locked(seller)
    saved = ReturnAddress.objects.filter(seller=locked)
    values = {name: values[name] for name in RETURN_ADDRESS_FIELDS}
    if not saved.exclude(pk=getattr(address, "pk", None)).filter(is_default=True).exists():
        values["is_default"] = True
    if saved.filter(label=values["label"]).exclude(pk=getattr(address, "pk", None)).exists():
        raise _label_taken()
    if values["is_default"]:
        saved.exclude(pk=getattr(address, "pk", None)).filter(is_default=True).update(
            is_default=False
        )
    if address is None:
        try:
            with transaction.atomic():
                address = ReturnAddress.objects.create(seller=locked, **values)
        except IntegrityError:
            raise _label_taken() from None
        _record(
            seller=seller, actor=actor, action=Action.RETURN_ADDRESS_ADDED, subject=address.label
        )
        return address
    # Compared with the stored row: a ModelForm has already copied the new values onto `address`.
    stored = ReturnAddress.objects.get(pk=address.pk)
    changes = _differences(stored, values)
    if changes:
        ReturnAddress.objects.filter(pk=address.pk).update(
            updated_at=timezone.now(), **{name: new for name, (_, new) in changes.items()}
        )
        for name, (_, new) in changes.items():
            setattr(address, name, new)
        _record(
            seller=seller,
            actor=actor,
            action=Action.RETURN_ADDRESS_CHANGED,
            subject=address.label,
            changes=changes,
        )
    return address


@transaction.atomic
def make_default_return_address(*, address: ReturnAddress, actor: User) -> None:
    _locked(address.seller)
    if address.is_default:
        return
    ReturnAddress.objects.filter(seller_id=address.seller_id, is_default=True).update(
        is_default=False
    )
    ReturnAddress.objects.filter(pk=address.pk).update(is_default=True)
    _record(
        seller=address.seller,
        actor=actor,
        action=Action.RETURN_ADDRESS_CHANGED,
        subject=address.label,
        changes={"is_default": [False, True]},
    )


@transaction.atomic
def delete_return_address(*, address: ReturnAddress, actor: User) -> None:
    """Tickets keep the address they were sent to; the oldest other one becomes the default."""
    _locked(address.seller)
    ReturnAddress.objects.filter(pk=address.pk).delete()
    if address.is_default:
        successor = (
            ReturnAddress.objects.filter(seller_id=address.seller_id).order_by("created_at").first()
        )
        if successor is not None:
            ReturnAddress.objects.filter(pk=successor.pk).update(is_default=True)
    _record(
        seller=address.seller,
        actor=actor,
        action=Action.RETURN_ADDRESS_DELETED,
        subject=address.label,
    )
