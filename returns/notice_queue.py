"""Writing notices into the outbox: the row (once per dedupe key), its addressing and
language, the marks the outbox fills in as it sends, and the wake-up of a delivery run.

`returns.emails` and the other apps' emails build what a notice says and hand it here;
the outbox (`returns.outbox`) sends what is written here.
"""

from dataclasses import dataclass, field
from typing import Any

from django.db import IntegrityError, transaction
from django.urls import reverse

from portal import confirmations
from portal.emails import render_email
from portal.languages import recipient_language
from portal.models import LogisticsProvider, Seller, extra_notice_recipients
from returns import links
from returns.models import FailedPackage, Notification

Kind = Notification.Kind

# Where a notice says how long is left (`{% time_left_when_sent %}`). The outbox writes
# the time left in as it sends (`returns.outbox.rendering.fill_time_left`), so the
# seller reads the time left then, not when the notice was written, however long it
# waited in the queue.
TIME_LEFT_MARK = "[[time-left]]"
# Where an address confirmation carries its link: minted as the email is sent
# (`returns.outbox.rendering.with_links`): the outbox keeps this mark, never the link.
CONFIRMATION_LINK_MARK = "[[confirmation-link]]"

# The seller's emails a shop may turn off, each with its Seller switch. A staff reply
# to the provider's ops address is a TICKET_REPLY too, but only a seller's is optional.
OPTIONAL_KINDS: dict[str, str] = {
    Kind.DEADLINE_REMINDER: "reminder_emails",
    Kind.TICKET_REPLY: "ticket_reply_emails",
}


def package_key_prefix(kind: Notification.Kind) -> str:
    """The start of the dedupe key of every `kind` notice about a package."""
    return f"{kind}:"


def package_key(kind: Notification.Kind, package_id: int, stage: str = "") -> str:
    """The dedupe key of the `kind` notice about a package (and `stage`, for reminders).

    Written by `_to_seller`/`_to_provider` and, in SQL, by `returns.bulk`
    from the same prefix: a notice written either way is found by the other.
    """
    return f"{package_key_prefix(kind)}{package_id}{stage}"


def queue_notification(
    *,
    kind: Notification.Kind,
    provider: LogisticsProvider | None,
    seller: Seller | None,
    to_email: str,
    dedupe_key: str,
    context: dict[str, Any],
    package: FailedPackage | None = None,
    ticket_reference: str = "",
    audience: str = "",
    language: str = "",
) -> Notification:
    """Write one outbox row (once per `dedupe_key`) and have it sent after commit.

    The email is in the recipient's language: the seller's, or for the provider's
    ops address the provider's (`recipient_of`), unless the caller knows better
    (a team invitation is in its inviter's). The audience follows from the
    recipient unless given. A seller's notice goes to its primary address and to
    every other address it confirmed, in one message. An optional one the seller
    turned off is kept for /notifications/ and not emailed (`muted`).
    """
    existing: Notification | None = Notification.objects.filter(dedupe_key=dedupe_key).first()
    if existing is not None:
        return existing
    if not audience:
        audience = Notification.Audience.SELLER if seller else Notification.Audience.PROVIDER
    # The seller a notice is addressed to; none for the provider's copies and the others.
    addressee: Seller | None = None
    if audience == Notification.Audience.SELLER:
        if seller is None:
            # A check constraint on Notification: a seller's notice names its seller.
            raise ValueError("A notice to a seller needs the seller.")
        addressee = seller
    status = Notification.Status.PENDING
    switch = OPTIONAL_KINDS.get(kind)
    if addressee is not None and switch is not None and not getattr(addressee, switch):
        status = Notification.Status.MUTED
    also_to = "\n".join(extra_notice_recipients(addressee.pk)) if addressee is not None else ""
    language = language or recipient_of(seller, provider)
    if addressee is not None and switch is not None:
        context = {**context, "unsubscribe_url": unsubscribe_url(addressee.pk, switch, language)}
    email = render_email(kind, context, language=language)
    # Not get_or_create(), which would look the key up a second time.
    try:
        with transaction.atomic():
            notification = Notification.objects.create(
                dedupe_key=dedupe_key,
                kind=kind,
                audience=audience,
                seller=seller,
                provider=provider,
                package=package,
                ticket_reference=ticket_reference,
                to_email=to_email,
                also_to=also_to,
                status=status,
                subject=email.subject,
                body_text=email.text,
                body_html=email.html,
                language=email.language,
            )
    except IntegrityError:  # written by someone else since the look-up above
        written = Notification.objects.filter(dedupe_key=dedupe_key).first()
        if written is None:  # not the dedupe key that failed
            raise
        notification = written
    if status == Notification.Status.PENDING:
        send_soon()
    return notification


def mute_address_confirmations(*, seller_id: int, email: str) -> int:
    """A removed notification address receives nothing more: its confirmation links still
    waiting in the outbox are kept, not sent; returns how many. Only rows no delivery run
    has claimed: one being sent now goes, with a link to the settings page instead of a
    confirmation (`returns.outbox.rendering.with_links`)."""
    return Notification.objects.filter(
        kind=Kind.ADDRESS_CONFIRMATION,
        seller_id=seller_id,
        to_email=email,
        status=Notification.Status.PENDING,
    ).update(status=Notification.Status.MUTED)


def recipient_of(seller: Seller | None, provider: LogisticsProvider | None) -> str:
    """The language of a notice: its seller's, or for the ops address its provider's."""
    tenant = seller if seller is not None else provider
    return recipient_language(tenant.language if tenant is not None else None)


def send_soon() -> None:
    """Queue one delivery run when the current transaction commits (once per transaction)."""
    connection = transaction.get_connection()
    if any(callback is _enqueue_delivery for _, callback, _ in connection.run_on_commit):
        return
    transaction.on_commit(_enqueue_delivery, robust=True)


def _enqueue_delivery() -> None:
    from django_q.tasks import async_task

    # The every-minute schedule picks up anything this kick misses.
    async_task("returns.tasks.deliver_notifications", task_name="deliver-notifications-kick")


# --- notices written in bulk, rendered when sent --------------------------------------

# The kinds written unrendered, each with its audience: by a job in bulk (needing nothing
# but their package to render), by a package's failure (the destruction notice, or a
# standing instruction's decision: their `render_facts` besides), and the provider's
# notice of a send-back ticket filed without a sign-in (its ticket, read by reference
# when sent).
DEFERRED_KINDS = {
    Kind.DESTRUCTION_NOTICE: Notification.Audience.SELLER,
    Kind.DESTRUCTION_FINALIZED: Notification.Audience.SELLER,
    Kind.DESTRUCTION_INSTRUCTION: Notification.Audience.PROVIDER,
    Kind.INSTRUCTION_APPLIED: Notification.Audience.SELLER,
    Kind.CLAIM_RECEIVED: Notification.Audience.PROVIDER,
    Kind.TICKET_CREATED: Notification.Audience.PROVIDER,
}


@dataclass(frozen=True)
class Unrendered:
    """A package notice to write unrendered, and what it shows beyond its package.

    Its dedupe key is the package's (`package_key`) unless it is about something a
    package has several of over its life (a ticket), whose own key it then names."""

    kind: Notification.Kind
    facts: dict[str, Any] = field(default_factory=dict)
    ticket_reference: str = ""
    dedupe_key: str = ""


def queue_unrendered(package: FailedPackage, notices: list[Unrendered]) -> list[Notification]:
    """`queue_notification` for a package's notices, without rendering them: subject and
    bodies stay empty, as `returns.bulk` writes its own, and the outbox renders each
    in the recipient's language (kept on the row) when it sends it, the time left and
    the seller's confirmed addresses as of then. Each once per dedupe key; the
    notices not written yet cost one look-up and one INSERT together."""
    keys = {notice.dedupe_key or package_key(notice.kind, package.pk): notice for notice in notices}
    written = {n.dedupe_key: n for n in Notification.objects.filter(dedupe_key__in=keys)}
    rows = [_unrendered(package, notice, key) for key, notice in keys.items() if key not in written]
    if rows:
        try:
            with transaction.atomic():
                Notification.objects.bulk_create(rows)
        except IntegrityError:  # written by someone else since the look-up above
            written = {n.dedupe_key: n for n in Notification.objects.filter(dedupe_key__in=keys)}
            if len(written) != len(keys):  # not a dedupe key that failed
                raise
        else:
            written.update((row.dedupe_key, row) for row in rows)
            send_soon()
    return [written[key] for key in keys]


def _unrendered(package: FailedPackage, notice: Unrendered, key: str) -> Notification:
    """The row `queue_notification` would write, addressed alike, its bodies left empty."""
    audience = DEFERRED_KINDS[notice.kind]
    seller = package.seller if audience == Notification.Audience.SELLER else None
    return Notification(
        dedupe_key=key,
        kind=notice.kind,
        audience=audience,
        seller=seller,
        provider=package.provider,
        package=package,
        ticket_reference=notice.ticket_reference,
        to_email=seller.contact_email if seller is not None else package.provider.ops_email,
        status=Notification.Status.PENDING,
        subject="",
        body_text="",
        body_html="",
        language=recipient_of(seller, package.provider),
        render_facts=notice.facts,
    )


# --- the link in a seller's optional emails (and their List-Unsubscribe header) -------


def unsubscribe_url(seller_id: int, field: str, language: str) -> str:
    """The signed link that turns one optional kind of email off (portal.shop.views.unsubscribe)."""
    token = confirmations.unsubscribe_token(seller_id, field)
    return links.link(reverse("settings:unsubscribe", args=[token]), language)
