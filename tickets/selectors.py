"""What the ticket pages read: always through `for_user`, each in a fixed number of queries."""

from django.db.models import Q, QuerySet
from django.utils import timezone

from portal.models import LogisticsProvider, User
from portal.tenancy import Viewer
from returns.models import ACTION_RANKS, FINAL_ACTION_RANK, FailedPackage
from returns.selectors import SORTS, packages_for
from tickets.models import Ticket, TicketMessage, TicketQuerySet

Category = Ticket.Category
PackageStatus = FailedPackage.Status

# Categories that move their package (claim or release): the state machine allows both only
# from `awaiting_seller` within the deadline (returns.services.claim_package/release_package).
WINDOW_CATEGORIES = {Category.SEND_BACK, Category.PICK_UP, Category.NOT_NEEDED}


def tickets_for(user: Viewer) -> TicketQuerySet:
    return Ticket.objects.for_user(user).select_related("package", "provider", "seller")


def thread(ticket: Ticket, user: Viewer) -> QuerySet[TicketMessage]:
    """The messages of a ticket this user may read (a seller never sees internal notes)."""
    return (
        TicketMessage.objects.for_user(user)
        .filter(ticket=ticket)
        .select_related("author")
        .prefetch_related("attachments")
    )


def ticket_packages(user: Viewer) -> QuerySet[FailedPackage]:
    """Any of the seller's packages may be posted: a question or a dispute may be about a
    final one (a destroyed one's certificate, a rejection the seller disputes), and for the
    others `tickets.services` refuses with the package's state and what to do instead."""
    return packages_for(user).order_by(*SORTS["action"])


def offered_packages(
    user: Viewer, category: str | None, *, search: str = "", limit: int
) -> list[FailedPackage]:
    """What the form's list shows: at most `limit` + 1 packages (the extra one tells that there
    are more) matching the start of a tracking number or an order id. A claim or a release
    lists what the state machine lets it move; a question or a dispute lists packages with a
    move ahead of them, and finds the final ones by searching.
    """
    packages = ticket_packages(user)
    # Both filters are said in the sort's own stored columns (action_rank, open_deadline:
    # the deadline of an open window), so the seller's action index finds the first page in
    # order and stops; by `status`, PostgreSQL sorted every open window of the seller first
    # (10 ms at 1,000 of them).
    if category in WINDOW_CATEGORIES:
        packages = packages.filter(
            action_rank=ACTION_RANKS[PackageStatus.AWAITING_SELLER],
            open_deadline__gte=timezone.now(),
        )
    elif not search:
        # Packages with a move still ahead of them. `returned` and `destroyed` are final: a
        # ticket can change nothing for those, and they are most of an old seller's rows.
        packages = packages.filter(action_rank__lt=FINAL_ACTION_RANK)
    if search:
        packages = packages.filter(
            Q(tracking_number__istartswith=search) | Q(order_id__istartswith=search)
        )
    # What a label shows (tickets.forms._package_labels), no more: a model of every column,
    # its seller and provider, 51 times, cost the form more than its query.
    packages = packages.select_related(None).only(
        "public_id", "tracking_number", "order_id", "status"
    )
    return list(packages[: limit + 1])


def providers_for(user: User) -> QuerySet[LogisticsProvider]:
    """The providers holding this seller's packages: the only ones a seller can write to."""
    if user.seller_id is None:
        return LogisticsProvider.objects.none()
    return LogisticsProvider.objects.filter(packages__seller_id=user.seller_id).distinct()


def assignable_staff(provider: LogisticsProvider) -> QuerySet[User]:
    """Who may be given a ticket of this provider: its active staff."""
    return User.objects.filter(provider=provider, is_staff=True, is_active=True).order_by(
        "first_name", "email"
    )
