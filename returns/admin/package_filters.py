"""The package list's filters, worded as an agent says them."""

from datetime import timedelta
from typing import Any

from django.contrib import admin
from django.contrib.admin import ModelAdmin
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from returns import selectors
from returns.models import STAFF_STATES, FailedPackage

Status = FailedPackage.Status


class StatusFilter(admin.SimpleListFilter):
    """The statuses as an agent says them (the model's labels are the seller's)."""

    title = _("status")
    parameter_name = "status"

    def lookups(self, request: HttpRequest, model_admin: ModelAdmin[Any]) -> list[tuple[str, str]]:
        return [(value, STAFF_STATES[value].capitalize()) for value in Status.values]

    def queryset(self, request: HttpRequest, queryset: QuerySet[Any]) -> QuerySet[Any]:
        if self.value() in Status.values:
            return queryset.filter(status=self.value())
        return queryset


class DeadlineFilter(admin.SimpleListFilter):
    """Open claim windows by how soon they close."""

    title = _("claim deadline")
    parameter_name = "deadline"

    def lookups(self, request: HttpRequest, model_admin: ModelAdmin[Any]) -> list[tuple[str, str]]:
        return [
            ("closed", gettext("Passed (closing now)")),
            ("today", gettext("Closes today")),
            ("48h", gettext("Closes within 48 hours")),
        ]

    def queryset(self, request: HttpRequest, queryset: QuerySet[Any]) -> QuerySet[Any]:
        now = timezone.now()
        if self.value() == "closed":
            return selectors.windows_closed(queryset, now=now)
        # A deadline is the end of a day in the seller's zone, so it falls on the
        # seller's today exactly when it is less than a day away.
        if self.value() == "today":
            return selectors.windows_closing(queryset, now=now, within=timedelta(days=1))
        if self.value() == "48h":
            return selectors.windows_closing(queryset, now=now, within=selectors.CLOSING_SOON)
        return queryset


class DestructionFilter(admin.SimpleListFilter):
    title = _("destruction")
    parameter_name = "destruction"

    def lookups(self, request: HttpRequest, model_admin: ModelAdmin[Any]) -> list[tuple[str, str]]:
        return [("overdue", gettext("Overdue"))]

    def queryset(self, request: HttpRequest, queryset: QuerySet[Any]) -> QuerySet[Any]:
        if self.value() == "overdue":
            return selectors.overdue_destructions(queryset)
        return queryset
