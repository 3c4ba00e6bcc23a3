"""The message after a console action over many rows (the package list's and the ticket
inbox's actions, a scan batch's confirmation): what was done, then what was skipped and why.
"""

from collections.abc import Sequence

from django.contrib import messages
from django.http import HttpRequest
from django.utils.translation import gettext

# A long selection skips many rows; the message names the first few.
REASONS_SHOWN = 10


def report_done_and_skipped(request: HttpRequest, done: str, skipped: Sequence[str]) -> None:
    """`done` as a success; with rows skipped, a warning that adds how many and why (the
    first REASONS_SHOWN reasons, each a sentence whose full stop the message supplies)."""
    if not skipped:
        messages.success(request, done)
        return
    reasons = [reason.rstrip(".") for reason in skipped[:REASONS_SHOWN]]
    if len(skipped) > REASONS_SHOWN:
        reasons.append(gettext("and %(count)s more") % {"count": len(skipped) - REASONS_SHOWN})
    # Translators: done is the sentence saying what was done; reasons are separated by "; ".
    message = gettext("%(done)s Skipped %(count)s: %(reasons)s.") % {
        "done": done,
        "count": len(skipped),
        "reasons": "; ".join(reasons),
    }
    messages.warning(request, message)
