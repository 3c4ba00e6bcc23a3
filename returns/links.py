"""Absolute links that emails carry. The paths are the URL contract of DESIGN.md §8."""

from django.urls import reverse
from django.utils.http import urlencode

from portal.emails import absolute_url
from returns.models import FailedPackage


def package_url(package: FailedPackage) -> str:
    return absolute_url(reverse("returns:package_detail", args=[package.public_id]))


def certificate_url(package: FailedPackage) -> str:
    return absolute_url(reverse("returns:certificate", args=[package.public_id]))


def new_ticket_url(package: FailedPackage) -> str:
    # Named by string: the ticket pages sit in `tickets`, above this app.
    return absolute_url(reverse("tickets:new") + "?" + urlencode({"package": package.public_id}))


def ticket_url(reference: str) -> str:
    return absolute_url(reverse("tickets:detail", args=[reference]))


def admin_package_url(package: FailedPackage) -> str:
    # The provider console registers packages in its own change; until then this is the
    # Django admin's standard change page for the model.
    return absolute_url(f"/admin/returns/failedpackage/{package.pk}/change/")
