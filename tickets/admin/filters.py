"""The ticket inbox's filters: whose tickets, which wait for an answer, which status."""

from typing import Any, cast

from django.contrib import admin
from django.contrib.admin import ModelAdmin
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django_stubs_ext import StrOrPromise

from returns.admin.scoping import console_user
from tickets.models import STAFF_STATUSES, Ticket, TicketQuerySet

Status = Ticket.Status


def _tickets(queryset: QuerySet[Ticket]) -> TicketQuerySet:
    # The inbox's rows come from Ticket.objects, whose querysets are TicketQuerySets.
    return cast(TicketQuerySet, queryset)


class AssigneeFilter(admin.SimpleListFilter):
    title = _("assignee")
    parameter_name = "assigned"

    def lookups(self, request: HttpRequest, model_admin: ModelAdmin[Any]) -> list[tuple[str, str]]:
        return [("nobody", gettext("Unassigned (open)")), ("me", gettext("Assigned to me"))]

    def queryset(self, request: HttpRequest, queryset: QuerySet[Ticket]) -> QuerySet[Ticket]:
        if self.value() == "nobody":
            return _tickets(queryset).unassigned()
        if self.value() == "me":
            return queryset.filter(assignee=console_user(request))
        return queryset


class ResponseFilter(admin.SimpleListFilter):
    title = _("first answer")
    parameter_name = "response"

    def lookups(self, request: HttpRequest, model_admin: ModelAdmin[Any]) -> list[tuple[str, str]]:
        return [("overdue", gettext("Overdue")), ("awaiting", gettext("Awaiting a first answer"))]

    def queryset(self, request: HttpRequest, queryset: QuerySet[Ticket]) -> QuerySet[Ticket]:
        if self.value() == "overdue":
            return _tickets(queryset).overdue()
        if self.value() == "awaiting":
            return queryset.filter(status=Status.OPEN, first_response_at__isnull=True)
        return queryset


class StatusFilter(admin.SimpleListFilter):
    title = _("status")
    parameter_name = "status"

    def lookups(
        self, request: HttpRequest, model_admin: ModelAdmin[Any]
    ) -> list[tuple[str, StrOrPromise]]:
        return list(STAFF_STATUSES.items())

    def queryset(self, request: HttpRequest, queryset: QuerySet[Ticket]) -> QuerySet[Ticket]:
        if self.value() in STAFF_STATUSES:
            return queryset.filter(status=self.value())
        return queryset
