"""Standing instructions (DESIGN.md §6): the seller's rule for a package's last failed attempt.

Applied once, by `delivery.record_failed_attempt`, in the failure's own
transaction. The rule claims the package with a send-back ticket to the
seller's default return address, or releases it; the event names the rule, and
the seller's notice says what it did and offers the undo until the deadline
(`services.undo_standing_instruction`). When the rule cannot decide — no
default return address, no declared value in the rule's currency — the seller
is asked as usual, and the notice says why.

The send-back ticket is written by the `tickets` app, which sits above this
one: it is named here by its path, as the ticket pages are by their URL names.
"""

from dataclasses import dataclass
from decimal import Decimal

from django.utils.module_loading import import_string

from portal.models import ReturnAddress, User, default_return_address
from returns import emails
from returns.models import FailedPackage, InstructionRule, StandingInstruction

Rule = InstructionRule
# (package, address, rule, channel) -> the ticket; claims the package in this transaction.
SEND_BACK_TICKET = "tickets.one_click.open_rule_ticket"

# Why a rule left the decision to the seller; the destruction notice words it.
NO_ADDRESS = "no_address"
NO_VALUE = "no_value"


@dataclass(frozen=True)
class Verdict:
    action: str = ""  # "send_back", "let_go", or "" for ask
    unmet: str = ""  # why the rule could not decide (NO_ADDRESS, NO_VALUE)


def current_instruction(seller_id: int) -> StandingInstruction | None:
    """The seller's rule now: their latest (one indexed row), or None for "ask me"."""
    return (
        StandingInstruction.objects.filter(seller_id=seller_id).order_by("-set_at", "-id").first()
    )


def verdict(
    package: FailedPackage, instruction: StandingInstruction | None, has_address: bool
) -> Verdict:
    """What the rule does with this package; never a package already decided or rejected."""
    if (
        instruction is None
        or instruction.rule == Rule.ASK
        or package.status != FailedPackage.Status.AWAITING_SELLER
        or package.reason != FailedPackage.Reason.DELIVERY_FAILED
    ):
        return Verdict()
    if instruction.rule == Rule.LET_GO:
        return Verdict("let_go")
    if instruction.rule == Rule.SEND_BACK_ABOVE:
        if package.declared_value is None or package.currency != instruction.currency:
            return Verdict(unmet=NO_VALUE)
        # The settings form asks for the value; a rule saved without one sends all back.
        threshold = instruction.min_value if instruction.min_value is not None else Decimal(0)
        if Decimal(package.declared_value) < threshold:
            return Verdict("let_go")
    return Verdict("send_back") if has_address else Verdict(unmet=NO_ADDRESS)


def apply_on_last_failure(package: FailedPackage, *, channel: str) -> None:
    """The seller's rule decides the package that just failed, or the seller is asked."""
    from returns import services  # the state machine calls in here; imported at call time

    instruction = current_instruction(package.seller_id)
    if instruction is None or instruction.rule == Rule.ASK:
        emails.destruction_notice(package)
        return
    address: ReturnAddress | None = None
    if instruction.rule in (Rule.SEND_BACK, Rule.SEND_BACK_ABOVE):
        address = default_return_address(package.seller_id)
    outcome = verdict(package, instruction, has_address=address is not None)
    if outcome.action == "let_go":
        services.release_package(package=package, channel=channel, rule=instruction.rule)
    elif outcome.action == "send_back":
        import_string(SEND_BACK_TICKET)(package, address, instruction.rule, channel)
    else:
        emails.destruction_notice(package, instruction=instruction, unmet=outcome.unmet)


class UnchangedInstruction(ValueError):
    """The rule asked for is the seller's rule already: nothing is recorded."""


def set_instruction(
    *, seller_id: int, rule: str, min_value: Decimal | None, currency: str, by: User | None
) -> StandingInstruction:
    """Record the seller's new rule (a new row: who, when). Packages already decided keep
    what their rule did; the new rule applies to the next package that fails."""
    if rule != Rule.SEND_BACK_ABOVE:
        min_value, currency = None, ""
    current = current_instruction(seller_id)
    now_rule = (current.rule, current.min_value, current.currency) if current else (Rule.ASK,)
    if now_rule[0] == rule and (
        rule != Rule.SEND_BACK_ABOVE or now_rule[1:] == (min_value, currency)
    ):
        raise UnchangedInstruction
    return StandingInstruction.objects.create(
        seller_id=seller_id, rule=rule, min_value=min_value, currency=currency, set_by=by
    )
