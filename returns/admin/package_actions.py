"""The package list's actions: one service call per selected package, and a report.

The rows come from the changelist, so they are the user's provider's only. A
row in the wrong state is skipped with the reason in an agent's words; a row a
service refuses (changed by someone else meanwhile, a closed window) is
skipped with the reason too. Actions that need more than a click ask first,
on an intermediate page.
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from functools import wraps
from typing import Any, TypeAlias

from django import forms
from django.conf import settings
from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _
from django_stubs_ext import StrOrPromise

from portal.action_messages import report_done_and_skipped
from portal.errors import DomainError
from portal.formatting import local_date
from returns import delivery, services
from returns.admin.export import export_csv
from returns.forms import DestructionForm, FailedAttemptForm, WithdrawClaimForm
from returns.models import Channel, FailedPackage
from returns.staff_words import wrong_state

Status = FailedPackage.Status
PackageAdmin: TypeAlias = admin.ModelAdmin[FailedPackage]
Action: TypeAlias = Callable[
    [PackageAdmin, HttpRequest, QuerySet[FailedPackage]], HttpResponse | None
]

# Each package is changed in its own transaction while the agent waits: a larger
# selection is refused rather than left to time out halfway.
MAX_ROWS = 500
ROWS_SHOWN = 100
FORM_TEMPLATE = "admin/returns/failedpackage/action_form.html"


def _one_batch(action: Action) -> Action:
    """Refuse a selection (or "select all") larger than MAX_ROWS, before asking anything."""

    @wraps(action)
    def guarded(
        modeladmin: PackageAdmin, request: HttpRequest, queryset: QuerySet[FailedPackage]
    ) -> HttpResponse | None:
        selected = queryset.count()
        if selected > MAX_ROWS:
            modeladmin.message_user(
                request,
                gettext(
                    "%(selected)s packages are selected; an action takes at most %(max)s at a "
                    "time. Narrow the list with a filter. Nothing was changed."
                )
                % {"selected": f"{selected:,}", "max": MAX_ROWS},
                messages.ERROR,
            )
            return None
        return action(modeladmin, request, queryset)

    return guarded


@dataclass
class Report:
    done: list[FailedPackage] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)


def _each(
    queryset: QuerySet[FailedPackage],
    *,
    expected: str,
    change: Callable[[FailedPackage], object],
    refuse: Callable[[FailedPackage], str | None] = lambda package: None,
) -> Report:
    report = Report()
    for package in queryset.select_related("seller", "provider").order_by("pk"):
        reason = wrong_state(package, expected) or refuse(package)
        if reason is None:
            try:
                change(package)
            except DomainError as error:
                package.refresh_from_db()
                reason = wrong_state(package, expected) or error.message
        if reason is None:
            report.done.append(package)
        else:
            report.skipped.append(reason)
    return report


def _tell(request: HttpRequest, report: Report, done: str) -> HttpResponse | None:
    report_done_and_skipped(request, done, report.skipped)
    return _back(request)


def _back(request: HttpRequest) -> HttpResponse | None:
    """Back to the package page the action was started from; otherwise to the list."""
    target = request.POST.get("_return_to", "")
    if url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return HttpResponseRedirect(target)
    return None


@dataclass(frozen=True)
class Question:
    """The intermediate page of an action that needs more than a click."""

    action: str
    title: StrOrPromise
    form_class: type[forms.Form]
    expected: str
    submit: StrOrPromise
    # The form's initial values that depend on the selected packages.
    initial: Callable[[QuerySet[FailedPackage]], dict[str, Any]] = lambda packages: {}

    def ask(
        self, modeladmin: PackageAdmin, request: HttpRequest, queryset: QuerySet[FailedPackage]
    ) -> tuple[dict[str, Any], None] | tuple[None, HttpResponse]:
        """(cleaned data, None) once the page is sent and valid; else (None, the page)."""
        if "confirm" in request.POST:
            form = self.form_class(request.POST, request.FILES)
            if form.is_valid():
                return form.cleaned_data, None
        else:
            form = self.form_class(initial=self.initial(queryset))
        selected = list(queryset.select_related("seller").order_by("pk")[: ROWS_SHOWN + 1])
        context = {
            **modeladmin.admin_site.each_context(request),
            "opts": modeladmin.opts,
            "title": self.title,
            "question": self,
            "form": form,
            "rows": [(p, wrong_state(p, self.expected)) for p in selected[:ROWS_SHOWN]],
            "more_rows": len(selected) > ROWS_SHOWN,
            "selected_ids": request.POST.getlist(helpers.ACTION_CHECKBOX_NAME),
            "select_across": request.POST.get("select_across", "0"),
            "return_to": request.POST.get("_return_to", ""),
            "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
        }
        return None, TemplateResponse(request, FORM_TEMPLATE, context)


# --- the actions ----------------------------------------------------------------------

FAILED_ATTEMPT = Question(
    action="record_failed_attempt",
    title=_("Record a failed delivery attempt"),
    form_class=FailedAttemptForm,
    expected=Status.IN_DELIVERY,
    submit=_("Record the attempt"),
    initial=lambda packages: {"attempts_seen": FailedAttemptForm.seen(packages)},
)


# Translators: a trailing "…" means a form follows; keep it at the end.
@admin.action(description=_("Record a failed delivery attempt…"), permissions=["change"])
@_one_batch
def record_failed_attempt(
    modeladmin: PackageAdmin, request: HttpRequest, queryset: QuerySet[FailedPackage]
) -> HttpResponse | None:
    data, page = FAILED_ATTEMPT.ask(modeladmin, request, queryset)
    if data is None:
        return page
    seen = data.pop("attempts_seen")
    last_attempts = []

    def record(package: FailedPackage) -> None:
        attempt = delivery.record_failed_attempt(
            package=package,
            actor=request.user,
            channel=Channel.ADMIN,
            # A package selected since the form was shown ("select all") has no count:
            # attempt 0 is never next, so it is refused, not guessed.
            number=seen.get(package.pk, -1) + 1,
            **data,
        )
        if attempt.number >= settings.MAX_DELIVERY_ATTEMPTS:
            last_attempts.append(package.tracking_number)

    report = _each(queryset, expected=Status.IN_DELIVERY, change=record)
    n = len(report.done)
    if n:
        done = ngettext(
            "Failed attempt recorded for %(count)s package.",
            "Failed attempt recorded for %(count)s packages.",
            n,
        ) % {"count": n}
    else:
        done = gettext("Failed attempt recorded for no package.")
    if last_attempts:
        done = gettext(
            "%(done)s That was the last attempt for %(packages)s: now awaiting the "
            "seller, who is sent the destruction notice."
        ) % {"done": done, "packages": ", ".join(last_attempts)}
    return _tell(request, report, done)


@admin.action(description=_("Mark returned to the seller"), permissions=["change"])
@_one_batch
def mark_returned(
    modeladmin: PackageAdmin, request: HttpRequest, queryset: QuerySet[FailedPackage]
) -> HttpResponse | None:
    report = _each(
        queryset,
        expected=Status.CLAIMED,
        change=lambda package: services.mark_returned(
            package=package, actor=request.user, channel=Channel.ADMIN
        ),
    )
    n = len(report.done)
    if n:
        done = ngettext(
            "%(count)s package marked returned.", "%(count)s packages marked returned.", n
        ) % {"count": n}
    else:
        done = gettext("No package marked returned.")
    return _tell(request, report, done)


def _window_closed(package: FailedPackage) -> str | None:
    deadline = package.claim_deadline
    if deadline is None or deadline >= timezone.now():
        return None
    closed = local_date(deadline, package.seller.time_zone)
    return gettext("%(tracking)s's claim window closed on %(closed)s") % {
        "tracking": package.tracking_number,
        "closed": closed,
    }


@admin.action(description=_("Record a phone claim (the seller called)"), permissions=["change"])
@_one_batch
def record_phone_claim(
    modeladmin: PackageAdmin, request: HttpRequest, queryset: QuerySet[FailedPackage]
) -> HttpResponse | None:
    report = _each(
        queryset,
        expected=Status.AWAITING_SELLER,
        refuse=_window_closed,
        change=lambda package: services.claim_package(
            package=package,
            actor=request.user,
            channel=Channel.ADMIN,
            note=gettext("The seller phoned"),
        ),
    )
    n = len(report.done)
    if n:
        done = ngettext(
            "%(count)s package claimed for the seller, to be sent back.",
            "%(count)s packages claimed for the seller, to be sent back.",
            n,
        ) % {"count": n}
    else:
        done = gettext("No package claimed for the seller, to be sent back.")
    return _tell(request, report, done)


WITHDRAW = Question(
    action="withdraw_claim",
    title=_("Withdraw the claim"),
    form_class=WithdrawClaimForm,
    expected=Status.CLAIMED,
    submit=_("Withdraw the claim"),
)


@admin.action(description=_("Withdraw the claim…"), permissions=["change"])
@_one_batch
def withdraw_claim(
    modeladmin: PackageAdmin, request: HttpRequest, queryset: QuerySet[FailedPackage]
) -> HttpResponse | None:
    data, page = WITHDRAW.ask(modeladmin, request, queryset)
    if data is None:
        return page
    report = _each(
        queryset,
        expected=Status.CLAIMED,
        change=lambda package: services.withdraw_claim(
            package=package, reason=data["reason"], actor=request.user, channel=Channel.ADMIN
        ),
    )
    n = len(report.done)
    if n:
        done = ngettext(
            "Claim withdrawn for %(count)s package; now waiting for destruction.",
            "Claim withdrawn for %(count)s packages; now waiting for destruction.",
            n,
        ) % {"count": n}
    else:
        done = gettext("Claim withdrawn for no package; now waiting for destruction.")
    return _tell(request, report, done)


DESTRUCTION = Question(
    action="confirm_destruction",
    title=_("Confirm destruction"),
    form_class=DestructionForm,
    expected=Status.DESTRUCTION_PENDING,
    submit=_("Confirm destruction"),
)


@admin.action(description=_("Confirm destruction…"), permissions=["change"])
@_one_batch
def confirm_destruction(
    modeladmin: PackageAdmin, request: HttpRequest, queryset: QuerySet[FailedPackage]
) -> HttpResponse | None:
    data, page = DESTRUCTION.ask(modeladmin, request, queryset)
    if data is None:
        return page
    report = _each(
        queryset,
        expected=Status.DESTRUCTION_PENDING,
        change=lambda package: services.confirm_destruction(
            package=package, actor=request.user, channel=Channel.ADMIN, **data
        ),
    )
    n = len(report.done)
    if n:
        done = ngettext(
            "%(count)s package confirmed destroyed; each seller gets a certificate.",
            "%(count)s packages confirmed destroyed; each seller gets a certificate.",
            n,
        ) % {"count": n}
    else:
        done = gettext("No package confirmed destroyed; each seller gets a certificate.")
    return _tell(request, report, done)


PACKAGE_ACTIONS = [
    record_failed_attempt,
    mark_returned,
    record_phone_claim,
    withdraw_claim,
    confirm_destruction,
    export_csv,
]

# The buttons on a package's page: what its state allows.
ACTIONS_FOR_STATUS = {
    Status.IN_DELIVERY: [FAILED_ATTEMPT.action],
    Status.AWAITING_SELLER: ["record_phone_claim"],
    Status.CLAIMED: ["mark_returned", WITHDRAW.action],
    Status.DESTRUCTION_PENDING: [DESTRUCTION.action],
}
