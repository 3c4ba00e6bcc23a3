"""What a provider's CSV file of packages looks like, and reading one row of it.

A row is read into a `PackageRow` with every problem found reported at once, so
the person fixing the file sees all of a line's mistakes in one go.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal, InvalidOperation
from typing import cast

from django.conf import settings
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from portal.models import Seller
from returns import delivery
from returns.models import DeliveryAttempt, FailedPackage
from returns.timestamps import time_problem

# Column names are the file's own words: they stay in English in every language.
FORMAT_HELP = [
    _("A UTF-8 CSV file with a header row; columns in any order, one package per row."),
    _("Required: tracking_number, shop_code (the seller's), order_id."),
    _(
        "Optional: return_id, description, weight_grams, declared_value, currency (e.g. THB, "
        "needed with a declared value), warehouse_location, registered_at."
    ),
    # Translators: keep {max} and the column names (attempt_1_at …) as they are.
    _(
        "Failed delivery attempts, in time order: attempt_1_at, attempt_1_reason, attempt_1_note, "
        "attempt_2_… up to attempt_{max}_…; a failed attempt {max} fails the package, and the "
        "seller is sent the destruction notice."
    ),
    _(
        "What happened in the end, if anything: outcome (delivered or rejected), outcome_at, and "
        "outcome_note for a rejection."
    ),
    # Translators: {zone} is a time zone name such as Asia/Bangkok.
    _(
        "Times read like 2026-03-03 15:20 or 2026-03-03T15:20+07:00; without an offset they are "
        "in {zone}."
    ),
    _("A tracking number already registered is skipped, so a file can be imported again."),
]

PACKAGE_COLUMNS = ("tracking_number", "shop_code", "order_id")
OPTIONAL_COLUMNS = (
    "return_id",
    "description",
    "weight_grams",
    "declared_value",
    "currency",
    "warehouse_location",
    "registered_at",
    "outcome",
    "outcome_at",
    "outcome_note",
)
OUTCOMES = ("delivered", "rejected")
# What the package's columns hold.
MAX_WEIGHT_GRAMS = 2_147_483_647
MAX_DECLARED_VALUE = Decimal("1e10")
# The database refuses a longer value, and the error would end the whole import.
MAX_LENGTHS = {
    column: FailedPackage._meta.get_field(column).max_length  # type: ignore[union-attr]
    for column in ("tracking_number", "order_id", "return_id", "description", "warehouse_location")
}
MAX_REASON_LENGTH = DeliveryAttempt._meta.get_field("failure_reason").max_length
MAX_NOTE_LENGTH = DeliveryAttempt._meta.get_field("courier_note").max_length
MAX_LENGTHS["outcome_note"] = MAX_NOTE_LENGTH


def format_help() -> list[str]:
    """The file format, a sentence a line, for the command's help and the upload page."""
    return [
        str(line).format(max=settings.MAX_DELIVERY_ATTEMPTS, zone=settings.TIME_ZONE)
        for line in FORMAT_HELP
    ]


def attempt_columns() -> list[str]:
    return [
        f"attempt_{number}_{part}"
        for number in range(1, settings.MAX_DELIVERY_ATTEMPTS + 1)
        for part in ("at", "reason", "note")
    ]


def header_problems(fieldnames: Sequence[str] | None) -> list[str]:
    if not fieldnames:
        return [gettext("The file is empty: the first line must name the columns.")]
    names = list(fieldnames)
    problems = []
    missing = [name for name in PACKAGE_COLUMNS if name not in names]
    if missing:
        problems.append(
            gettext("Required columns are missing: %(columns)s.") % {"columns": ", ".join(missing)}
        )
    known = {*PACKAGE_COLUMNS, *OPTIONAL_COLUMNS, *attempt_columns()}
    unknown = [name for name in names if name not in known]
    if unknown:
        problems.append(gettext("Unknown columns: %(columns)s.") % {"columns": ", ".join(unknown)})
        if any(name.startswith("attempt_") for name in unknown):
            problems.append(
                gettext("At most %(max)s attempts are recorded.")
                % {"max": settings.MAX_DELIVERY_ATTEMPTS}
            )
    repeated = sorted({name for name in names if names.count(name) > 1})
    if repeated:
        problems.append(
            gettext("Columns named more than once: %(columns)s.") % {"columns": ", ".join(repeated)}
        )
    return problems


class BadRow(Exception):
    pass


@dataclass(frozen=True)
class Attempt:
    at: datetime
    reason: str
    note: str


@dataclass(frozen=True)
class PackageRow:
    seller: Seller
    details: delivery.PackageDetails
    registered_at: datetime
    attempts: list[Attempt]
    outcome: str
    outcome_at: datetime | None
    outcome_note: str


class RowReader:
    """Turns one row's strings into a `PackageRow`, collecting every problem it finds."""

    def __init__(self, values: dict[str, str], sellers: dict[str, Seller | None]) -> None:
        self.values = values
        self.sellers = sellers
        self.problems: list[str] = []

    def read(self) -> PackageRow:
        details = delivery.PackageDetails(
            tracking_number=self.text("tracking_number", required=True),
            order_id=self.text("order_id", required=True),
            return_id=self.text("return_id"),
            description=self.text("description"),
            weight_grams=self.weight(),
            declared_value=self.declared_value(),
            currency=self.currency(),
            warehouse_location=self.text("warehouse_location"),
        )
        row = PackageRow(
            # None only with a problem noted, and then read() raises below.
            seller=cast(Seller, self.seller()),
            details=details,
            registered_at=self.moment("registered_at") or timezone.now(),
            attempts=self.attempts(),
            outcome=self.outcome(),
            outcome_at=self.moment("outcome_at"),
            outcome_note=self.text("outcome_note"),
        )
        self.check_story(row)
        if self.problems:
            raise BadRow("; ".join(self.problems))
        return row

    def problem(self, message: str) -> None:
        self.problems.append(message)

    def text(self, column: str, required: bool = False, limit: int | None = None) -> str:
        value = self.values.get(column, "")
        if required and not value:
            self.problem(gettext("%(column)s is missing") % {"column": column})
        limit = limit or MAX_LENGTHS.get(column)
        if limit and len(value) > limit:
            self.problem(
                gettext("%(column)s is longer than %(limit)s characters")
                % {"column": column, "limit": limit}
            )
        return value

    def seller(self) -> Seller | None:
        code = self.text("shop_code", required=True)
        if code and code not in self.sellers:
            self.sellers[code] = Seller.objects.filter(shop_code=code).first()
        if code and self.sellers[code] is None:
            self.problem(gettext("no seller has the shop code %(code)s") % {"code": code})
        return self.sellers.get(code)

    def weight(self) -> int | None:
        value = self.text("weight_grams")
        if not value:
            return None
        # ASCII digits only: "²" is a digit to str.isdigit() and a crash to int(), and
        # int() would read "٣" as 3.
        if not (value.isascii() and value.isdigit()) or int(value) > MAX_WEIGHT_GRAMS:
            self.problem(
                gettext("weight_grams “%(value)s” is not a whole number of grams")
                % {"value": value}
            )
            return None
        return int(value)

    def declared_value(self) -> Decimal | None:
        value = self.text("declared_value")
        if not value:
            return None
        try:
            amount = Decimal(value)
        except InvalidOperation:
            amount = None
        if (
            amount is None
            or not amount.is_finite()
            or not 0 <= amount < MAX_DECLARED_VALUE
            or amount != round(amount, 2)
        ):
            self.problem(
                gettext("declared_value “%(value)s” is not an amount like 49.90") % {"value": value}
            )
            return None
        return amount

    def currency(self) -> str:
        value = self.text("currency").upper()
        if value and not (len(value) == 3 and value.isalpha()):
            self.problem(
                gettext("currency “%(value)s” is not a three-letter code like THB")
                % {"value": value}
            )
        if self.values.get("declared_value") and not value:
            self.problem(gettext("a declared_value needs its currency"))
        return value

    def moment(self, column: str) -> datetime | None:
        value = self.text(column)
        if not value:
            return None
        try:
            parsed = parse_datetime(value)
        except ValueError:
            parsed = None
        if parsed is None:
            self.problem(
                gettext("%(column)s “%(value)s” is not a time like 2026-03-03 15:20")
                % {"column": column, "value": value}
            )
            return None
        if timezone.is_naive(parsed):
            parsed = timezone.make_aware(parsed)
        problem = time_problem(parsed)
        if problem:
            # A row's problems are joined into one sentence.
            # Translators: a CSV column name (attempt_1_at), then what is wrong with its time.
            self.problem(
                gettext("%(column)s %(problem)s")
                % {"column": column, "problem": problem.removesuffix(".")}
            )
        return parsed

    def attempts(self) -> list[Attempt]:
        attempts, gap = [], None
        for number in range(1, settings.MAX_DELIVERY_ATTEMPTS + 1):
            given = bool(self.values.get(f"attempt_{number}_at"))
            at = self.moment(f"attempt_{number}_at")
            reason = self.text(f"attempt_{number}_reason", limit=MAX_REASON_LENGTH)
            note = self.text(f"attempt_{number}_note", limit=MAX_NOTE_LENGTH)
            if not given:
                if reason or note:
                    self.problem(gettext("attempt_%(number)s_at is missing") % {"number": number})
                gap = gap or number
                continue
            if gap:
                self.problem(
                    gettext("attempt_%(number)s is given but attempt_%(gap)s is not")
                    % {"number": number, "gap": gap}
                )
            if not reason:
                self.problem(gettext("attempt_%(number)s_reason is missing") % {"number": number})
            if at is not None:
                attempts.append(Attempt(at=at, reason=reason, note=note))
        times = [attempt.at for attempt in attempts]
        if times != sorted(times):
            self.problem(gettext("the attempts are not in time order"))
        return attempts

    def outcome(self) -> str:
        value = self.text("outcome").lower()
        if value and value not in OUTCOMES:
            self.problem(
                gettext("outcome “%(value)s” is not one of: %(outcomes)s")
                % {"value": value, "outcomes": ", ".join(OUTCOMES)}
            )
        return value

    def check_story(self, row: PackageRow) -> None:
        if row.outcome and not self.values.get("outcome_at"):
            self.problem(gettext("outcome_at is missing"))
        if row.outcome_at and not row.outcome:
            self.problem(gettext("outcome_at is given but outcome is not"))
        if row.outcome_note and row.outcome != "rejected":
            self.problem(gettext("outcome_note is recorded only for outcome rejected"))
        if row.outcome and len(row.attempts) >= settings.MAX_DELIVERY_ATTEMPTS:
            self.problem(
                gettext("outcome cannot follow attempt %(max)s: the package failed at that attempt")
                % {"max": settings.MAX_DELIVERY_ATTEMPTS}
            )
        if row.outcome_at and row.attempts and row.outcome_at < row.attempts[-1].at:
            self.problem(gettext("outcome_at is before the last attempt"))
