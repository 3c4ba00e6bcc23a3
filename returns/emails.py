"""One small function per notice. Each writes an outbox row in the caller's transaction.

The `dedupe_key` makes a notice idempotent: asking twice for the same notice
about the same thing returns the row already written, and sends nothing new.

A job that writes notices by the thousand (`returns.bulk`) leaves
subject and bodies empty: rendering costs milliseconds a notice, so the outbox
renders each one when it sends it (`returns.outbox.rendering`), from the package
as it is then. So do the notices of the intake API's busiest event, the failing
attempt: the destruction notice, or what the seller's standing instruction decided
(`instruction_applied`), their other facts kept on the row.
"""

from collections.abc import Callable, Sequence
from operator import attrgetter
from typing import Any

from django.conf import settings
from django.db.models import Q, Value
from django.db.models.functions import Concat
from django.utils.module_loading import import_string

from returns import action_links, links
from returns.models import FailedPackage, InstructionRule, Notification, StandingInstruction
from returns.notice_queue import (
    Unrendered,
    package_key,
    queue_notification,
    queue_unrendered,
    recipient_of,
)

Kind = Notification.Kind
# (ticket reference, its package) -> what the provider's new-ticket notice shows.
TICKET_CREATED_CONTEXT = "tickets.emails.deferred_ticket_created_context"


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
    seller's standing `instruction` left the decision to them (returns.instructions).

    Written unrendered (`queue_unrendered`): the failing attempt of the intake API pays
    for no rendering, and the outbox renders it as it sends it (`deferred_context`)."""
    pending = action_links.prepare(package)
    facts: dict[str, Any] = dict(pending.context)
    if unmet and instruction is not None:
        facts.update(unmet=unmet, rule=instruction.rule, currency=instruction.currency)
    [notification] = queue_unrendered(package, [Unrendered(Kind.DESTRUCTION_NOTICE, facts)])
    pending.issue(notification)
    return notification


def instruction_applied(
    package: FailedPackage,
    *,
    rule: str,
    ticket_reference: str = "",
    note: str = "",
    also: Sequence[Unrendered] = (),
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
            *also,
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


def forget_decision_notices(
    package: FailedPackage, *, decision_id: int, ticket_reference: str = ""
) -> None:
    """After an undone decision, the seller's next one must reach the provider too: the
    earlier notices keep their rows, under a key of their own, so the package's key is
    free again (finalize's bulk INSERT … ON CONFLICT included).

    Those no delivery run has taken yet (the mail server was down, a retry was waiting)
    are kept unsent: the provider would be told to destroy, or to keep, a package that is
    waiting for its seller again, or of the rule's send-back ticket, closed with the undo.
    One being sent now goes; the undo's own notice follows it."""
    keys = [package_key(kind, package.pk) for kind in DECISION_NOTICES]
    decided = Q(dedupe_key__in=keys)
    if ticket_reference:
        decided |= Q(kind=Kind.TICKET_CREATED, ticket_reference=ticket_reference)
    Notification.objects.filter(
        decided, package=package, status=Notification.Status.PENDING
    ).update(status=Notification.Status.MUTED)
    Notification.objects.filter(package=package, dedupe_key__in=keys).update(
        dedupe_key=Concat("dedupe_key", Value(f":undone-{decision_id}"))
    )


def destruction_overdue(package: FailedPackage) -> Notification:
    """Still not destroyed DESTRUCTION_OVERDUE_DAYS after the instruction: a reminder, once."""
    return _to_provider(
        Kind.DESTRUCTION_OVERDUE, package, overdue_days=settings.DESTRUCTION_OVERDUE_DAYS
    )


def deferred_context(
    notification: Notification, package: FailedPackage, language: str
) -> dict[str, Any]:
    """What an unrendered notice shows, as its builder shows it: the package's context in
    `language`, and the notice's `render_facts` (the links they name made in `language`)."""
    facts = notification.render_facts
    reference = notification.ticket_reference
    extra: dict[str, Any] = {}
    if notification.kind == Kind.DESTRUCTION_NOTICE:
        unmet = facts.get("unmet", "")
        extra = {
            # All of them: a package gets no attempt after the one that failed it.
            "attempts": sorted(package.attempts.all(), key=attrgetter("number")),
            "ticket_url": links.new_ticket_url(package, language=language),
            # What the notice says of the rule: its label and currency, as they were.
            "instruction": StandingInstruction(rule=facts["rule"], currency=facts["currency"])
            if unmet
            else None,
            "unmet": unmet,
            **{name: facts.get(name, "") for name in ("send_back_link", "let_go_link")},
        }
    elif notification.kind == Kind.INSTRUCTION_APPLIED:
        extra = {
            "rule_label": InstructionRule(facts["rule"]).label,
            "claimed": facts["claimed"],
            "ticket_reference": reference,
            "ticket_url": links.ticket_url(reference, language=language) if reference else "",
            "undo_link": facts.get("undo_link", ""),
        }
    elif notification.kind == Kind.CLAIM_RECEIVED:
        extra = {"ticket_reference": reference, "note": facts.get("note", "")}
    elif notification.kind == Kind.TICKET_CREATED:
        # The tickets app sits above this one: its context is named by its path.
        ticket_context: Callable[[str, FailedPackage], dict[str, Any]]
        ticket_context = import_string(TICKET_CREATED_CONTEXT)
        return ticket_context(reference, package)
    if notification.audience == Notification.Audience.SELLER:
        return _package_context(package, language=language, **extra)
    return _provider_context(package, language=language, **extra)
