"""The package list's CSV upload (returns.csv_import), under the list's URL."""

from typing import TYPE_CHECKING, Any

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django.urls import URLPattern, path
from django.utils.translation import gettext

from portal.models import LogisticsProvider
from returns.admin.scoping import console_user
from returns.csv_format import format_help
from returns.csv_import import import_packages
from returns.forms import PackageImportForm
from returns.models import FailedPackage

if TYPE_CHECKING:
    # The mixin reads the package admin it is mixed into (its site, options, messages).
    _PackageAdmin = admin.ModelAdmin[FailedPackage]
else:
    _PackageAdmin = object


class PackageImportViews(_PackageAdmin):
    """Mixed into FailedPackageAdmin: the upload page and the list's button to it."""

    def has_import_permission(self, request: HttpRequest) -> bool:
        return request.user.has_perm("returns.add_failedpackage")

    def import_providers(self, request: HttpRequest) -> QuerySet[LogisticsProvider]:
        """The providers this user may import packages for."""
        user = console_user(request)
        providers = LogisticsProvider.objects.all()
        if user.is_superuser:
            return providers
        if user.provider_id is None:
            return providers.none()  # staff of no provider import for none
        return providers.filter(pk=user.provider_id)

    def get_urls(self) -> list[URLPattern]:
        view = self.admin_site.admin_view(self.import_view)
        return [path("import/", view, name="returns_failedpackage_import"), *super().get_urls()]

    def changelist_view(
        self, request: HttpRequest, extra_context: dict[str, Any] | None = None
    ) -> HttpResponse:
        extra_context = {
            "title": gettext("Packages"),
            "has_import_permission": self.has_import_permission(request),
        }
        return super().changelist_view(request, extra_context)

    def import_view(self, request: HttpRequest) -> TemplateResponse:
        if not self.has_import_permission(request):
            raise PermissionDenied
        posted = request.method == "POST"
        form = PackageImportForm(
            request.POST if posted else None,
            request.FILES if posted else None,
            providers=self.import_providers(request),
        )
        report = None
        if form.is_valid():
            report = import_packages(
                provider=form.cleaned_data["provider"],
                data=form.cleaned_data["file"].read(),
                actor=request.user,
            )
            level = messages.SUCCESS if report.ok else messages.WARNING
            self.message_user(request, str(report), level)
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": gettext("Import packages from a CSV file"),
            "form": form,
            "report": report,
            "format_help": format_help(),
        }
        return TemplateResponse(request, "admin/returns/failedpackage/import.html", context)
