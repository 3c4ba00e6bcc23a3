"""`/settings/`: the shop's owners change its profile, notices, return addresses and emails.

Members see a refusal page that names the owners: the settings change what
every colleague receives, so only owners change them (DESIGN.md §4). Two pages
need no login: the confirmation link and the one-click unsubscribe link, whose
GET only shows a confirm button (mail scanners fetch links) and whose POST acts.
"""

from functools import wraps
from zoneinfo import available_timezones

from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_POST

from portal.confirmations import LinkError, read_confirmation, read_unsubscribe
from portal.models import NotificationAddress, ReturnAddress, SellerRole, User
from portal.shop import selectors, services
from portal.shop.forms import (
    TIME_ZONE_LIST,
    EmailPreferencesForm,
    NotificationAddressForm,
    ProfileForm,
    ReturnAddressForm,
)
from portal.tenancy import AuthenticatedRequest, P, SellerView, seller_of, seller_required

TIME_ZONES = sorted(available_timezones())
# The emails a one-click link turns off, as its page names them.
OPTIONAL_EMAIL_NAMES = {
    "reminder_emails": _("deadline reminders"),
    "ticket_reply_emails": _("ticket replies"),
}


def owner_required(view: SellerView[P]) -> SellerView[P]:
    @seller_required
    @wraps(view)
    def wrapper(
        request: AuthenticatedRequest, /, *args: P.args, **kwargs: P.kwargs
    ) -> HttpResponse:
        seller_id = request.user.seller_id
        if seller_id is None:  # seller_required turned them away already
            raise PermissionDenied(gettext("These pages are for sellers."))
        if not request.user.is_seller_owner:
            owners = User.objects.filter(
                seller_id=seller_id, seller_role=SellerRole.OWNER, is_active=True
            ).values_list("email", flat=True)
            return render(request, "settings/owners_only.html", {"owners": owners}, status=403)
        return view(request, *args, **kwargs)

    return wrapper


def _index(request: AuthenticatedRequest, **forms: object) -> HttpResponse:
    seller = seller_of(request.user)
    context = {
        "profile_form": ProfileForm(
            initial={name: getattr(seller, name) for name in services.PROFILE_FIELDS}
        ),
        "address_form": NotificationAddressForm(),
        "emails_form": EmailPreferencesForm(
            initial={name: getattr(seller, name) for name in services.EMAIL_FIELDS}
        ),
        "notification_addresses": NotificationAddress.objects.for_user(request.user),
        "return_addresses": ReturnAddress.objects.for_user(request.user),
        "history": selectors.history_for(seller.pk),
        "max_addresses": services.MAX_NOTIFICATION_ADDRESSES,
        "time_zones": TIME_ZONES,
        "time_zone_list": TIME_ZONE_LIST,
        **forms,
    }
    return render(request, "settings/index.html", context, status=400 if forms else 200)


@owner_required
@require_http_methods(["GET"])
def index(request: AuthenticatedRequest) -> HttpResponse:
    return _index(request)


def _saved(request: HttpRequest, change: object) -> HttpResponse:
    if change is None:
        messages.info(request, gettext("Nothing changed."))
    else:
        messages.success(request, gettext("Your settings are saved."))
    return redirect("settings:index")


@owner_required
@require_POST
def profile(request: AuthenticatedRequest) -> HttpResponse:
    form = ProfileForm(request.POST)
    if not form.is_valid():
        return _index(request, profile_form=form)
    change = services.update_profile(
        seller=seller_of(request.user), actor=request.user, values=form.cleaned_data
    )
    return _saved(request, change)


@owner_required
@require_POST
def email_preferences(request: AuthenticatedRequest) -> HttpResponse:
    form = EmailPreferencesForm(request.POST)
    form.is_valid()  # two check boxes: every post is valid
    change = services.set_email_preferences(
        seller=seller_of(request.user), actor=request.user, values=form.cleaned_data
    )
    return _saved(request, change)


# --- notification addresses -----------------------------------------------------------


@owner_required
@require_POST
def add_address(request: AuthenticatedRequest) -> HttpResponse:
    form = NotificationAddressForm(request.POST)
    if form.is_valid():
        try:
            address = services.add_notification_address(
                seller=seller_of(request.user), actor=request.user, email=form.cleaned_data["email"]
            )
        except services.SettingsError as error:
            form.add_error("email", error.message)
        else:
            messages.success(
                request,
                gettext("We sent a confirmation link to %(email)s.") % {"email": address.email},
            )
            return redirect("settings:index")
    return _index(request, address_form=form)


def _address(request: AuthenticatedRequest, pk: int) -> NotificationAddress:
    address: NotificationAddress = get_object_or_404(
        NotificationAddress.objects.for_user(request.user).select_related("seller"), pk=pk
    )
    return address


@owner_required
@require_POST
def resend_address(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    address = _address(request, pk)
    try:
        services.resend_confirmation(address=address)
    except services.SettingsError as error:
        messages.error(request, error.message)
    else:
        messages.success(
            request,
            gettext("We sent a new confirmation link to %(email)s.") % {"email": address.email},
        )
    return redirect("settings:index")


@owner_required
@require_POST
def remove_address(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    address = _address(request, pk)
    services.remove_notification_address(address=address, actor=request.user)
    messages.success(request, gettext("%(email)s is removed.") % {"email": address.email})
    return redirect("settings:index")


@owner_required
@require_POST
def remove_primary(request: AuthenticatedRequest) -> HttpResponse:
    try:
        primary = services.remove_primary_address(
            seller=seller_of(request.user), actor=request.user
        )
    except services.SettingsError as error:
        messages.error(request, error.message)
    else:
        messages.success(
            request, gettext("%(email)s is now the primary address.") % {"email": primary}
        )
    return redirect("settings:index")


@login_not_required
@require_http_methods(["GET", "POST"])
def confirm_address(request: HttpRequest, token: str) -> HttpResponse:
    """The link in the confirmation email. Whoever reads the address confirms it: no login."""
    try:
        if request.method == "POST":
            address = services.confirm_address(token=token)
            return render(request, "settings/confirmed.html", {"address": address})
        address, _digest = read_confirmation(token)
    except LinkError as error:
        return render(request, "settings/link_refused.html", {"error": error.message}, status=400)
    return render(request, "settings/confirm.html", {"address": address})


# --- the one-click unsubscribe link (RFC 8058) ----------------------------------------


@login_not_required
@csrf_exempt  # mail clients POST `List-Unsubscribe=One-Click` with no session: the token decides
@require_http_methods(["GET", "POST"])
def unsubscribe(request: HttpRequest, token: str) -> HttpResponse:
    try:
        if request.method == "POST":
            seller, field = services.unsubscribe(token=token)
            template = "settings/unsubscribed.html"
        else:
            seller, field = read_unsubscribe(token)
            template = "settings/unsubscribe.html"
    except LinkError as error:
        return render(request, "settings/link_refused.html", {"error": error.message}, status=400)
    return render(request, template, {"seller": seller, "kind": OPTIONAL_EMAIL_NAMES[field]})


# --- saved return addresses -----------------------------------------------------------


def _return_address(request: AuthenticatedRequest, pk: int) -> ReturnAddress:
    address: ReturnAddress = get_object_or_404(
        ReturnAddress.objects.for_user(request.user).select_related("seller"), pk=pk
    )
    return address


def _edit(request: AuthenticatedRequest, address: ReturnAddress | None) -> HttpResponse:
    form = ReturnAddressForm(request.POST or None, instance=address)
    if request.method == "POST" and form.is_valid():
        try:
            saved = services.save_return_address(
                seller=seller_of(request.user),
                actor=request.user,
                address=address,
                values=form.cleaned_data,
            )
        except services.SettingsError as error:
            form.add_error("label", error.message)
        else:
            messages.success(request, gettext("“%(label)s” is saved.") % {"label": saved.label})
            return redirect("settings:index")
    return render(request, "settings/return_address_form.html", {"form": form, "address": address})


@owner_required
@require_http_methods(["GET", "POST"])
def new_return_address(request: AuthenticatedRequest) -> HttpResponse:
    return _edit(request, None)


@owner_required
@require_http_methods(["GET", "POST"])
def edit_return_address(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    return _edit(request, _return_address(request, pk))


@owner_required
@require_http_methods(["GET", "POST"])
def delete_return_address(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    address = _return_address(request, pk)
    if request.method == "POST":
        services.delete_return_address(address=address, actor=request.user)
        messages.success(request, gettext("“%(label)s” is deleted.") % {"label": address.label})
        return redirect("settings:index")
    return render(request, "settings/return_address_delete.html", {"address": address})


@owner_required
@require_POST
def default_return_address(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    address = _return_address(request, pk)
    services.make_default_return_address(address=address, actor=request.user)
    messages.success(
        request,
        gettext("“%(label)s” is now the default for send-back tickets.") % {"label": address.label},
    )
    return redirect("settings:index")
