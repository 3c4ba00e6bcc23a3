"""How a package's state reads for provider staff (the status labels are the seller's:
"Waiting for you"), shared by the console's actions and the scan station's batches."""

from django.utils.html import format_html
from django.utils.safestring import SafeString
from django.utils.translation import gettext, pgettext_lazy
from django_stubs_ext import StrOrPromise

from returns.models import FailedPackage

Status = FailedPackage.Status

# In "TRK-1 is …".
STATE: dict[str, StrOrPromise] = {
    Status.IN_DELIVERY: pgettext_lazy("package state for staff", "in delivery"),
    Status.AWAITING_SELLER: pgettext_lazy("package state for staff", "awaiting the seller"),
    Status.CLAIMED: pgettext_lazy("package state for staff", "claimed"),
    Status.RETURNED: pgettext_lazy("package state for staff", "returned"),
    Status.DESTRUCTION_PENDING: pgettext_lazy("package state for staff", "waiting for destruction"),
    Status.DESTROYED: pgettext_lazy("package state for staff", "destroyed"),
}


def wrong_state(package: FailedPackage, expected: str) -> str | None:
    """None when the package is in the expected state; else why not, in an agent's words."""
    if package.status == expected:
        return None
    # Translators: e.g. "TRK-1 is claimed, not in delivery"; the states are the staff's words.
    return gettext("%(tracking)s is %(state)s, not %(expected)s") % {
        "tracking": package.tracking_number,
        "state": STATE[package.status],
        "expected": STATE[expected],
    }


def badge(package: FailedPackage) -> SafeString:
    """The package's state as a coloured badge whose text says it too (not colour alone)."""
    label = STATE[package.status].capitalize()
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
