"""The returns rows of the console's work list (see portal.worklist), scoped to the user."""

from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext

from portal.models import User
from portal.worklist import WorkItem
from returns import selectors
from returns.models import FailedPackage, Notification

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
    failed = Notification.objects.for_user(user).filter(status=Notification.Status.FAILED)
    return [
        WorkItem(
            gettext("Emails that could not be sent"),
            failed.count(),
            _changelist("notification", status__exact=Notification.Status.FAILED),
            gettext("Check the address, then send them again."),
        )
    ]
