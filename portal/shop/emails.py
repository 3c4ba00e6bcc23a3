"""The settings' one email: the confirmation link a new notification address is sent."""

from datetime import datetime

from portal.confirmations import CONFIRMATION_MAX_AGE
from portal.models import NotificationAddress
from returns.models import Notification
from returns.notice_queue import CONFIRMATION_LINK_MARK, queue_notification


def address_confirmation(address: NotificationAddress, *, sent_at: datetime) -> Notification:
    """In the shop's language; the link is minted by the outbox as it sends
    (`returns.outbox.rendering.with_links`).

    Asking again within the same minute (a double click) gives the notice already written.
    """
    return queue_notification(
        kind=Notification.Kind.ADDRESS_CONFIRMATION,
        provider=None,
        seller=address.seller,
        to_email=address.email,
        audience=Notification.Audience.NEW_ADDRESS,
        dedupe_key=f"address_confirmation:{address.pk}:{sent_at:%Y%m%d%H%M}",
        context={
            "seller": address.seller,
            "address": address,
            "confirmation_url": CONFIRMATION_LINK_MARK,
            "valid_hours": int(CONFIRMATION_MAX_AGE.total_seconds() // 3600),
        },
    )
