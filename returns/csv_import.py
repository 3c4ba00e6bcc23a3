"""Registering a provider's packages from a CSV file, row by row, through the services.

Every row is checked and, if good, applied in its own transaction: a bad row
changes nothing of itself and never blocks the others. A tracking number the
provider already registered is reported and left alone, so importing the same
file twice creates nothing new. The format is in `returns.csv_format`.
"""

import csv
import io
from dataclasses import dataclass, field

from django.db import transaction
from django.utils.translation import gettext, pgettext_lazy
from django_stubs_ext import StrOrPromise

from portal.errors import DomainError
from portal.models import LogisticsProvider, Seller
from portal.tenancy import Viewer
from returns import delivery
from returns.csv_format import BadRow, PackageRow, RowReader, header_problems
from returns.intake import packages_of
from returns.models import Channel

# Shown as they are in the upload page's report, so they are in the reader's language.
IMPORTED = pgettext_lazy("import row outcome", "imported")
ALREADY_REGISTERED = pgettext_lazy("import row outcome", "already registered")
ERROR = pgettext_lazy("import row outcome", "error")


@dataclass(frozen=True)
class RowResult:
    line: int
    tracking_number: str
    outcome: StrOrPromise
    message: str = ""


@dataclass
class ImportReport:
    file_errors: list[str] = field(default_factory=list)
    rows: list[RowResult] = field(default_factory=list)

    def _with(self, outcome: StrOrPromise) -> list[RowResult]:
        return [row for row in self.rows if row.outcome == outcome]

    @property
    def imported(self) -> list[RowResult]:
        return self._with(IMPORTED)

    @property
    def already_registered(self) -> list[RowResult]:
        return self._with(ALREADY_REGISTERED)

    @property
    def errors(self) -> list[RowResult]:
        return self._with(ERROR)

    @property
    def ok(self) -> bool:
        return not (self.file_errors or self.errors)

    def __str__(self) -> str:
        if self.file_errors:
            return gettext("Nothing imported: %(problems)s") % {
                "problems": " ".join(self.file_errors)
            }
        return gettext(
            "%(imported)s imported, %(already)s already registered, %(errors)s with errors"
        ) % {
            "imported": len(self.imported),
            "already": len(self.already_registered),
            "errors": len(self.errors),
        }


def import_packages(
    *, provider: LogisticsProvider, data: bytes, actor: Viewer | None = None
) -> ImportReport:
    """Check and register every row of a provider's CSV file; see `csv_format.FORMAT_HELP`.

    1. The file must decode, its header must name the required columns and no others,
       and every line must parse as CSV.
    2. Each row: a tracking number seen before in the file is an error, one the provider
       already registered is skipped, anything else is read and checked.
    3. A good row is registered, its attempts and outcome recorded, in one transaction.
    """
    report = ImportReport()
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        report.file_errors.append(gettext("The file is not UTF-8 text; save it as “CSV UTF-8”."))
        return report
    reader = csv.DictReader(io.StringIO(text, newline=""))
    # Read to the end before applying anything: after a line the CSV reader cannot parse,
    # it may be anywhere in a quoted value, so no row after it can be trusted.
    try:
        if reader.fieldnames:
            reader.fieldnames = [name.strip().lower() for name in reader.fieldnames]
        lines = [(reader.line_num, values) for values in reader]
    except csv.Error as error:
        # The DictReader's own line_num stops at the last row it returned.
        line = reader.reader.line_num
        report.file_errors.append(
            gettext("Line %(line)s cannot be read as CSV: %(error)s.")
            % {"line": line, "error": error}
        )
        return report
    report.file_errors.extend(header_problems(reader.fieldnames))
    if report.file_errors:
        return report

    rows = _Rows(provider=provider, actor=actor)
    for line, values in lines:
        if None in values:
            message = gettext("the row has more values than columns")
            report.rows.append(RowResult(line, "", ERROR, message))
            continue
        values = {column: (value or "").strip() for column, value in values.items()}
        # PostgreSQL refuses a NUL in any text, even in the lookups before the row is read.
        with_nul = [column for column, value in values.items() if "\x00" in value]
        if with_nul:
            message = gettext("a NUL character (\\x00) cannot be stored; found in %(columns)s") % {
                "columns": ", ".join(with_nul)
            }
            report.rows.append(RowResult(line, "", ERROR, message))
        elif any(values.values()):  # spreadsheets leave rows of empty cells at the end
            report.rows.append(rows.apply(values, line))
    return report


class _Rows:
    """Applies the rows of one file, remembering what earlier rows held."""

    def __init__(self, *, provider: LogisticsProvider, actor: Viewer | None) -> None:
        self.provider = provider
        self.actor = actor
        self.lines: dict[str, int] = {}
        self.sellers: dict[str, Seller | None] = {}

    def registered(self, tracking_number: str) -> bool:
        return packages_of(self.provider).filter(tracking_number=tracking_number).exists()

    def apply(self, values: dict[str, str], line: int) -> RowResult:
        tracking_number = values.get("tracking_number", "")
        if tracking_number in self.lines:
            message = gettext("tracking number %(tracking)s is also on line %(line)s") % {
                "tracking": tracking_number,
                "line": self.lines[tracking_number],
            }
            return RowResult(line, tracking_number, ERROR, message)
        if tracking_number:
            self.lines[tracking_number] = line
            if self.registered(tracking_number):
                return RowResult(line, tracking_number, ALREADY_REGISTERED)
        try:
            _apply(self.provider, RowReader(values, self.sellers).read(), self.actor)
        except BadRow as problems:
            return RowResult(line, tracking_number, ERROR, str(problems))
        except DomainError as refusal:
            if self.registered(tracking_number):  # by someone else, a moment ago
                return RowResult(line, tracking_number, ALREADY_REGISTERED)
            return RowResult(line, tracking_number, ERROR, refusal.message)
        return RowResult(line, tracking_number, IMPORTED)


@transaction.atomic
def _apply(provider: LogisticsProvider, row: PackageRow, actor: Viewer | None) -> None:
    package = delivery.register_package(
        provider=provider,
        seller=row.seller,
        details=row.details,
        actor=actor,
        channel=Channel.CSV,
        registered_at=row.registered_at,
    )
    for attempt in row.attempts:
        delivery.record_failed_attempt(
            package=package,
            attempted_at=attempt.at,
            failure_reason=attempt.reason,
            courier_note=attempt.note,
            actor=actor,
            channel=Channel.CSV,
        )
    if row.outcome_at is None:  # the row says neither "delivered" nor "rejected"
        return
    if row.outcome == "delivered":
        delivery.record_delivered(
            package=package, delivered_at=row.outcome_at, actor=actor, channel=Channel.CSV
        )
    elif row.outcome == "rejected":
        delivery.record_seller_rejection(
            package=package,
            rejected_at=row.outcome_at,
            note=row.outcome_note,
            actor=actor,
            channel=Channel.CSV,
        )
