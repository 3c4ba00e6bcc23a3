"""One small function per notice. Each writes an outbox row in the caller's transaction.

The `dedupe_key` makes a notice idempotent: asking twice for the same notice
about the same thing returns the row already written, and sends nothing new.

A job that writes notices by the thousand (`returns.finalize`) leaves
subject and bodies empty: rendering costs milliseconds a notice, so the outbox
renders each one when it sends it (`returns.outbox.rendering`), from the package
as it is then.
"""

from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Value
from django.db.models.functions import Concat
from django.urls import reverse

from portal import confirmations
from portal.emails import render_email
from portal.languages import recipient_language
from portal.models import LogisticsProvider, Seller, extra_notice_recipients
from returns import action_links, links
from returns.models import FailedPackage, InstructionRule, Notification, StandingInstruction

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

    Written by `_to_seller`/`_to_provider` and, in SQL, by `returns.finalize`
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


def _package_context(
    package: FailedPackage, *, language: str | None = None, **extra: Any
) -> dict[str, Any]:
    """What a notice about `package` shows; its links open in `language` (the seller's)."""
    language = language or recipient_of(package.seller, package.provider)
    return {
        "package": package,
        "seller": package.seller,
        "provider": package.provider,
        "zone": package.seller.time_zone,
        "package_url": links.package_url(package, language=language),
        **extra,
    }


def _provider_context(
    package: FailedPackage, *, language: str | None = None, **extra: Any
) -> dict[str, Any]:
    language = language or recipient_of(None, package.provider)
    return _package_context(
        package,
        language=language,
        admin_url=links.admin_package_url(package, language=language),
        **extra,
    )


def _seller_language(package: FailedPackage) -> str:
    return recipient_of(package.seller, package.provider)


def _to_seller(
    kind: Notification.Kind, package: FailedPackage, *, stage: str = "", **extra: Any
) -> Notification:
    return queue_notification(
        kind=kind,
        provider=package.provider,
        seller=package.seller,
        to_email=package.seller.contact_email,
        dedupe_key=package_key(kind, package.pk, stage),
        package=package,
        context=_package_context(package, **extra),
    )


def _to_provider(kind: Notification.Kind, package: FailedPackage, **extra: Any) -> Notification:
    return queue_notification(
        kind=kind,
        provider=package.provider,
        seller=None,
        to_email=package.provider.ops_email,
        dedupe_key=package_key(kind, package.pk),
        package=package,
        context=_provider_context(package, **extra),
    )


# --- to the seller --------------------------------------------------------------------


def destruction_notice(
    package: FailedPackage, *, instruction: StandingInstruction | None = None, unmet: str = ""
) -> Notification:
    """Failed delivery: the package will be destroyed unless the seller acts in time.
    It carries the two one-click actions (returns.action_links). `unmet`: why the
    seller's standing `instruction` left the decision to them (returns.instructions)."""
    pending = action_links.prepare(package)
    notification = _to_seller(
        Kind.DESTRUCTION_NOTICE,
        package,
        attempts=list(package.attempts.order_by("number")),
        ticket_url=links.new_ticket_url(package, language=_seller_language(package)),
        instruction=instruction,
        unmet=unmet,
        **pending.context,
    )
    pending.issue(notification)
    return notification


def instruction_applied(
    package: FailedPackage, *, rule: str, ticket_reference: str = ""
) -> Notification:
    """The seller's standing instruction decided: what it did, and the one-click undo."""
    language = _seller_language(package)
    pending = action_links.prepare(package, undo=True)
    notification = _to_seller(
        Kind.INSTRUCTION_APPLIED,
        package,
        rule_label=InstructionRule(rule).label,
        claimed=package.status == FailedPackage.Status.CLAIMED,
        ticket_reference=ticket_reference,
        ticket_url=links.ticket_url(ticket_reference, language=language)
        if ticket_reference
        else "",
        **pending.context,
    )
    pending.issue(notification)
    return notification


def deadline_reminder(package: FailedPackage, *, hours_before: int) -> Notification:
    """The reminder of one stage (returns.reminders): once per package and stage, with
    the one-click actions as the destruction notice has them."""
    ticket_url = links.new_ticket_url(package, language=_seller_language(package))
    pending = action_links.prepare(package)
    notification = _to_seller(
        Kind.DEADLINE_REMINDER,
        package,
        stage=f":{hours_before}",
        ticket_url=ticket_url,
        hours_before=hours_before,
        **pending.context,
    )
    pending.issue(notification)
    return notification


def rejection_notice(package: FailedPackage) -> Notification:
    ticket_url = links.new_ticket_url(package, language=_seller_language(package))
    return _to_seller(Kind.REJECTION_NOTICE, package, ticket_url=ticket_url)


def claim_confirmed(package: FailedPackage, *, ticket_reference: str = "") -> Notification:
    language = _seller_language(package)
    ticket_url = links.ticket_url(ticket_reference, language=language) if ticket_reference else ""
    return _to_seller(
        Kind.CLAIM_CONFIRMED, package, ticket_reference=ticket_reference, ticket_url=ticket_url
    )


def release_confirmed(package: FailedPackage) -> Notification:
    return _to_seller(Kind.RELEASE_CONFIRMED, package)


def destruction_finalized(package: FailedPackage) -> Notification:
    return _to_seller(Kind.DESTRUCTION_FINALIZED, package)


def claim_withdrawn(package: FailedPackage, *, reason: str) -> Notification:
    return _to_seller(Kind.CLAIM_WITHDRAWN, package, reason=reason)


def destroyed(package: FailedPackage) -> Notification:
    certificate_url = links.certificate_url(package, language=_seller_language(package))
    return _to_seller(Kind.DESTROYED, package, certificate_url=certificate_url)


def returned(package: FailedPackage) -> Notification:
    return _to_seller(Kind.RETURNED, package)


# --- to the provider's operations address ---------------------------------------------


def destruction_instruction(package: FailedPackage) -> Notification:
    return _to_provider(Kind.DESTRUCTION_INSTRUCTION, package)


def claim_received(
    package: FailedPackage, *, ticket_reference: str = "", note: str = ""
) -> Notification:
    return _to_provider(Kind.CLAIM_RECEIVED, package, ticket_reference=ticket_reference, note=note)


def instruction_undone(package: FailedPackage, *, undone: str) -> Notification:
    """The seller took back what their rule decided: hold the package, they decide again.

    Once per package: a package is decided by its rule at most once."""
    return _to_provider(Kind.INSTRUCTION_UNDONE, package, was_claimed=undone == "claimed")


# The notices a decision sends the provider, each once per package (`package_key`).
DECISION_NOTICES = [Kind.CLAIM_RECEIVED, Kind.DESTRUCTION_INSTRUCTION]


def forget_decision_notices(package: FailedPackage, *, decision_id: int) -> None:
    """After an undone decision, the seller's next one must reach the provider too: the
    earlier notices keep their rows, under a key of their own, so the package's key is
    free again (finalize's bulk INSERT … ON CONFLICT included)."""
    Notification.objects.filter(
        package=package,
        dedupe_key__in=[package_key(kind, package.pk) for kind in DECISION_NOTICES],
    ).update(dedupe_key=Concat("dedupe_key", Value(f":undone-{decision_id}")))


def destruction_overdue(package: FailedPackage) -> Notification:
    """Still not destroyed DESTRUCTION_OVERDUE_DAYS after the instruction: a reminder, once."""
    return _to_provider(
        Kind.DESTRUCTION_OVERDUE, package, overdue_days=settings.DESTRUCTION_OVERDUE_DAYS
    )


# --- notices written in bulk, rendered when sent --------------------------------------

# The kinds a job writes in bulk, each needing nothing but its package to render
# (`returns.outbox.rendering.render_deferred`).
DEFERRED_KINDS = {
    Kind.DESTRUCTION_FINALIZED: Notification.Audience.SELLER,
    Kind.DESTRUCTION_INSTRUCTION: Notification.Audience.PROVIDER,
}


# --- the link in a seller's optional emails (and their List-Unsubscribe header) -------


def unsubscribe_url(seller_id: int, field: str, language: str) -> str:
    """The signed link that turns one optional kind of email off (portal.shop.views.unsubscribe)."""
    token = confirmations.unsubscribe_token(seller_id, field)
    return links.link(reverse("settings:unsubscribe", args=[token]), language)
