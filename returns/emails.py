"""One small function per notice. Each writes an outbox row in the caller's transaction.

The `dedupe_key` makes a notice idempotent: asking twice for the same notice
about the same thing returns the row already written, and sends nothing new.

A job that writes notices by the thousand (`returns.finalize`) leaves
subject and bodies empty: rendering costs milliseconds a notice, so the outbox
renders each one when it sends it (`render_deferred`), from the package as it
is then. So does a standing instruction's decision on the intake API's busiest
event (`instruction_applied`), its notices' other facts kept on the row.
"""

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Value
from django.db.models.functions import Concat
from django.urls import reverse
from django.utils import translation
from django.utils.html import escape
from django.utils.translation import gettext

from portal import confirmations, formatting
from portal.emails import render_email
from portal.languages import recipient_language
from portal.models import LogisticsProvider, NotificationAddress, Seller, extra_notice_recipients
from returns import action_links, links
from returns.models import FailedPackage, InstructionRule, Notification, StandingInstruction

Kind = Notification.Kind

# Where a notice says how long is left (`{% time_left_when_sent %}`). The outbox writes
# the time left in as it sends (`fill_time_left`), so the seller reads the time left
# then, not when the notice was written, however long it waited in the queue.
TIME_LEFT_MARK = "[[time-left]]"
# Where an address confirmation carries its link: minted as the email is sent
# (`with_links`), so the outbox keeps this mark, never the link.
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


def mute_address_confirmations(*, seller_id: int, email: str) -> int:
    """A removed notification address receives nothing more: its confirmation links still
    waiting in the outbox are kept, not sent; returns how many. Only rows no delivery run
    has claimed: one being sent now goes, with a link to the settings page instead of a
    confirmation (`with_links`)."""
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
    package: FailedPackage, *, rule: str, ticket_reference: str = "", note: str = ""
) -> list[Notification]:
    """The seller's standing instruction decided, in the failure's own transaction: the
    seller is told what it did, with the one-click undo; the provider to keep the package
    (`claim_received`) or destroy it (`destruction_instruction`).

    Written unrendered in one statement (`queue_unrendered`): the intake API pays for
    no rendering, and the outbox renders them as it sends them (`deferred_context`)."""
    pending = action_links.prepare(package, undo=True)
    claimed = package.status == FailedPackage.Status.CLAIMED
    to_provider = (
        Unrendered(Kind.CLAIM_RECEIVED, {"note": note} if note else {}, ticket_reference)
        if claimed
        else Unrendered(Kind.DESTRUCTION_INSTRUCTION)
    )
    notices = queue_unrendered(
        package,
        [
            Unrendered(
                Kind.INSTRUCTION_APPLIED,
                {"rule": rule, "claimed": claimed, **pending.context},
                ticket_reference,
            ),
            to_provider,
        ],
    )
    pending.issue(notices[0])
    return notices


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

# The kinds written unrendered, each with its audience: by a job in bulk (needing nothing
# but their package to render), and by a standing instruction's decision (their
# `render_facts` besides).
DEFERRED_KINDS = {
    Kind.DESTRUCTION_FINALIZED: Notification.Audience.SELLER,
    Kind.DESTRUCTION_INSTRUCTION: Notification.Audience.PROVIDER,
    Kind.INSTRUCTION_APPLIED: Notification.Audience.SELLER,
    Kind.CLAIM_RECEIVED: Notification.Audience.PROVIDER,
}


@dataclass(frozen=True)
class Unrendered:
    """A package notice to write unrendered, and what it shows beyond its package."""

    kind: Notification.Kind
    facts: dict[str, Any] = field(default_factory=dict)
    ticket_reference: str = ""


def queue_unrendered(package: FailedPackage, notices: list[Unrendered]) -> list[Notification]:
    """`queue_notification` for a package's notices, without rendering them: subject and
    bodies stay empty, as `returns.finalize` writes its own, and the outbox renders each
    in the recipient's language (kept on the row) when it sends it, the time left and
    the seller's confirmed addresses as of then. Each once per `package_key`; the
    notices not written yet cost one look-up and one INSERT together."""
    keys = {package_key(notice.kind, package.pk): notice for notice in notices}
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


def deferred_context(
    notification: Notification, package: FailedPackage, language: str
) -> dict[str, Any]:
    """What an unrendered notice shows, as its builder shows it: the package's context in
    `language`, and the notice's `render_facts` (the links they name made in `language`)."""
    facts = notification.render_facts
    reference = notification.ticket_reference
    extra: dict[str, Any] = {}
    if notification.kind == Kind.INSTRUCTION_APPLIED:
        extra = {
            "rule_label": InstructionRule(facts["rule"]).label,
            "claimed": facts["claimed"],
            "ticket_reference": reference,
            "ticket_url": links.ticket_url(reference, language=language) if reference else "",
            "undo_link": facts.get("undo_link", ""),
        }
    elif notification.kind == Kind.CLAIM_RECEIVED:
        extra = {"ticket_reference": reference, "note": facts.get("note", "")}
    if notification.audience == Notification.Audience.SELLER:
        return _package_context(package, language=language, **extra)
    return _provider_context(package, language=language, **extra)


def load_deferred_packages(notifications: list[Notification]) -> None:
    """Read the packages (with seller and provider) of the notices still to render in one
    query, and hang each on its notice, for `render_deferred`; address the sellers' ones,
    when sent, to the addresses confirmed by then (one query for the batch's sellers)."""
    deferred = [n for n in notifications if not n.subject]
    if not deferred:
        return
    packages = FailedPackage.objects.select_related("seller", "provider").in_bulk(
        {n.package_id for n in deferred}
    )
    sellers = {n.seller_id for n in deferred if n.audience == Notification.Audience.SELLER}
    extra: dict[int, list[str]] = {}
    for seller_id, email in (
        NotificationAddress.objects.confirmed()
        .filter(seller_id__in=sellers)
        .values_list("seller_id", "email")
    ):
        extra.setdefault(seller_id, []).append(email)
    for notification in deferred:
        if notification.package_id in packages:
            notification.package = packages[notification.package_id]
        if notification.audience == Notification.Audience.SELLER and notification.seller_id:
            notification.also_to = "\n".join(extra.get(notification.seller_id, []))


def render_deferred(notification: Notification) -> None:
    """Fill in subject and bodies of a notice written in bulk (unsaved), in its language.

    The language was copied from the recipient with the address when the row was
    written, and an unknown one (the recipient's, before LANGUAGES changed) is English.
    The package is the one `load_deferred_packages` read for the batch.
    """
    package = notification.package
    if package is None:  # only package notices are written in bulk (returns.finalize)
        raise ValueError(f"notification {notification.pk} has no package to render")
    language = recipient_language(notification.language)
    context = deferred_context(notification, package, language)
    email = render_email(notification.kind, context, language=language)
    notification.subject, notification.body_text, notification.body_html = (
        email.subject,
        email.text,
        email.html,
    )


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


def unsubscribe_url(seller_id: int, field: str, language: str) -> str:
    """The signed link that turns one optional kind of email off (portal.shop.views.unsubscribe)."""
    token = confirmations.unsubscribe_token(seller_id, field)
    return links.link(reverse("settings:unsubscribe", args=[token]), language)


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
