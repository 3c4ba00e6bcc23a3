"""The returns rows of the console's work list (see portal.worklist), scoped to the user."""

from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext, ngettext

from portal.formatting import choice_label, local_short
from portal.models import User
from portal.worklist import RecentAction, WorkItem
from returns import selectors
from returns.models import FailedPackage, MailServerStatus, Notification, PackageEvent

Status = FailedPackage.Status


def _changelist(model_name: str, **filters: str) -> str:
    return reverse(f"admin:returns_{model_name}_changelist") + "?" + urlencode(filters)


def package_work(user: User) -> list[WorkItem]:
    if not user.has_perm("returns.view_failedpackage"):
        return []
    packages = FailedPackage.objects.for_user(user)
    now = timezone.now()
    closing = selectors.windows_closing(packages, now=now, within=selectors.CLOSING_SOON)
    return [
        WorkItem(
            gettext("Claim windows closing within 48 hours"),
            closing.count(),
            _changelist("failedpackage", deadline="48h"),
            gettext("The seller may still phone: record the claim."),
        ),
        WorkItem(
            gettext("Claimed: to send back"),
            packages.filter(status=Status.CLAIMED).count(),
            _changelist("failedpackage", status=Status.CLAIMED),
            gettext("Mark each returned once it is delivered or picked up."),
        ),
        WorkItem(
            gettext("Waiting for destruction"),
            packages.filter(status=Status.DESTRUCTION_PENDING).count(),
            _changelist("failedpackage", status=Status.DESTRUCTION_PENDING),
            gettext("Confirm each destruction with its reference."),
        ),
        WorkItem(
            gettext("Destructions overdue"),
            selectors.overdue_destructions(packages).count(),
            _changelist("failedpackage", destruction="overdue"),
            gettext("Instructed long ago and still not confirmed."),
        ),
    ]


def notification_work(user: User) -> list[WorkItem]:
    if not user.has_perm("returns.view_notification"):
        return []
    notices = Notification.objects.for_user(user)
    failed = notices.filter(status=Notification.Status.FAILED)
    items = [
        WorkItem(
            gettext("Emails that could not be sent"),
            failed.count(),
            _changelist("notification", status__exact=Notification.Status.FAILED),
            gettext("Check the address, then send them again."),
        )
    ]
    outage = MailServerStatus.objects.filter(unreachable_since__isnull=False).first()
    if outage is not None and outage.unreachable_since is not None:  # a row only while it lasts
        waiting = notices.filter(
            status__in=[Notification.Status.PENDING, Notification.Status.SENDING]
        ).count()
        # In the zone the reader works in: staff see their provider's (portal.middleware).
        since = local_short(outage.unreachable_since, timezone.get_current_timezone_name())
        items.insert(
            0,
            WorkItem(
                ngettext(
                    "Email server unreachable since %(since)s, %(count)s waiting",
                    "Email server unreachable since %(since)s, %(count)s waiting",
                    waiting,
                )
                % {"since": since, "count": waiting},
                waiting,
                _changelist("notification", status__exact=Notification.Status.PENDING),
                gettext(
                    "Nothing is lost: each run tries again and sends them once the server "
                    "answers. The last error: %(error)s"
                )
                % {"error": outage.last_error},
            ),
        )
    return items


def recent_package_actions(user: User, limit: int) -> list[RecentAction]:
    """The package events this user caused, in their provider's packages.

    Newest first from the index event_actor_recent: an agent's history only grows.
    """
    if not user.has_perm("returns.view_failedpackage"):
        return []
    events = (
        PackageEvent.objects.for_user(user)
        .filter(actor=user)
        .select_related("package")
        .order_by("-created_at", "-id")[:limit]
    )
    return [
        RecentAction(
            event.created_at,
            # Translators: e.g. "TRK-1: Destroyed".
            gettext("%(tracking)s: %(action)s")
            % {"tracking": event.package.tracking_number, "action": choice_label(event, "action")},
            reverse("admin:returns_failedpackage_change", args=[event.package_id]),
        )
        for event in events
    ]
