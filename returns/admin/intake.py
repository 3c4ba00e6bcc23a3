"""The intake API in the console: provider tokens and the events already applied."""

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.db.models import Model, QuerySet
from django.forms.formsets import BaseFormSet
from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from returns import tokens
from returns.admin.paging import CappedPaginator
from returns.admin.scoping import ChangedByActionsOnly, ProviderScopedAdmin, ReadOnly
from returns.models import ApiToken, IntakeEvent


@admin.register(ApiToken)
class ApiTokenAdmin(ProviderScopedAdmin, ChangedByActionsOnly, admin.ModelAdmin[ApiToken]):
    list_display = ["name", "provider", "prefix", "created_at", "last_used_at", "revoked_at"]
    list_filter = ["provider", ("revoked_at", admin.EmptyFieldListFilter)]
    list_select_related = ["provider"]
    actions = ["revoke"]

    def has_delete_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return False  # revoked instead, so its history stays

    def get_fields(  # type: ignore[override]  # names only: no fieldsets here
        self, request: HttpRequest, obj: ApiToken | None = None
    ) -> list[str]:
        if obj is None:
            return ["provider", "name"]
        return ["name", "provider", "prefix", "created_at", "last_used_at", "revoked_at"]

    def save_form(
        self, request: HttpRequest, form: forms.ModelForm[ApiToken], change: bool
    ) -> ApiToken:
        """Only the add form saves (the change page is read-only): through the service."""
        token, raw = tokens.create_api_token(
            provider=form.cleaned_data["provider"], name=form.cleaned_data["name"]
        )
        # Kept for response_add only: never in a message, which may travel in a cookie.
        request.new_api_token = raw  # type: ignore[attr-defined]
        return token

    def response_add(
        self, request: HttpRequest, obj: ApiToken, post_url_continue: str | None = None
    ) -> HttpResponse:
        """Show the raw token on this one page, rendered straight away, never stored."""
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "token": obj,
            "raw": request.new_api_token,  # type: ignore[attr-defined]
            "title": gettext("New API token for %(provider)s") % {"provider": obj.provider},
        }
        return TemplateResponse(request, "admin/returns/apitoken/created.html", context)

    def save_model(
        self, request: HttpRequest, obj: ApiToken, form: forms.ModelForm[ApiToken], change: bool
    ) -> None:
        pass  # saved by the service in save_form

    def save_related(
        self,
        request: HttpRequest,
        form: forms.ModelForm[ApiToken],
        formsets: list[BaseFormSet[Any]],
        change: bool,
    ) -> None:
        pass  # a token has no related rows to save

    @admin.action(description=_("Revoke the selected tokens"), permissions=["change"])
    def revoke(self, request: HttpRequest, queryset: QuerySet[ApiToken]) -> None:
        selected = list(queryset)
        revoked = sum(tokens.revoke_api_token(token=token) for token in selected)
        # Translators: a count of API tokens.
        message = ngettext(
            "%(count)s revoked; they no longer work.",
            "%(count)s revoked; they no longer work.",
            revoked,
        ) % {"count": revoked}
        already = len(selected) - revoked
        if already:
            # Translators: done is the sentence before, saying how many tokens were revoked.
            message = ngettext(
                "%(done)s %(count)s was already revoked.",
                "%(done)s %(count)s were already revoked.",
                already,
            ) % {"done": message, "count": already}
        self.message_user(request, message, messages.SUCCESS)


@admin.register(IntakeEvent)
class IntakeEventAdmin(ProviderScopedAdmin, ReadOnly, admin.ModelAdmin[IntakeEvent]):
    list_display = ["created_at", "provider", "event_id", "kind", "status_code"]
    list_filter = ["provider", "kind"]
    list_select_related = ["provider"]
    search_fields = ["=event_id"]
    show_full_result_count = False
    show_facets = admin.ShowFacets.NEVER
    paginator = CappedPaginator
