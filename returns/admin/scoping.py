"""Provider staff see their own provider's rows only, everywhere in the admin.

Every list, lookup, filter, search, action and export starts from
`get_queryset`, which goes through `for_user`; an object outside it answers
404 (Django's admin would redirect with "…doesn't exist", which confirms that
the id is real). Foreign-key choices and list filters are scoped the same way.
Operators (superusers) see everything.
"""

from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from django import forms
from django.contrib import admin
from django.contrib.admin.views.main import ChangeList
from django.core.cache import cache
from django.core.exceptions import PermissionDenied
from django.db import models
from django.db.models import Exists, OuterRef, QuerySet
from django.http import Http404, HttpRequest
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from portal.models import LogisticsProvider, Seller, User
from portal.tenancy import Viewer
from returns.models import FailedPackage

if TYPE_CHECKING:
    # The mixins below are only ever mixed into a ModelAdmin, whose methods they extend.
    _AdminMixin = admin.ModelAdmin[Any]
else:
    _AdminMixin = object


def console_user(request: HttpRequest) -> User:
    """The signed-in staff member: the admin site lets no one else into the console."""
    if not isinstance(request.user, User):
        raise PermissionDenied
    return request.user


def sellers_for(user: Viewer) -> QuerySet[Seller]:
    """Sellers this user may see: for provider staff, those with packages at the provider."""
    sellers = Seller.objects.all()
    if user.is_superuser:
        return sellers
    packages = FailedPackage.objects.for_user(user).filter(seller=OuterRef("pk"))
    return sellers.filter(Exists(packages))


def choices_for(model: type[models.Model], user: Viewer) -> QuerySet[Any]:
    """The rows a foreign-key field may offer this user."""
    manager = model._default_manager
    if not user.is_authenticated:
        return manager.none()
    if user.is_superuser:
        return manager.all()
    if hasattr(manager, "for_user"):
        scoped: QuerySet[Any] = manager.for_user(user)
        return scoped
    if model is Seller:
        return sellers_for(user)
    if not user.provider_id:
        return manager.none()
    if model is LogisticsProvider:
        return LogisticsProvider.objects.filter(pk=user.provider_id)
    if model is User:
        return User.objects.filter(provider_id=user.provider_id, is_staff=True)
    # A model nobody has scoped yet offers nothing, rather than everything.
    return manager.none()


class ProviderScopedAdmin(_AdminMixin):
    """Mixed into every ModelAdmin of a provider-owned model."""

    def get_queryset(self, request: HttpRequest) -> QuerySet[Any]:
        queryset: Any = super().get_queryset(request)  # a TenantQuerySet: the model's manager's
        scoped: QuerySet[Any] = queryset.for_user(request.user)
        return scoped

    def get_object(
        self, request: HttpRequest, object_id: str, from_field: str | None = None
    ) -> models.Model:
        obj: models.Model | None = super().get_object(request, object_id, from_field)
        if obj is None:
            raise Http404(
                gettext("No %(name)s matches the given id.") % {"name": self.opts.verbose_name}
            )
        return obj

    def formfield_for_foreignkey(
        self, db_field: models.ForeignKey[Any, Any], request: HttpRequest, **kwargs: Any
    ) -> forms.ModelChoiceField[Any] | None:
        kwargs["queryset"] = choices_for(db_field.remote_field.model, request.user)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def get_list_filter(self, request: HttpRequest) -> list[Any]:
        # Staff work for one provider: a provider filter would list the others.
        filters = list(super().get_list_filter(request))
        if request.user.is_superuser:
            return filters
        return [f for f in filters if _filtered_field(f) != "provider"]


def _filtered_field(list_filter: object) -> str | None:
    """`provider` for "provider", ("provider", SomeFilter) or "provider__name"."""
    if isinstance(list_filter, str | tuple | list):
        path = list_filter if isinstance(list_filter, str) else list_filter[0]
        return str(path).split("__")[0]
    return None  # a SimpleListFilter, which scopes its own choices


SELLER_FILTER_SECONDS = 300


def _seller_options(user: User) -> str:
    """The sellers as the <option>s of the filter's <select>, none of them selected."""
    sellers = sellers_for(user).order_by("name").values_list("pk", "name", "shop_code")
    return "".join(
        f'<option value="{pk}">{escape(f"{name} ({code})")}</option>' for pk, name, code in sellers
    )


class SellerFilter(admin.SimpleListFilter):
    """Only sellers with packages this user can see, so no other provider's seller shows."""

    title = _("seller")
    parameter_name = "seller"
    seller_field = "seller_id"
    # A provider works for a thousand shops: a list of links would build a query
    # string per shop on every page (the slowest part of the list). One <select>
    # in a GET form, keeping the other filters as hidden fields, reads the same.
    template = "admin/returns/select_filter.html"

    def choices(self, changelist: ChangeList) -> Iterator[dict[str, Any]]:  # type: ignore[override]
        self.kept_params = [
            (name, value)
            for name, value in changelist.get_filters_params().items()
            if name != self.parameter_name
        ]
        return iter(())  # the template writes `options` instead

    def options(self) -> SafeString:
        """The <option>s with the chosen seller's selected: the rest is kept as written."""
        selected = self.value()
        if not selected or not selected.isdigit():
            return mark_safe(self.written)
        chosen = f'<option value="{selected}">'
        return mark_safe(self.written.replace(chosen, f'<option value="{selected}" selected>', 1))

    def has_output(self) -> bool:
        return bool(self.written)

    def lookups(
        self, request: HttpRequest, model_admin: admin.ModelAdmin[Any]
    ) -> list[tuple[str, str]]:
        # The same list for every agent of a provider, and it grows with its sellers (10–15 ms
        # of PostgreSQL per 1,000 on every page): read once per provider and worker a while,
        # and kept as the options it writes, one string (a list of a thousand pairs cost
        # 1 ms a page to take out of the cache, and 3 ms more to write out).
        # A seller whose first package arrived meanwhile joins it within that time.
        user = request.user
        if not user.is_authenticated:  # the console lets in signed-in staff only
            raise PermissionDenied
        scope = "all" if user.is_superuser else f"provider-{user.provider_id}"
        written: str | None = cache.get_or_set(
            f"console:seller-options:{scope}",
            lambda: _seller_options(user),
            SELLER_FILTER_SECONDS,
        )
        self.written = written or ""
        return []  # no choices to link: the options above

    def queryset(self, request: HttpRequest, queryset: QuerySet[Any]) -> QuerySet[Any]:
        value = self.value()
        if not value:
            return queryset
        if not value.isdigit():
            return queryset.none()
        return queryset.filter(**{self.seller_field: int(value)})


class ReadOnly(_AdminMixin):
    """Shown to those who may view; added, changed and deleted by no one here."""

    def has_add_permission(self, request: HttpRequest, obj: models.Model | None = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: models.Model | None = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: models.Model | None = None) -> bool:
        return False


class ChangedByActionsOnly(_AdminMixin):
    """The change page is read-only; the list's actions, which call services, change rows."""

    def has_change_permission(self, request: HttpRequest, obj: models.Model | None = None) -> bool:
        return obj is None and super().has_change_permission(request)
