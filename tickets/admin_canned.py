"""Canned replies in the console: each provider's staff write and edit their own.

Scoped like every console model (returns.admin.scoping): a reply of another
provider is not in the list and its page answers 404. Staff do not choose the
provider: a reply is their provider's. Operators choose it.
"""

from typing import Any

from django import forms
from django.contrib import admin
from django.http import HttpRequest
from django.utils.html import format_html_join
from django.utils.translation import gettext, ngettext

from portal.models import LogisticsProvider
from returns.admin.scoping import ProviderScopedAdmin
from tickets import canned
from tickets.models import CannedReply


class CannedReplyForm(forms.ModelForm[CannedReply]):
    class Meta:
        model = CannedReply
        fields = ["provider", "title", "body"]
        widgets = {"body": forms.Textarea(attrs={"rows": 8, "cols": 80})}

    def clean_body(self) -> str:
        body: str = self.cleaned_data["body"]
        unknown = canned.unknown_placeholders(body)
        if unknown:
            raise forms.ValidationError(
                ngettext(
                    "%(unknown)s is not a placeholder. Use %(known)s.",
                    "%(unknown)s are not placeholders. Use %(known)s.",
                    len(unknown),
                )
                % {
                    "unknown": ", ".join(f"{{{name}}}" for name in unknown),
                    "known": ", ".join(f"{{{name}}}" for name in canned.PLACEHOLDERS),
                }
            )
        return body

    def clean(self) -> dict[str, Any]:
        # Staff's form has no provider field, so Django would leave the unique title to
        # the database, which answers with an error page.
        super().clean()
        data = self.cleaned_data  # what ModelForm.clean returns
        provider = data.get("provider") or getattr(self.instance, "provider", None)
        title = data.get("title")
        if provider and title:
            taken = CannedReply.objects.filter(provider=provider, title=title)
            if taken.exclude(pk=self.instance.pk).exists():
                self.add_error("title", gettext("You already have a canned reply with this title."))
        return data


@admin.register(CannedReply)
class CannedReplyAdmin(ProviderScopedAdmin, admin.ModelAdmin[CannedReply]):
    form = CannedReplyForm
    search_fields = ["title"]
    list_filter = ["provider"]  # operators only: the scoping drops it for staff

    def get_list_display(self, request: HttpRequest) -> tuple[str, ...]:
        if request.user.is_superuser:
            return ("title", "provider", "updated_at")
        return ("title", "updated_at")

    def get_fields(self, request: HttpRequest, obj: CannedReply | None = None) -> tuple[str, ...]:
        if request.user.is_superuser:
            return ("provider", "title", "body")
        return ("title", "body")

    def get_form(
        self,
        request: HttpRequest,
        obj: CannedReply | None = None,
        change: bool = False,
        **kwargs: Any,
    ) -> type[forms.ModelForm[CannedReply]]:
        user = request.user
        if not user.is_superuser:
            # The admin site lets in signed-in staff only.
            assert user.is_authenticated
            kwargs["form"] = _staff_form(user.provider)
        form = super().get_form(request, obj, change, **kwargs)
        form.base_fields["body"].help_text = _placeholder_help()
        return form


def _staff_form(provider: LogisticsProvider | None) -> type[CannedReplyForm]:
    class StaffForm(CannedReplyForm):
        """Staff write for their own provider: a new reply is theirs before it is checked."""

        def __init__(self, *args: Any, **kwargs: Any) -> None:
            super().__init__(*args, **kwargs)
            if self.instance._state.adding and provider is not None:
                self.instance.provider = provider

    return StaffForm


def _placeholder_help() -> str:
    listed = format_html_join(", ", "<code>{{{}}}</code> ({})", canned.PLACEHOLDERS.items())
    return gettext("Placeholders, filled in for each ticket: %(placeholders)s.") % {
        "placeholders": listed
    }
