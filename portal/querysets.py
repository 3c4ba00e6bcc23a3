"""The queryset every tenant-owned model builds on (the rule itself: portal.tenancy).

Apart from portal.tenancy so that portal.models can use it: the tenancy module
names the User model in its types.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Self

from django.db import models

if TYPE_CHECKING:
    from portal.tenancy import Viewer


class TenantQuerySet(models.QuerySet[Any]):
    """Scopes rows to a user; subclasses name the paths to the owning tenants."""

    seller_path: str | None = "seller"
    provider_path: str | None = "provider"

    def for_user(self, user: Viewer) -> Self:
        if not (user.is_authenticated and user.is_active):
            return self.none()
        if user.is_superuser:
            return self
        if user.seller_id and self.seller_path:
            return self.filter(**{f"{self.seller_path}_id": user.seller_id})
        if user.provider_id and user.is_staff and self.provider_path:
            return self.filter(**{f"{self.provider_path}_id": user.provider_id})
        return self.none()
