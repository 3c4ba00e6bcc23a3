"""The ticket inbox's filters: whose tickets, which wait for an answer, which status."""

from typing import Any

from django.contrib import admin
from django.contrib.admin import ModelAdmin
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from tickets.models import STAFF_STATUSES, Ticket

Status = Ticket.Status


class AssigneeFilter(admin.SimpleListFilter):
    title = _("assignee")
    parameter_name = "assigned"

    def lookups(self, request: HttpRequest, model_admin: ModelAdmin[Any]) -> list[tuple[str, str]]:
        return [("nobody", gettext("Unassigned (open)")), ("me", gettext("Assigned to me"))]

    def queryset(self, request: HttpRequest, queryset: QuerySet[Ticket]) -> QuerySet[Ticket]:
        if self.value() == "nobody":
            return queryset.unassigned()
        if self.value() == "me":
            return queryset.filter(assignee=request.user)
        return queryset


class ResponseFilter(admin.SimpleListFilter):
    title = _("first answer")
    parameter_name = "response"

    def lookups(self, request: HttpRequest, model_admin: ModelAdmin[Any]) -> list[tuple[str, str]]:
        return [("overdue", gettext("Overdue")), ("awaiting", gettext("Awaiting a first answer"))]

    def queryset(self, request: HttpRequest, queryset: QuerySet[Ticket]) -> QuerySet[Ticket]:
        if self.value() == "overdue":
            return queryset.overdue()
        if self.value() == "awaiting":
            return queryset.filter(status=Status.OPEN, first_response_at__isnull=True)
        return queryset


class StatusFilter(admin.SimpleListFilter):
    title = _("status")
    parameter_name = "status"

    def lookups(self, request: HttpRequest, model_admin: ModelAdmin[Any]) -> list[tuple[str, str]]:
        return list(STAFF_STATUSES.items())

    def queryset(self, request: HttpRequest, queryset: QuerySet[Ticket]) -> QuerySet[Ticket]:
        if self.value() in STAFF_STATUSES:
            return queryset.filter(status=self.value())
        return queryset
