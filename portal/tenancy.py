"""Who owns what: every lookup of a tenant-owned row goes through `for_user`.

A seller's users see their seller's rows; provider staff see their provider's
rows; operators (superusers) see everything; anyone else sees nothing.
Another tenant's object is therefore simply not found (404), never a 403.
"""

from collections.abc import Callable
from functools import wraps
from typing import Concatenate, ParamSpec, TypeAlias

from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied
from django.db import models
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext

from portal.models import Seller, User

# The permissions provider staff work with in the admin. Each app's data migration
# grants its own models to the group by this name (returns 0002 for packages);
# an operator adds a user to it in the user admin.
PROVIDER_STAFF_GROUP = "Provider staff"

# Whoever a request is from: a signed-in user or an anonymous visitor.
Viewer: TypeAlias = User | AnonymousUser


class AuthenticatedRequest(HttpRequest):
    """A request from a signed-in user: every page but those marked `login_not_required`
    (portal.middleware.LoginRequiredMiddleware turns the others away first)."""

    user: User


P = ParamSpec("P")
SellerView: TypeAlias = Callable[Concatenate[AuthenticatedRequest, P], HttpResponse]


def seller_required(view: SellerView[P]) -> SellerView[P]:
    """For seller pages: the signed-in user must work for a seller."""

    @wraps(view)
    def wrapper(
        request: AuthenticatedRequest, /, *args: P.args, **kwargs: P.kwargs
    ) -> HttpResponse:
        if not request.user.seller_id:
            raise PermissionDenied(gettext("These pages are for sellers."))
        return view(request, *args, **kwargs)

    return wrapper


def seller_of(user: User) -> Seller:
    """The seller a seller page's user works for (`seller_required` turned away the others)."""
    seller = user.seller
    if seller is None:
        raise PermissionDenied(gettext("These pages are for sellers."))
    return seller


def check_console_permission(user: Viewer, model: type[models.Model]) -> None:
    """Provider staff open a row outside the console (a file download) as the console lets them.

    `for_user` settles whose row it is; the console also needs the model's view
    (or change) permission, which the Provider staff group grants. Without it the
    answer is the console's own: 403. Sellers' access is the tenant rule alone.
    """
    if user.is_authenticated and user.seller_id:
        return
    opts = model._meta
    if not any(
        user.has_perm(f"{opts.app_label}.{action}_{opts.model_name}")
        for action in ("view", "change")
    ):
        raise PermissionDenied(
            gettext("Only the Provider staff group may open this; ask an operator to add you.")
        )
