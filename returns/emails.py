"""One small function per notice. Each writes an outbox row in the caller's transaction.

The `dedupe_key` makes a notice idempotent: asking twice for the same notice
about the same thing returns the row already written, and sends nothing new.

A job that writes notices by the thousand (`queue_package_notices`) leaves
subject and bodies empty: rendering costs milliseconds a notice, so the outbox
renders each one when it sends it (`render_deferred`), from the package as it
is then.
"""

from datetime import datetime

from django.conf import settings
from django.db import IntegrityError, connection, transaction
from django.utils import translation
from django.utils.html import escape
from django.utils.translation import gettext

from portal.emails import render_email
from portal.languages import recipient_language
from portal.models import LogisticsProvider, Seller
from returns import action_links, formatting, links
from returns.models import FailedPackage, InstructionRule, Notification, StandingInstruction

Kind = Notification.Kind

# Where a notice says how long is left (`{% time_left_when_sent %}`). The outbox writes
# the time left in as it sends (`fill_time_left`), so the seller reads the time left
# then, not when the notice was written, however long it waited in the queue.
TIME_LEFT_MARK = "[[time-left]]"


def queue_notification(
    *,
    kind: str,
    provider: LogisticsProvider,
    seller: Seller | None,
    to_email: str,
    dedupe_key: str,
    context: dict,
    package: FailedPackage | None = None,
    ticket_reference: str = "",
) -> Notification:
    """Write one outbox row (once per `dedupe_key`) and have it sent after commit.

    The email is in the recipient's language: the seller's, or for the provider's
    ops address the provider's (`recipient_of`).
    """
    existing = Notification.objects.filter(dedupe_key=dedupe_key).first()
    if existing is not None:
        return existing
    email = render_email(kind, context, language=recipient_of(seller, provider))
    # Not get_or_create(), which would look the key up a second time.
    try:
        with transaction.atomic():
            notification = Notification.objects.create(
                dedupe_key=dedupe_key,
                kind=kind,
                audience=Notification.Audience.SELLER if seller else Notification.Audience.PROVIDER,
                seller=seller,
                provider=provider,
                package=package,
                ticket_reference=ticket_reference,
                to_email=to_email,
                subject=email.subject,
                body_text=email.text,
                body_html=email.html,
                language=email.language,
            )
    except IntegrityError:  # written by someone else since the look-up above
        notification = Notification.objects.filter(dedupe_key=dedupe_key).first()
        if notification is None:  # not the dedupe key that failed
            raise
    send_soon()
    return notification


def recipient_of(seller: Seller | None, provider: LogisticsProvider) -> str:
    """The language of a notice: its seller's, or for the ops address its provider's."""
    return recipient_language(seller.language if seller is not None else provider.language)


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


def _package_context(package: FailedPackage, *, language: str | None = None, **extra) -> dict:
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


def _provider_context(package: FailedPackage, *, language: str | None = None, **extra) -> dict:
    language = language or recipient_of(None, package.provider)
    return _package_context(
        package,
        language=language,
        admin_url=links.admin_package_url(package, language=language),
        **extra,
    )


def _seller_language(package: FailedPackage) -> str:
    return recipient_of(package.seller, package.provider)


def _to_seller(kind: str, package: FailedPackage, *, key: str = "", **extra) -> Notification:
    return queue_notification(
        kind=kind,
        provider=package.provider,
        seller=package.seller,
        to_email=package.seller.contact_email,
        dedupe_key=f"{kind}:{package.pk}{key}",
        package=package,
        context=_package_context(package, **extra),
    )


def _to_provider(kind: str, package: FailedPackage, **extra) -> Notification:
    return queue_notification(
        kind=kind,
        provider=package.provider,
        seller=None,
        to_email=package.provider.ops_email,
        dedupe_key=f"{kind}:{package.pk}",
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
        key=f":{hours_before}",
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
    """The seller took back what their rule decided: hold the package, they decide again."""
    return queue_notification(
        kind=Kind.INSTRUCTION_UNDONE,
        provider=package.provider,
        seller=None,
        to_email=package.provider.ops_email,
        # Once per decision undone: a package is decided by its rule at most once.
        dedupe_key=f"{Kind.INSTRUCTION_UNDONE}:{package.pk}",
        package=package,
        context=_provider_context(package, was_claimed=undone == "claimed"),
    )


def destruction_overdue(package: FailedPackage) -> Notification:
    """Still not destroyed DESTRUCTION_OVERDUE_DAYS after the instruction: a reminder, once."""
    return _to_provider(
        Kind.DESTRUCTION_OVERDUE, package, overdue_days=settings.DESTRUCTION_OVERDUE_DAYS
    )


# --- notices written in bulk, rendered when sent --------------------------------------

# The kinds a job writes in bulk, each needing nothing but its package to render.
DEFERRED_KINDS = {
    Kind.DESTRUCTION_FINALIZED: Notification.Audience.SELLER,
    Kind.DESTRUCTION_INSTRUCTION: Notification.Audience.PROVIDER,
}


def queue_package_notices(kind: str, package_ids: list[int], *, now: datetime) -> None:
    """One unrendered notice of `kind` for each package, in one INSERT … SELECT.

    The address is copied from the seller or provider as the row is written,
    as `queue_notification` does; a notice already written is left alone. The
    caller asks for delivery (`send_soon`) once it has written all its batches.
    """
    to_seller = DEFERRED_KINDS[kind] == Notification.Audience.SELLER
    notification = Notification._meta.db_table
    package = FailedPackage._meta.db_table
    recipient = (Seller if to_seller else LogisticsProvider)._meta.db_table
    placeholders = ", ".join(["%s"] * len(package_ids))
    at = connection.ops.adapt_datetimefield_value(now)  # raw SQL: as the ORM would store it
    with connection.cursor() as cursor:
        cursor.execute(
            f"""
            INSERT INTO {notification} (
                audience, seller_id, provider_id, package_id, ticket_reference, kind, to_email,
                subject, body_text, body_html, dedupe_key, status, attempts, next_attempt_at,
                last_error, created_at, language
            )
            SELECT %s, {"p.seller_id" if to_seller else "NULL"}, p.provider_id, p.id, '', %s,
                   r.{"contact_email" if to_seller else "ops_email"}, '', '', '',
                   CAST(%s AS TEXT) || CAST(p.id AS TEXT), %s, 0, %s, '', %s, r.language
            FROM {package} p
            JOIN {recipient} r ON r.id = p.{"seller_id" if to_seller else "provider_id"}
            WHERE p.id IN ({placeholders})
            ON CONFLICT (dedupe_key) DO NOTHING
            """,
            [
                DEFERRED_KINDS[kind], kind, f"{kind}:", Notification.Status.PENDING,
                at, at, *package_ids,
            ],
        )  # fmt: skip


def render_deferred(notification: Notification) -> None:
    """Fill in subject and bodies of a notice written in bulk (unsaved), in its language.

    The language was copied from the recipient with the address when the row was
    written, and an unknown one (the recipient's, before LANGUAGES changed) is English.
    """
    package = FailedPackage.objects.select_related("seller", "provider").get(
        pk=notification.package_id
    )
    builder = _package_context if notification.audience == "seller" else _provider_context
    language = recipient_language(notification.language)
    email = render_email(notification.kind, builder(package, language=language), language=language)
    notification.subject, notification.body_text, notification.body_html = (
        email.subject,
        email.text,
        email.html,
    )


# --- the time left, as the notice is sent ---------------------------------------------


def time_left_words(notification: Notification, deadline: datetime | None, now: datetime) -> str:
    """`6 days 22 hours left` at `now`, in the notice's language."""
    with translation.override(recipient_language(notification.language)):
        if deadline is None or deadline < now:
            return gettext("Claim window closed")
        return formatting.time_left(deadline, now)


def fill_time_left(notifications: list[Notification], *, now: datetime) -> None:
    """Write the time left at `now` into the notices that mark it (unsaved; the outbox
    keeps what it sent), reading their packages' deadlines in one query."""
    marked = [n for n in notifications if TIME_LEFT_MARK in n.body_text + n.body_html]
    if not marked:
        return
    deadlines = dict(
        FailedPackage.objects.filter(pk__in={n.package_id for n in marked}).values_list(
            "pk", "claim_deadline"
        )
    )
    for notification in marked:
        words = time_left_words(notification, deadlines.get(notification.package_id), now)
        notification.body_text = notification.body_text.replace(TIME_LEFT_MARK, words)
        notification.body_html = notification.body_html.replace(TIME_LEFT_MARK, escape(words))
