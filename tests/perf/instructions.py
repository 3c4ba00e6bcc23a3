"""Intake with a standing instruction on for every seller, against intake without one.

Each run sends the three failed attempts of PACKAGES fresh packages through the
intake API's own entry (`returns.intake.apply_event`, in process, so the figure is
the portal's work and not the HTTP server's). Runs without rules and with them
alternate, so the machine's load moves both alike. With rules, every seller sends a
package back when its declared value is at least 500 THB (a ticket to the default
return address) and lets it go otherwise; half the packages are declared at 1,000
THB, half at 100. The figure is events/s with rules; its floor, events/s without.
"""

import itertools
from contextlib import suppress
from datetime import timedelta
from decimal import Decimal
from time import perf_counter

from django.utils import timezone

from portal.models import LogisticsProvider, ReturnAddress, Seller
from returns import instructions
from returns.intake import apply_event
from returns.models import FailedPackage, InstructionRule
from returns.schemas import DeliveryAttemptFailed
from tests.perf.figures import Figure

PACKAGES = 300
SELLERS = 20
_runs = itertools.count()


def _fresh_packages(provider: LogisticsProvider, sellers: list[Seller]) -> list[str]:
    run = next(_runs)
    packages = [
        FailedPackage(
            provider=provider,
            seller=sellers[n % len(sellers)],
            tracking_number=f"SI{run:03d}{n:06d}",
            order_id=f"SI{run}-{n}",
            declared_value=Decimal(1000 if n % 2 else 100),
            currency="THB",
        )
        for n in range(PACKAGES)
    ]
    FailedPackage.objects.bulk_create(packages)
    return [package.tracking_number for package in packages]


def _set_rules(sellers: list[Seller], *, on: bool) -> None:
    for seller in sellers:
        with suppress(instructions.UnchangedInstruction):  # the first run's "ask"
            instructions.set_instruction(
                seller_id=seller.pk,
                rule=InstructionRule.SEND_BACK_ABOVE if on else InstructionRule.ASK,
                min_value=Decimal(500) if on else None,
                currency="THB" if on else "",
                by=None,
            )


def _events_per_second(provider: LogisticsProvider, trackings: list[str]) -> float:
    at = timezone.now() - timedelta(hours=1)
    started = perf_counter()
    for attempt in range(3):
        for tracking in trackings:
            event = DeliveryAttemptFailed(
                type="delivery_attempt_failed",
                event_id=f"{tracking}-{attempt}",
                tracking_number=tracking,
                attempted_at=at + timedelta(minutes=attempt),
                failure_reason="Nobody at the address",
            )
            assert apply_event(provider=provider, event=event).status_code == 200
    return 3 * len(trackings) / (perf_counter() - started)


def intake_with_instructions(times: int) -> Figure:
    provider = LogisticsProvider.objects.get(code="swiftlane")
    sellers = list(Seller.objects.order_by("pk")[:SELLERS])
    for seller in sellers:
        ReturnAddress.objects.get_or_create(
            seller=seller,
            is_default=True,
            defaults={"label": "Bench", "contact_name": "Bench", "phone": "1", "address": "1 Rd"},
        )
    with_rules, without = [], []
    _events_per_second(provider, _fresh_packages(provider, sellers))  # warm-up, not counted
    pair = [(False, without), (True, with_rules)]
    for repetition in range(times):
        # Each goes first every other time: the tables grow, and the first of a pair pays.
        for on, runs in pair if repetition % 2 == 0 else reversed(pair):
            _set_rules(sellers, on=on)
            runs.append(_events_per_second(provider, _fresh_packages(provider, sellers)))
    return Figure(
        name="intake, standing instruction on for every seller",
        unit="events/s",
        runs=with_rules,
        floor_name="no standing instruction",
        floor_runs=without,
    )
