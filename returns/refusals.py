"""The sentences that say why a package cannot take the change just asked for.

Worded for the seller or agent who asked, in their language, with what to do
instead; the transitions (returns.services, returns.delivery) raise them as
`DomainError` when their compare-and-set finds the package moved on.
"""

from datetime import datetime

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext

from portal.formatting import local_date
from returns import reminders
from returns.models import FailedPackage, PackageEvent

Status = FailedPackage.Status


def _phone(package: FailedPackage) -> dict[str, str]:
    provider = package.provider
    return {"provider": provider.name, "phone": provider.support_phone}


def explain_state(package: FailedPackage, now: datetime | None = None) -> str:
    """Why this package cannot take the change just asked for, and what to do instead."""
    now = now or timezone.now()
    zone = package.seller.time_zone
    status = package.status
    tracking = package.tracking_number
    if status == Status.IN_DELIVERY:
        return gettext(
            "Package %(tracking)s is still being delivered back to you, "
            "so there is nothing to claim or release yet."
        ) % {"tracking": tracking}
    if status == Status.AWAITING_SELLER:
        if package.claim_deadline is not None and package.claim_deadline < now:
            return gettext(
                "The %(days)s-day window for package %(tracking)s closed on %(closed)s, "
                "so it is being scheduled for destruction; "
                "call %(provider)s on %(phone)s if you still need it."
            ) % {
                "days": settings.CLAIM_WINDOW_DAYS,
                "tracking": tracking,
                "closed": local_date(package.claim_deadline, zone),
                **_phone(package),
            }
        return gettext("Package %(tracking)s is waiting for your decision.") % {
            "tracking": tracking
        }
    if status == Status.CLAIMED:
        return gettext(
            "Package %(tracking)s is already on its way back to you (claimed on %(claimed)s)."
        ) % {"tracking": tracking, "claimed": local_date(package.claimed_at, zone)}
    if status == Status.RETURNED:
        return gettext("Package %(tracking)s was returned to you on %(returned)s.") % {
            "tracking": tracking,
            "returned": local_date(package.returned_at, zone),
        }
    if status == Status.DESTROYED:
        return gettext(
            "Package %(tracking)s was destroyed on %(destroyed)s (reference %(reference)s); "
            "its certificate is on the package page."
        ) % {
            "tracking": tracking,
            "destroyed": local_date(package.destroyed_at, zone),
            "reference": package.destruction_reference,
        }
    # destruction_pending: say which road led here, each as one whole sentence.
    when = package.destruction_requested_at
    if package.reason == FailedPackage.Reason.SELLER_REJECTED:
        sentence = gettext(
            "Package %(tracking)s was scheduled for destruction on %(scheduled)s "
            "because it was rejected at delivery; call %(provider)s on %(phone)s."
        )
    elif package.released_at:
        sentence = gettext(
            "Package %(tracking)s was scheduled for destruction on %(scheduled)s "
            "because you told us you no longer need it; call %(provider)s on %(phone)s."
        )
    elif package.claimed_at:
        sentence = gettext(
            "Package %(tracking)s was scheduled for destruction on %(scheduled)s "
            "because its return was cancelled; call %(provider)s on %(phone)s."
        )
    else:
        when = package.claim_deadline
        sentence = gettext(
            "Package %(tracking)s was scheduled for destruction on %(scheduled)s "
            "because no ticket was filed; call %(provider)s on %(phone)s."
        )
    return sentence % {"tracking": tracking, "scheduled": local_date(when, zone), **_phone(package)}


def undo_refused(package: FailedPackage, decision: PackageEvent | None, now: datetime) -> str:
    if decision is None or "rule" not in decision.facts:
        return gettext(
            "Package %(tracking)s was not decided by your standing instruction, "
            "so there is nothing to undo."
        ) % {"tracking": package.tracking_number}
    deadline = package.claim_deadline
    if deadline is not None and deadline < now and package.status != Status.DESTROYED:
        return gettext(
            "The standing instruction's decision for package %(tracking)s could be undone "
            "until %(deadline)s; call %(provider)s on %(phone)s."
        ) % {
            "tracking": package.tracking_number,
            "deadline": local_date(deadline, package.seller.time_zone),
            **_phone(package),
        }
    return explain_state(package, now)


def reminder_refused(package: FailedPackage, now: datetime) -> str:
    deadline = package.claim_deadline
    if package.status != Status.AWAITING_SELLER or deadline is None or deadline < now:
        return explain_state(package, now)
    zone = package.seller.time_zone
    stage = reminders.current_stage(deadline, now)
    last = package.reminded_hours_before
    if stage is not None and last is not None and last <= stage:
        return gettext("The reminder for package %(tracking)s was already sent on %(sent)s.") % {
            "tracking": package.tracking_number,
            "sent": local_date(package.reminded_at, zone),
        }
    due = reminders.next_stage_at(package, now)
    if due is None:
        return gettext("Package %(tracking)s has no reminder left to send before its deadline.") % {
            "tracking": package.tracking_number
        }
    return gettext("Package %(tracking)s is not due a reminder before %(due)s.") % {
        "tracking": package.tracking_number,
        "due": local_date(due, zone),
    }


def overdue_refused(package: FailedPackage, now: datetime) -> str:
    if package.status != Status.DESTRUCTION_PENDING:
        return explain_state(package, now)
    zone = package.seller.time_zone
    if package.destruction_overdue_at:
        return gettext(
            "Package %(tracking)s was already flagged as overdue for destruction on %(flagged)s."
        ) % {
            "tracking": package.tracking_number,
            "flagged": local_date(package.destruction_overdue_at, zone),
        }
    return gettext(
        "Package %(tracking)s has been waiting for destruction only since %(requested)s."
    ) % {
        "tracking": package.tracking_number,
        "requested": local_date(package.destruction_requested_at, zone),
    }
