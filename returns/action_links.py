"""One-click actions in the seller's notices (DESIGN.md §6): Send it back to me, I don't need it.

A link is bound to one package, one action and the notice it came in; it expires
at the claim deadline, works once, and is void as soon as the package changes
state. It grants nothing else: the page it opens acts on that package only.

1. When a notice is written, each action gets a random key. The stored email holds
   only a mark, `[[act:<key>]]`, and the `ActionLink` row only the SHA-256 digest
   of the token, an HMAC of the key under SECRET_KEY: no usable link is kept in
   the database.
2. The outbox turns each mark into the link as it sends (`fill_links`); the portal's
   own copy of the notice, read signed in, links to the package page instead.
3. The token travels in the query string of a GET and in the body of the POST,
   never in a path: the access log prints paths only (Procfile), and the pages
   send no Referer.
"""

import hashlib
import re
import secrets
from dataclasses import dataclass
from datetime import datetime

from django.urls import reverse
from django.utils import timezone
from django.utils.crypto import salted_hmac
from django.utils.html import escape

from returns import links
from returns.models import ActionLink, FailedPackage, Notification

Action = ActionLink.Action

MARK = re.compile(r"\[\[act:([A-Za-z0-9_-]{16,64})\]\]")
# Longer than any token a key gives: a longer value is not looked up.
MAX_TOKEN_LENGTH = 100


def _mark(key: str) -> str:
    return f"[[act:{key}]]"


def token_for(key: str) -> str:
    return salted_hmac("returns.action_links", key, algorithm="sha256").hexdigest()


def digest_of(token: str) -> str:
    # The token is a long random-looking string, so a plain hash is enough (as ApiToken).
    return hashlib.sha256(token.encode()).hexdigest()


@dataclass(frozen=True)
class PendingLinks:
    """The keys of a notice about to be written, and the marks its templates show."""

    package: FailedPackage
    keys: dict[str, str]

    @property
    def context(self) -> dict[str, str]:
        """`send_back_link`, `let_go_link`, `undo_link`: what the email's buttons point at."""
        return {f"{action}_link": _mark(key) for action, key in self.keys.items()}

    def issue(self, notification: Notification) -> None:
        """Store the links, unless the notice was written before (its body, or the facts it
        is rendered from when sent, has other keys)."""
        shown = notification.body_text or " ".join(map(str, notification.render_facts.values()))
        if not self.keys or not all(_mark(key) in shown for key in self.keys.values()):
            return
        if self.package.claim_deadline is None:  # no window, nothing a link could do
            return
        ActionLink.objects.bulk_create(
            ActionLink(
                notification=notification,
                package=self.package,
                action=action,
                digest=digest_of(token_for(key)),
                expires_at=self.package.claim_deadline,
            )
            for action, key in self.keys.items()
        )


def prepare(package: FailedPackage, *, undo: bool = False) -> PendingLinks:
    """A key for each action while the package waits for its seller, or for the undo of
    what their standing instruction just decided; none otherwise."""
    if package.claim_deadline is None:
        return PendingLinks(package, {})
    if undo:
        return PendingLinks(package, {Action.UNDO: secrets.token_urlsafe(24)})
    if package.status != FailedPackage.Status.AWAITING_SELLER:
        return PendingLinks(package, {})
    actions = (Action.SEND_BACK, Action.LET_GO)
    return PendingLinks(package, {action: secrets.token_urlsafe(24) for action in actions})


def fill_links(body: str, language: str | None, *, html: bool = False) -> str:
    """The notice as it is sent: each mark becomes its link, in the notice's language."""

    def link_of(found: re.Match[str]) -> str:
        url = links.link(reverse("tickets:act"), language, t=token_for(found[1]))
        return escape(url) if html else url

    return MARK.sub(link_of, body)


def package_links(body: str, package_url: str) -> str:
    """The notice as the portal shows it to a signed-in seller: the package page instead."""
    return MARK.sub(package_url, body)


def find(token: str) -> ActionLink | None:
    """The link behind a token, with its package, seller and provider; None if none is."""
    if not token or len(token) > MAX_TOKEN_LENGTH:
        return None
    try:
        return ActionLink.objects.select_related("package__seller", "package__provider").get(
            digest=digest_of(token)
        )
    except ActionLink.DoesNotExist:
        return None


# Where the package is while each link can act: an undo, where the rule put it.
USABLE_IN: dict[str, set[FailedPackage.Status]] = {
    Action.SEND_BACK: {FailedPackage.Status.AWAITING_SELLER},
    Action.LET_GO: {FailedPackage.Status.AWAITING_SELLER},
    Action.UNDO: {FailedPackage.Status.CLAIMED, FailedPackage.Status.DESTRUCTION_PENDING},
}


def is_usable(link: ActionLink, now: datetime | None = None) -> bool:
    """Unused, not expired, and the package still in the state the notice was about (an
    undo's package may have moved on since: `services.undo_standing_instruction` checks)."""
    now = now or timezone.now()
    package = link.package
    return (
        link.used_at is None
        and now <= link.expires_at
        and package.status in USABLE_IN[link.action]
        and package.claim_deadline == link.expires_at
    )


def use(link: ActionLink, now: datetime) -> bool:
    """Mark the link used (compare-and-set): False if another click used it first."""
    rows = ActionLink.objects.filter(pk=link.pk, used_at__isnull=True).update(used_at=now)
    link.used_at = now
    return rows == 1
