"""The certificate as a PDF (the seller and the provider's staff) and its public check.

A separate module from the seller's pages: staff open the PDF from the console,
and /verify/<code>/ needs no sign-in at all.
"""

from datetime import timedelta

from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils.translation import gettext
from django.views.decorators.http import require_GET

from portal import throttle
from portal.clients import client_address
from portal.tenancy import check_console_permission
from returns import certificate_pdf, certificates
from returns.models import FailedPackage


@require_GET
def certificate_pdf_view(request: HttpRequest, public_id: str) -> HttpResponse:
    package = get_object_or_404(
        FailedPackage.objects.for_user(request.user).select_related(
            "provider", "seller", "destruction_batch"
        ),
        public_id=public_id,
    )
    check_console_permission(request.user, FailedPackage)
    if package.status != FailedPackage.Status.DESTROYED:
        raise Http404(gettext("This package has not been destroyed, so it has no certificate."))
    response = HttpResponse(certificate_pdf.render(package), content_type="application/pdf")
    filename = f"destruction-certificate-{package.public_id}.pdf"
    response["Content-Disposition"] = f'inline; filename="{filename}"'
    response["Cache-Control"] = "private, no-store"
    return response


@login_not_required
@require_GET
def verify(request: HttpRequest, code: str) -> HttpResponse:
    """Confirm a certificate by its code: the provider's act only, never the seller's goods.

    Every look-up counts against the client's address (portal.throttle), found or
    not, so that codes cannot be tried by the thousand.
    """
    window = timedelta(minutes=settings.CERTIFICATE_VERIFY_WINDOW_MINUTES)
    allowed = throttle.take(
        f"verify-address:{client_address(request)}",
        limit=settings.CERTIFICATE_VERIFY_LIMIT,
        window=window,
    )
    if not allowed:
        response = render(
            request,
            "returns/verify.html",
            {"limited": True, "minutes": settings.CERTIFICATE_VERIFY_WINDOW_MINUTES},
            status=429,
        )
    else:
        found = certificates.attested(code)
        response = render(
            request,
            "returns/verify.html",
            {"certificate": found, "code": certificates.normalized(code) or code[:20]},
            status=200 if found else 404,
        )
    response["Cache-Control"] = "no-store"
    response["X-Robots-Tag"] = "noindex"
    return response
