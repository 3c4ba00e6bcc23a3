"""What the outbox writes into a notice as it sends it (DESIGN.md §6).

The notices a job wrote in bulk are rendered here, from the package as it is
then; every notice gets the time left as of its sending, an address
confirmation its freshly minted link, and a seller's optional email its
one-click unsubscribe headers. The queueing side is `returns.emails`.
"""

import logging
from datetime import datetime

from django.db.models import prefetch_related_objects
from django.urls import reverse
from django.utils import translation
from django.utils.html import escape
from django.utils.translation import gettext

from portal import confirmations, formatting
from portal.emails import render_email
from portal.languages import recipient_language
from portal.models import NotificationAddress
from returns import links
from returns.emails import deferred_context
from returns.models import FailedPackage, Notification
from returns.notice_queue import (
    CONFIRMATION_LINK_MARK,
    OPTIONAL_KINDS,
    TIME_LEFT_MARK,
    unsubscribe_url,
)

Kind = Notification.Kind
logger = logging.getLogger(__name__)


def load_deferred_packages(notifications: list[Notification]) -> None:
    """Read the packages (with seller and provider) of the notices still to render in one
    query, and hang each on its notice, for `render_deferred`; address the sellers' ones,
    when sent, to the addresses confirmed by then (one query for the batch's sellers)."""
    deferred = [n for n in notifications if not n.subject]
    if not deferred:
        return
    _attach_packages(deferred)
    sellers = {n.seller_id for n in deferred if n.audience == Notification.Audience.SELLER}
    extra: dict[int, list[str]] = {}
    for seller_id, email in (
        NotificationAddress.objects.confirmed()
        .filter(seller_id__in=sellers)
        .values_list("seller_id", "email")
    ):
        extra.setdefault(seller_id, []).append(email)
    for notification in deferred:
        if notification.audience == Notification.Audience.SELLER and notification.seller_id:
            notification.also_to = "\n".join(extra.get(notification.seller_id, []))


def _attach_packages(notifications: list[Notification]) -> None:
    packages = FailedPackage.objects.select_related("seller", "provider").in_bulk(
        {n.package_id for n in notifications}
    )
    for notification in notifications:
        if notification.package_id in packages:
            notification.package = packages[notification.package_id]
    # A destruction notice lists its package's attempts: one query for the batch's.
    listing = {
        n.package_id: packages[n.package_id]
        for n in notifications
        if n.kind == Kind.DESTRUCTION_NOTICE and n.package_id in packages
    }
    prefetch_related_objects(list(listing.values()), "attempts")


def render_deferred(notification: Notification) -> None:
    """Fill in subject and bodies of a notice written in bulk (unsaved), in its language.

    The language was copied from the recipient with the address when the row was
    written, and an unknown one (the recipient's, before LANGUAGES changed) is English.
    The package is the one `load_deferred_packages` (or `render_unsent`) read for the batch.
    """
    package = notification.package
    if package is None:  # only package notices are written unrendered
        raise ValueError(f"notification {notification.pk} has no package to render")
    language = recipient_language(notification.language)
    context = deferred_context(notification, package, language)
    email = render_email(notification.kind, context, language=language)
    notification.subject, notification.body_text, notification.body_html = (
        email.subject,
        email.text,
        email.html,
    )


def render_unsent(notifications: list[Notification]) -> None:
    """Fill in, unsaved, the notices the outbox has not rendered yet (written unrendered a
    moment ago), so a seller reading their notices sees what the email will say, not a
    kind's name and an empty message: one query reads their packages, and one their
    attempts if a destruction notice is among them (the addresses are the outbox's
    business). One that cannot be rendered keeps its kind's name, and is logged."""
    waiting = [notification for notification in notifications if not notification.subject]
    if not waiting:
        return
    _attach_packages(waiting)
    for notification in waiting:
        try:
            render_deferred(notification)
        except Exception:  # the page still opens: the outbox keeps the error when it tries
            logger.exception("Notification %s could not be rendered for reading", notification.pk)


# --- links minted or signed as the email is sent --------------------------------------


def with_links(notification: Notification) -> tuple[str, str]:
    """The text and HTML bodies to send, an address confirmation's link written in.

    The link is minted now and exists only in the email: the row keeps the mark.
    An address removed or confirmed since gets a link to the settings page instead.
    """
    text, html = notification.body_text, notification.body_html
    if notification.kind != Kind.ADDRESS_CONFIRMATION:
        return text, html
    seller_id = notification.seller_id
    if seller_id is None:
        # Queued for the address's seller only (portal.shop.emails.address_confirmation).
        raise ValueError("An address confirmation needs the seller.")
    address = NotificationAddress.objects.filter(
        seller_id=seller_id, email=notification.to_email, confirmed_at__isnull=True
    ).first()
    path = reverse("settings:index")
    if address is not None:
        path = reverse("settings:confirm", args=[confirmations.mint_confirmation(address)])
    url = links.link(path, notification.language)
    return text.replace(CONFIRMATION_LINK_MARK, url), html.replace(
        CONFIRMATION_LINK_MARK, escape(url)
    )


def unsubscribe_headers(notification: Notification) -> dict[str, str]:
    """RFC 8058 one-click unsubscribe, for the seller's optional emails only."""
    field = OPTIONAL_KINDS.get(notification.kind)
    if field is None or notification.audience != Notification.Audience.SELLER:
        return {}
    seller_id = notification.seller_id
    if seller_id is None:
        # A check constraint on Notification: a seller's notice names its seller.
        raise ValueError("A notice to a seller needs the seller.")
    url = unsubscribe_url(seller_id, field, notification.language)
    return {"List-Unsubscribe": f"<{url}>", "List-Unsubscribe-Post": "List-Unsubscribe=One-Click"}


# --- the time left, as the notice is sent ---------------------------------------------


def time_left_words(notification: Notification, deadline: datetime | None, now: datetime) -> str:
    """`6 days 22 hours left` at `now`, in the notice's language."""
    with translation.override(recipient_language(notification.language)):
        if deadline is None or deadline < now:
            return gettext("Claim window closed")
        return formatting.time_left(deadline, now)


def fill_time_left(notifications: list[Notification], *, now: datetime) -> set[int]:
    """Write the time left at `now` into the notices that mark it (unsaved; the outbox
    keeps what it sent), reading their packages' deadlines in one query. Returns the
    keys of the notices it changed."""
    marked = [n for n in notifications if TIME_LEFT_MARK in n.body_text + n.body_html]
    if not marked:
        return set()
    deadlines = dict(
        FailedPackage.objects.filter(pk__in={n.package_id for n in marked}).values_list(
            "pk", "claim_deadline"
        )
    )
    for notification in marked:
        words = time_left_words(notification, deadlines.get(notification.package_id), now)
        notification.body_text = notification.body_text.replace(TIME_LEFT_MARK, words)
        notification.body_html = notification.body_html.replace(TIME_LEFT_MARK, escape(words))
    return {n.pk for n in marked}
