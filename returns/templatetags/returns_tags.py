import re
from datetime import datetime, timedelta

from django import template
from django.conf import settings
from django.template import Context
from django.urls import reverse
from django.utils import timezone
from django.utils.html import conditional_escape, format_html
from django.utils.safestring import SafeString
from django.utils.timesince import timesince
from django.utils.translation import gettext

from portal import formatting
from returns import action_links, notice_queue, staff_words
from returns.models import SELLER_EVENT_LABELS, FailedPackage, Notification
from returns.outbox import rendering
from returns.selectors import window_is_open

register = template.Library()

STATUS_BADGES = {
    "in_delivery": "text-bg-secondary",
    "awaiting_seller": "text-bg-warning",
    "claimed": "text-bg-info",
    "returned": "text-bg-success",
    "destruction_pending": "text-bg-danger",
    "destroyed": "text-bg-dark",
}

# What the seller reads in a package's history: worded for them, where the event's own
# choice labels are worded for staff. Lazy: each page renders them in its reader's language.
# A phone number as the providers' cards store it, international: "+66 2 555 0142". The
# leading "+" keeps tracking numbers, order ids and dates in the same sentence unlinked.
PHONE = re.compile(r"\+\d[\d ()-]{5,}\d")


@register.filter
def tel_links(text: str) -> SafeString:
    """A refusal or message in plain text, each phone number in it a `tel:` link to tap."""
    escaped = str(conditional_escape(text))
    return SafeString(
        PHONE.sub(
            lambda number: format_html(
                '<a class="alert-link" href="tel:{}">{}</a>',
                re.sub(r"[^\d+]", "", number[0]),
                number[0],
            ),
            escaped,
        )
    )


@register.filter
def in_zone(moment: datetime | None, zone_name: str) -> str:
    """`{{ package.claim_deadline|in_zone:package.seller.time_zone }}`"""
    return formatting.local_datetime(moment, zone_name) if moment else ""


@register.filter
def short_in_zone(moment: datetime | None, zone_name: str) -> str:
    return formatting.local_date(moment, zone_name) if moment else ""


@register.filter
def zone_label(zone_name: str) -> str:
    return formatting.zone_label(zone_name)


@register.filter
def time_left(deadline: datetime | None) -> str:
    return formatting.time_left(deadline) if deadline else ""


@register.filter
def hours_ahead(hours: int | None) -> str:
    """`{{ hours_before|hours_ahead }}`: a reminder stage, `3 days` or `24 hours`."""
    return formatting.hours_ahead(hours) if hours else ""


@register.simple_tag
def time_left_when_sent() -> str:
    """`{% time_left_when_sent %}`: the time left, written in by the outbox as it sends."""
    return notice_queue.TIME_LEFT_MARK


@register.filter
def body_text_now(notification: Notification) -> str:
    """A notice's text as the portal shows it: one not sent yet gives the time left now, and
    a one-click link is the package page (the seller reading it is signed in)."""
    package = notification.package
    deadline = package.claim_deadline if package is not None else None
    words = rendering.time_left_words(notification, deadline, timezone.now())
    text = notification.body_text.replace(notice_queue.TIME_LEFT_MARK, words)
    if package is not None:
        package_url = reverse("returns:package_detail", args=[package.public_id])
        text = action_links.package_links(text, package_url)
    return text


@register.filter
def duration(length: timedelta | None) -> str:
    """`{{ cooloff_timedelta|duration }}`: `15 minutes`, in Django's own translated words."""
    if not length:
        return ""
    now = timezone.now()
    return timesince(now - length, now)


@register.filter
def urgent(deadline: datetime | None) -> bool:
    """Less time left than the first reminder stage: the page shows it in red."""
    if deadline is None:
        return False
    return deadline - timezone.now() < timedelta(hours=max(settings.REMINDER_HOURS_BEFORE))


# The badges are tags rather than included templates: a list shows them on every row,
# and an include per badge was most of the package list's rendering.


def _window_closed(package: FailedPackage) -> bool:
    # Decided on the deadline itself, as the claim is, not on time_left's words (translated).
    return package.status == FailedPackage.Status.AWAITING_SELLER and not window_is_open(package)


def _status_badge(package: FailedPackage) -> SafeString:
    if _window_closed(package):
        return format_html(
            '<span class="badge text-bg-secondary">{}</span>', gettext("Window closed")
        )
    return format_html(
        '<span class="badge {}">{}</span>',
        STATUS_BADGES.get(package.status, "text-bg-secondary"),
        # The enum's own label, translated once; get_status_display() hashes every
        # choice's lazy label, which translates all six, on every row of a list.
        FailedPackage.Status(package.status).label,
    )


@register.simple_tag
def status_badge(package: FailedPackage) -> SafeString:
    """`{% status_badge package %}`: the package's status, coloured. A package still
    `awaiting_seller` past its deadline is no longer waiting for the seller (the finalize job
    moves it within minutes): the badge says the window closed."""
    return _status_badge(package)


TIME_LEFT_BADGE = (
    '<span class="badge {}"><span class="visually-hidden">{} </span>'
    '<span class="countdown" data-deadline="{}">{}</span></span>'
)


@register.simple_tag
def time_left_badge(package: FailedPackage) -> str:
    """`{% time_left_badge package %}`: while the package waits for the seller, the time
    left to decide, which static/js/portal.js counts down from data-deadline."""
    # A closed window is told by the status badge beside it.
    if package.status != FailedPackage.Status.AWAITING_SELLER or _window_closed(package):
        return ""
    return format_html(
        TIME_LEFT_BADGE,
        "text-bg-danger" if urgent(package.claim_deadline) else "text-bg-light border",
        # Translators: read out by screen readers before the time left, e.g. "2 days 4 hours left".
        gettext("Time to decide:"),
        timezone.localtime(package.claim_deadline).isoformat(),
        time_left(package.claim_deadline),
    )


# One row of the package list (templates/returns/package_list.html), as the loop there wrote
# it with the tags above: written here, a row costs a fifth of the template's.
PACKAGE_ROW = """
    <li class="list-group-item py-3">
      <div class="d-flex flex-wrap gap-2 align-items-center">
        <div class="me-auto min-w-0">
          <a class="fw-semibold text-break" href="{url}">{tracking}</a>
          <div class="small text-secondary text-break">{order}{description} · {provider}</div>
        </div>
        <div class="d-flex flex-wrap gap-2 align-items-center">
          {status}
          {time_left}
        </div>
      </div>
    </li>
    """


@register.simple_tag(takes_context=True)
def package_rows(context: Context, packages: list[FailedPackage], packages_url: str) -> SafeString:
    """`{% package_rows page.object_list packages_url %}`: the list's rows. A page shows a few
    statuses and a few dozen distinct times left: each badge is written once a page."""
    statuses: dict[tuple[str, bool], str] = {}
    urgent_before = timezone.now() + timedelta(hours=max(settings.REMINDER_HOURS_BEFORE))
    # Translators: read out by screen readers before the time left, e.g. "2 days 4 hours left".
    time_to_decide = conditional_escape(gettext("Time to decide:"))
    base = conditional_escape(packages_url)
    rows = []
    for package in packages:
        closed = _window_closed(package)
        key = (package.status, closed)
        if key not in statuses:
            statuses[key] = _status_badge(package)
        deadline = package.claim_deadline
        if package.status == FailedPackage.Status.AWAITING_SELLER and not closed:
            assert deadline is not None  # an open window has a deadline
            countdown = TIME_LEFT_BADGE.format(
                "text-bg-danger" if deadline < urgent_before else "text-bg-light border",
                time_to_decide,
                timezone.localtime(deadline).isoformat(),
                conditional_escape(time_left(deadline)),
            )
        else:
            countdown = ""
        rows.append(
            PACKAGE_ROW.format(
                url=f"{base}{conditional_escape(package.public_id)}/",
                tracking=conditional_escape(package.tracking_number),
                order=order_line(context, package.order_id),
                description=f" · {conditional_escape(package.description)}"
                if package.description
                else "",
                provider=conditional_escape(package.provider.name),
                status=statuses[key],
                time_left=countdown,
            )
        )
    return SafeString("".join(rows))


@register.simple_tag(takes_context=True)
def order_line(context: Context, order_id: str) -> SafeString:
    """`{% order_line package.order_id %}`: "Order ORD-1", as `{% blocktranslate %}` words it,
    the wording looked up once a page rather than on each row of a list."""
    pattern = context.render_context.get("order_line")
    if pattern is None:
        pattern = context.render_context["order_line"] = gettext("Order %(order_id)s")
    return SafeString(pattern % {"order_id": conditional_escape(order_id)})


@register.filter
def event_label(action: str) -> str:
    return str(SELLER_EVENT_LABELS[action])


@register.simple_tag
def staff_badge(package: FailedPackage) -> SafeString:
    """`{% staff_badge package %}`: the console's state badge (returns.staff_words)."""
    return staff_words.badge(package)
