"""How a package's state reads for provider staff (the status labels are the seller's:
"Waiting for you"), shared by the console's actions and the scan station's batches."""

from django.utils.html import format_html
from django.utils.safestring import SafeString
from django.utils.translation import gettext

from returns.models import STAFF_STATES, FailedPackage

Status = FailedPackage.Status


def wrong_state(package: FailedPackage, expected: str) -> str | None:
    """None when the package is in the expected state; else why not, in an agent's words."""
    if package.status == expected:
        return None
    # Translators: e.g. "TRK-1 is claimed, not in delivery"; the states are the staff's words.
    return gettext("%(tracking)s is %(state)s, not %(expected)s") % {
        "tracking": package.tracking_number,
        "state": STAFF_STATES[package.status],
        "expected": STAFF_STATES[expected],
    }


def badge(package: FailedPackage) -> SafeString:
    """The package's state as a coloured badge whose text says it too (not colour alone)."""
    label = STAFF_STATES[package.status].capitalize()
    overdue = package.status == Status.DESTRUCTION_PENDING and package.destruction_overdue_at
    if overdue:
        # Translators: a staff state in the list, e.g. "Waiting for destruction (overdue)".
        label = gettext("%(state)s (overdue)") % {"state": label}
    return format_html(
        '<span class="state-badge state-{}{}">{}</span>',
        package.status,
        " is-overdue" if overdue else "",
        label,
    )
