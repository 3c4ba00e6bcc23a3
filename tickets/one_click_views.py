"""`/act/`: the page a one-click button in an email opens (returns.action_links).

No sign-in: the token is the only key, and it opens this one package's one
action. GET only shows what will happen (mail scanners and link previews fetch
links); POST does it. Every answer is a page in words with a way to sign in,
never a bare error, and sends no Referer, so the token in the address never
leaves for another site.
"""

from typing import Any

from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from portal import throttle
from portal.clients import client_address
from portal.errors import DomainError
from portal.models import default_return_address
from returns import action_links
from returns.models import ActionLink, FailedPackage
from tickets.forms import SendBackAddressForm
from tickets.one_click import Action, act_by_link, why_refused


def _page(
    request: HttpRequest, template: str, context: dict[str, Any], status: int = 200
) -> HttpResponse:
    package = context.get("package")
    next_path = reverse("returns:package_detail", args=[package.public_id]) if package else "/"
    context["sign_in_url"] = reverse("login") + "?" + urlencode({"next": next_path})
    response = render(request, f"tickets/one_click/{template}", context, status=status)
    response["Referrer-Policy"] = "no-referrer"
    return response


def _refused(
    request: HttpRequest, package: FailedPackage | None, message: str, status: int
) -> HttpResponse:
    return _page(request, "refused.html", {"package": package, "message": message}, status)


def _address_form(
    link: ActionLink, data: dict[str, Any] | None = None
) -> SendBackAddressForm | None:
    if link.action != Action.SEND_BACK:
        return None
    if data is not None:
        return SendBackAddressForm(data)
    saved = default_return_address(link.package.seller_id)
    initial = (
        {"contact_name": saved.contact_name, "phone": saved.phone, "address": saved.address}
        if saved
        else {}
    )
    return SendBackAddressForm(initial=initial)


def _confirm(
    request: HttpRequest,
    link: ActionLink,
    token: str,
    form: SendBackAddressForm | None,
    status: int = 200,
) -> HttpResponse:
    return _page(
        request,
        "confirm.html",
        {
            "link": link,
            "package": link.package,
            "token": token,
            "form": form,
            "saved_address": form is not None and bool(form.initial),
        },
        status,
    )


def _over_limit(request: HttpRequest) -> bool:
    return not throttle.take(
        f"act-address:{client_address(request)}",
        limit=settings.ACTION_LINK_ADDRESS_LIMIT,
        window=settings.ACTION_LINK_WINDOW,
    )


# No CSRF check: the token in the form is the only authority here, no cookie or session
# is (a forged cross-site post would need the token), and with no Referer sent the
# browser posts `Origin: null`, which Django's check refuses.
@csrf_exempt
@login_not_required
@never_cache
@require_http_methods(["GET", "POST"])
def act(request: HttpRequest) -> HttpResponse:
    """1. Find the link by its token (a GET of an unknown one counts against the limit;
    a GET of a real one writes nothing at all). 2. GET: confirm, or say why not.
    3. POST: check the form is this link's, then act (`one_click.act_by_link`)."""
    posting = request.method == "POST"
    if posting and _over_limit(request):
        return _page(request, "too_many.html", {}, status=429)
    token = (request.POST if posting else request.GET).get("t", "")
    link = action_links.find(token)
    if link is None:
        if not posting and _over_limit(request):
            return _page(request, "too_many.html", {}, status=429)
        return _page(request, "unknown.html", {}, status=404)
    package = link.package
    now = timezone.now()
    if not posting:
        if not action_links.is_usable(link, now):
            return _refused(request, package, why_refused(link, now), 410)
        return _confirm(request, link, token, _address_form(link))

    if (
        request.POST.get("action") != link.action
        or request.POST.get("package") != package.public_id
    ):
        return _page(request, "unknown.html", {}, status=400)
    form = _address_form(link, request.POST)
    if form is not None and not form.is_valid():
        return _confirm(request, link, token, form, status=400)
    try:
        ticket = act_by_link(link=link, address=form.address_value() if form else None)
    except DomainError as refusal:
        package.refresh_from_db()
        return _refused(request, package, refusal.message, 409)
    package.refresh_from_db()
    return _page(request, "done.html", {"link": link, "package": package, "ticket": ticket})
