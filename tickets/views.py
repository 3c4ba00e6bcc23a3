"""The seller's dashboard and ticket pages (DESIGN.md §8), and the attachment download."""

from django.conf import settings
from django.contrib import messages
from django.core.paginator import Paginator
from django.http import FileResponse, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext, ngettext
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from portal.errors import DomainError
from portal.tenancy import AuthenticatedRequest, check_console_permission, seller_required
from returns import selectors as package_selectors
from returns.models import FailedPackage
from returns.outbox import rendering
from returns.refusals import explain_state
from tickets import selectors, services
from tickets.forms import CategoryForm, ReplyForm, TicketForm
from tickets.models import Attachment, Ticket

DASHBOARD_ROWS = 5
DECISION_ROWS = 10
PAGE_SIZE = 25


@require_GET
def dashboard(request: AuthenticatedRequest) -> HttpResponse:
    """`/`: staff go to the console; a seller sees what needs doing."""
    user = request.user
    if not user.seller_id:
        if user.is_staff:
            return redirect("admin:index")
        return render(request, "portal/home.html")
    notifications = list(package_selectors.notifications_for(user)[:DASHBOARD_ROWS])
    # Titled by their subjects, as the notices page shows them, sent or not yet.
    rendering.render_unsent(notifications)
    return render(
        request,
        "tickets/dashboard.html",
        {
            "counts": package_selectors.status_counts(user),
            "needing_action": package_selectors.needing_action(user)[:DECISION_ROWS],
            "open_tickets": selectors.tickets_for(user).open()[:DASHBOARD_ROWS],
            "notifications": notifications,
            "unread": package_selectors.unread_for_badge(request),
        },
    )


@seller_required
@require_GET
def ticket_list(request: AuthenticatedRequest) -> HttpResponse:
    page = Paginator(selectors.tickets_for(request.user), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    return render(request, "tickets/ticket_list.html", {"page": page})


def _selected_package(request: AuthenticatedRequest, public_id: str | None) -> FailedPackage | None:
    # PostgreSQL refuses a NUL even in a lookup, and no public id holds one.
    if not public_id or "\x00" in public_id:
        return None
    return package_selectors.packages_for(request.user).filter(public_id=public_id).first()


def _created_message(ticket: Ticket) -> str:
    provider = ticket.provider.name
    if ticket.is_claim:
        return gettext(
            "Ticket %(reference)s is open and package %(tracking)s is claimed: "
            "%(provider)s will not destroy it and will arrange its return."
        ) % {
            "reference": ticket.reference,
            "tracking": ticket.package.tracking_number if ticket.package else "",
            "provider": provider,
        }
    if ticket.category == Ticket.Category.NOT_NEEDED:
        return gettext(
            "Ticket %(reference)s is open and %(provider)s has been told to destroy package "
            "%(tracking)s."
        ) % {
            "reference": ticket.reference,
            "tracking": ticket.package.tracking_number if ticket.package else "",
            "provider": provider,
        }
    return gettext(
        "Ticket %(reference)s is open. %(provider)s usually answers within %(hours)s hours; "
        "we email you when they do."
    ) % {
        "reference": ticket.reference,
        "provider": provider,
        "hours": settings.TICKET_FIRST_RESPONSE_HOURS,
    }


@seller_required
@require_http_methods(["GET", "POST"])
def new_ticket(request: AuthenticatedRequest) -> HttpResponse:
    """Category first (a GET form), then the details that category needs.

    The notice's link carries only the package (`?package=`): a package the seller can still
    claim goes straight to the send-back step, where its deadline is shown.
    """
    source = request.POST if request.method == "POST" else request.GET
    package = _selected_package(request, source.get("package"))
    window_open = package is not None and package_selectors.window_is_open(package)
    category = source.get("category", "")
    # `step=1` is the page's own "choose something else": it asks, whatever the package.
    if "category" not in source and "step" not in source and window_open:
        category = Ticket.Category.SEND_BACK
    # "Find" narrows the package list and keeps what was typed; it files nothing.
    searching = "find" in source
    search = source.get("q", "").strip()[:40]
    if category not in Ticket.Category.values or (searching and request.method == "GET"):
        category_form = CategoryForm(
            request.GET if "category" in request.GET and not searching else None,
            initial={"package": request.GET.get("package"), "category": category},
            user=request.user,
            search=search,
        )
        return render(request, "tickets/ticket_category.html", {"form": category_form})

    form = TicketForm(
        request.POST if request.method == "POST" and not searching else None,
        request.FILES if request.method == "POST" and not searching else None,
        initial=source.dict() if searching else {"package": request.GET.get("package")},
        category=category,
        user=request.user,
        search=search,
        address=request.GET.get("address", ""),
    )
    existing = None
    refusal = ""
    moves_package = category in services.PACKAGE_MOVING_CATEGORIES
    if form.is_bound and form.is_valid():
        try:
            ticket = services.open_ticket(
                author=request.user,
                request=form.ticket_request(),
                files=form.cleaned_data["attachments"],
            )
        except services.DuplicateClaimError as error:
            refusal, existing = error.message, error.ticket
        except DomainError as error:
            if package is None:
                form.add_error(None, error.message)
            else:
                refusal = error.message
        else:
            messages.success(request, _created_message(ticket))
            return redirect(ticket)
        if package is not None:
            # Someone may have moved it between the page and the post.
            package.refresh_from_db()
            window_open = package_selectors.window_is_open(package)
    if package is not None and moves_package and not window_open and not refusal:
        refusal = explain_state(package)
    # A refusal replaces the form: nothing on it could be filed for this package.

    return render(
        request,
        "tickets/ticket_new.html",
        {
            "form": form,
            "category": Ticket.Category(category),
            "package": package,
            "window_open": window_open,
            "refusal": refusal,
            "moves_package": moves_package,
            "existing": existing,
        },
    )


@seller_required
@require_http_methods(["GET", "POST"])
def ticket_detail(request: AuthenticatedRequest, reference: str) -> HttpResponse:
    ticket = get_object_or_404(selectors.tickets_for(request.user), reference=reference)
    form = ReplyForm(
        request.POST if request.method == "POST" else None,
        request.FILES if request.method == "POST" else None,
    )
    if form.is_valid():
        try:
            services.reply_as_seller(
                ticket=ticket,
                author=request.user,
                body=form.cleaned_data["body"],
                files=form.cleaned_data["attachments"],
            )
        except DomainError as error:
            form.add_error(None, error.message)
        else:
            messages.success(
                request,
                gettext("Your reply was sent to %(provider)s.")
                % {"provider": ticket.provider.name},
            )
            return redirect(ticket)
    reopen_until = services.reopen_until(ticket)
    return render(
        request,
        "tickets/ticket_detail.html",
        {
            "ticket": ticket,
            "thread": selectors.thread(ticket, request.user),
            "form": form,
            "reopen_until": reopen_until,
            "window_open": ticket.package is not None
            and package_selectors.window_is_open(ticket.package),
            "can_reply": reopen_until is None or timezone.now() <= reopen_until,
            "reopen_days": services.REOPEN_WINDOW.days,
        },
    )


@seller_required
@require_POST
def close(request: AuthenticatedRequest, reference: str) -> HttpResponse:
    ticket = get_object_or_404(selectors.tickets_for(request.user), reference=reference)
    try:
        services.close_ticket(ticket=ticket)
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(
            request,
            gettext(
                "Ticket %(reference)s is closed. Reply within %(days)s days "
                "if you need to reopen it."
            )
            % {"reference": ticket.reference, "days": services.REOPEN_WINDOW.days},
        )
    return redirect(ticket)


@seller_required
@require_POST
def close_package_inquiries(request: AuthenticatedRequest, public_id: str) -> HttpResponse:
    """The package page's "close them": the open questions and disputes about a package."""
    package = get_object_or_404(package_selectors.packages_for(request.user), public_id=public_id)
    closed = services.close_package_inquiries(package=package, user=request.user)
    if closed:
        messages.success(
            request,
            ngettext(
                "Closed ticket %(references)s. Reply within %(days)s days if you need to "
                "reopen it.",
                "Closed tickets %(references)s. Reply within %(days)s days if you need to reopen "
                "them.",
                len(closed),
            )
            % {
                "references": ", ".join(ticket.reference for ticket in closed),
                "days": services.REOPEN_WINDOW.days,
            },
        )
    else:
        messages.info(request, gettext("There is no open ticket about this package to close."))
    return redirect("returns:package_detail", public_id=package.public_id)


@require_GET
def attachment(request: AuthenticatedRequest, reference: str, attachment_id: int) -> FileResponse:
    """A ticket's file, for the ticket's seller, the provider's staff group and operators."""
    found = get_object_or_404(
        Attachment.objects.for_user(request.user),
        pk=attachment_id,
        message__ticket__reference=reference,
    )
    check_console_permission(request.user, Attachment)
    response = FileResponse(
        found.file.open("rb"),
        content_type=found.content_type,
        # Photos open in the browser; a PDF is downloaded rather than rendered in the portal.
        as_attachment=not found.is_image,
        filename=found.original_name,
    )
    response["Cache-Control"] = "private, no-store"
    return response
