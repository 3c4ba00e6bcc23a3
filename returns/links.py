"""Absolute links that emails carry: the portal's URLs, which emails already sent still hold.

Each link carries the language its email is written in (`?lang=th`), so a
recipient who is not signed in yet reads the sign-in page, and what follows,
in that language (portal.middleware.UserLanguageMiddleware).
"""

from django.urls import reverse
from django.utils.http import urlencode

from portal.emails import absolute_url
from portal.languages import LANGUAGE_PARAMETER, recipient_language
from returns.models import FailedPackage


def link(path: str, language: str | None, **query: str) -> str:
    """The absolute URL of `path` that opens in `language` for a visitor not signed in."""
    return absolute_url(
        path + "?" + urlencode({**query, LANGUAGE_PARAMETER: recipient_language(language)})
    )


def package_url(package: FailedPackage, *, language: str | None) -> str:
    return link(reverse("returns:package_detail", args=[package.public_id]), language)


def certificate_url(package: FailedPackage, *, language: str | None) -> str:
    return link(reverse("returns:certificate", args=[package.public_id]), language)


def new_ticket_url(package: FailedPackage, *, language: str | None) -> str:
    # Named by string: the ticket pages sit in `tickets`, above this app.
    return link(reverse("tickets:new"), language, package=str(package.public_id))


def ticket_url(reference: str, *, language: str | None) -> str:
    return link(reverse("tickets:detail", args=[reference]), language)


def admin_package_url(package: FailedPackage, *, language: str | None) -> str:
    # The provider console is the Django admin: this is its change page for the package.
    return link(f"/admin/returns/failedpackage/{package.pk}/change/", language)
