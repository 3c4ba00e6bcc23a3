"""The seller's package pages and notices (DESIGN.md §8)."""

from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.functional import cached_property
from django.utils.translation import gettext, ngettext
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from portal.errors import DomainError
from portal.tenancy import AuthenticatedRequest, seller_required
from returns import certificates, inbox, selectors
from returns.forms import PackageFilterForm
from returns.models import Channel, FailedPackage, Notification
from returns.outbox import rendering
from returns.refusals import explain_state
from returns.services import release_package

PAGE_SIZE = 25
# Where a package the seller let go goes: destruction, then its certificate.
FINAL_ROAD = {FailedPackage.Status.DESTRUCTION_PENDING, FailedPackage.Status.DESTROYED}


class CountedPaginator(Paginator[FailedPackage]):
    """A paginator given its count when the caller knows it (a cached total)."""

    def __init__(
        self, object_list: QuerySet[FailedPackage], per_page: int, *, count: int | None
    ) -> None:
        super().__init__(object_list, per_page)
        self.known_count = count

    @cached_property
    def count(self) -> int:
        return super().count if self.known_count is None else self.known_count


@seller_required
@require_GET
def package_list(request: AuthenticatedRequest) -> HttpResponse:
    form = PackageFilterForm(request.GET)
    filters = form.filters()
    filtered = bool(filters["status"] or filters["search"])
    packages = selectors.package_list(request.user, **filters)
    total = None if filtered else selectors.package_total(request.user)
    page = CountedPaginator(packages, PAGE_SIZE, count=total).get_page(request.GET.get("page"))
    page.object_list = list(page.object_list)  # read once: the search's example borrows one
    if page.object_list:
        # Numbers as this seller's providers write them, not a made-up format.
        form.fields["search"].widget.attrs["placeholder"] = gettext("e.g. %(tracking)s") % {
            "tracking": page.object_list[0].tracking_number
        }
    return render(
        request,
        "returns/package_list.html",
        {"form": form, "page": page, "filtered": filtered},
    )


@seller_required
@require_GET
def package_detail(request: AuthenticatedRequest, public_id: str) -> HttpResponse:
    package = get_object_or_404(selectors.packages_for(request.user), public_id=public_id)
    window_open = selectors.window_is_open(package)
    tickets = list(package.tickets.order_by("-created_at"))
    # Let go by the seller: what they still asked about can end with the decision.
    let_go = package.released_at is not None and package.status in FINAL_ROAD
    return render(
        request,
        "returns/package_detail.html",
        {
            "package": package,
            "window_open": window_open,
            "explanation": "" if window_open else explain_state(package),
            "attempts": package.attempts.all(),
            "events": package.events.all(),
            "tickets": tickets,
            "let_go": let_go,
            "open_inquiries": [t for t in tickets if t.is_open and t.is_inquiry] if let_go else [],
        },
    )


@seller_required
@require_http_methods(["GET", "POST"])
def release(request: AuthenticatedRequest, public_id: str) -> HttpResponse:
    package = get_object_or_404(selectors.packages_for(request.user), public_id=public_id)
    if request.method == "POST":
        try:
            release_package(package=package, actor=request.user, channel=Channel.WEB)
        except DomainError as error:
            messages.error(request, error.message)
        else:
            messages.success(
                request,
                gettext(
                    "Done: %(provider)s has been told to destroy package %(tracking)s. "
                    "You will get a certificate once it is destroyed."
                )
                % {"provider": package.provider.name, "tracking": package.tracking_number},
            )
        return redirect("returns:package_detail", public_id=package.public_id)
    window_open = selectors.window_is_open(package)
    return render(
        request,
        "returns/release_confirm.html",
        {
            "package": package,
            "window_open": window_open,
            "explanation": "" if window_open else explain_state(package),
        },
    )


@seller_required
@require_GET
def certificate(request: AuthenticatedRequest, public_id: str) -> HttpResponse:
    # With its batch: a package destroyed from the scan station names it (returns.batches).
    packages = selectors.packages_for(request.user).select_related("destruction_batch")
    package = get_object_or_404(packages, public_id=public_id)
    if package.status != FailedPackage.Status.DESTROYED:
        raise Http404(gettext("This package has not been destroyed, so it has no certificate."))
    verify_url = certificates.verify_url(package) if package.certificate_code else ""
    return render(
        request, "returns/certificate.html", {"package": package, "verify_url": verify_url}
    )


@seller_required
@require_GET
def notification_list(request: AuthenticatedRequest) -> HttpResponse:
    notifications = selectors.notifications_for(request.user)
    page = Paginator(notifications, PAGE_SIZE).get_page(request.GET.get("page"))
    rendering.render_unsent(list(page.object_list))
    return render(
        request,
        "returns/notification_list.html",
        {"page": page, "unread": selectors.unread_count(request)},
    )


@seller_required
@require_POST
def notification_read(request: AuthenticatedRequest, notification_id: int) -> HttpResponse:
    notification = get_object_or_404(
        Notification.objects.for_user(request.user), pk=notification_id
    )
    inbox.mark_read(notifications=Notification.objects.filter(pk=notification.pk))
    return redirect("returns:notification_list")


@seller_required
@require_POST
def notification_read_all(request: AuthenticatedRequest) -> HttpResponse:
    count = inbox.mark_read(notifications=Notification.objects.for_user(request.user))
    messages.success(
        request,
        ngettext("Marked %(count)s notice as read.", "Marked %(count)s notices as read.", count)
        % {"count": count},
    )
    return redirect("returns:notification_list")
