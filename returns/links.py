"""Absolute links that emails carry. The paths are the URL contract of DESIGN.md §8."""

from django.utils.http import urlencode

from portal.emails import absolute_url
from returns.models import FailedPackage


def package_url(package: FailedPackage) -> str:
    return absolute_url(f"/packages/{package.public_id}/")


def certificate_url(package: FailedPackage) -> str:
    return absolute_url(f"/packages/{package.public_id}/certificate/")


def new_ticket_url(package: FailedPackage) -> str:
    return absolute_url("/tickets/new/?" + urlencode({"package": package.public_id}))


def ticket_url(reference: str) -> str:
    return absolute_url(f"/tickets/{reference}/")


def admin_package_url(package: FailedPackage) -> str:
    return absolute_url(f"/admin/returns/failedpackage/{package.pk}/change/")
