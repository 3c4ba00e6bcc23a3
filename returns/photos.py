"""The destruction photo, for the package's seller, the provider's staff group and operators.

A separate module from the seller's pages: provider staff open it from the console.
"""

from pathlib import PurePosixPath

from django.http import FileResponse, Http404, HttpRequest
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext
from django.views.decorators.http import require_GET

from portal.tenancy import check_console_permission
from returns.models import FailedPackage, stored_photo_type


@require_GET
def destruction_photo(request: HttpRequest, public_id: str) -> FileResponse:
    package = get_object_or_404(FailedPackage.objects.for_user(request.user), public_id=public_id)
    check_console_permission(request.user, FailedPackage)
    photo = package.destruction_photo
    if not photo:
        raise Http404(gettext("This package has no destruction photo."))
    extension = PurePosixPath(photo.name).suffix
    content_type = stored_photo_type(photo.name)
    try:
        opened = photo.open("rb")
    except FileNotFoundError:
        raise Http404(gettext("The destruction photo is missing from storage.")) from None
    response = FileResponse(
        opened,
        # The type checked where it was stored (the name's extension records it).
        content_type=content_type,
        filename=f"destruction-{package.public_id}{extension}",
    )
    response["Cache-Control"] = "private, no-store"
    return response
