import logging

from django.conf import settings
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_not_required
from django.db import DatabaseError, connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils import translation
from django.views import i18n as i18n_views
from django.views.decorators.cache import cache_control, never_cache
from django.views.decorators.http import require_GET, require_POST
from django_q.brokers import get_broker

from portal.forms import RecipientLanguagePasswordResetForm
from portal.languages import choose_language, recipient_language

logger = logging.getLogger(__name__)


@login_not_required
@require_GET
@never_cache
def healthz(request: HttpRequest) -> JsonResponse:
    """Database reachability and the job queue backlog, for load balancers and monitors."""
    try:
        connection.ensure_connection()
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
    except DatabaseError:
        # The answer is public: the detail (hosts, users) goes to the log only.
        logger.exception("Health check: the database is unreachable")
        return JsonResponse({"status": "error", "database": "unreachable"}, status=503)

    try:
        backlog = get_broker().queue_size()
    except Exception:  # any broker failure is reported, not raised
        logger.exception("Health check: the job queue cannot be read")
        queue = {"status": "error"}
    else:
        queue = {"status": "ok", "backlog": backlog}
    return JsonResponse({"status": "ok", "database": "ok", "queue": queue})


class PasswordResetView(auth_views.PasswordResetView):
    form_class = RecipientLanguagePasswordResetForm
    email_template_name = "registration/password_reset_email.txt"
    html_email_template_name = "registration/password_reset_email.html"

    @property
    def extra_email_context(self) -> dict:
        # Links in emails point at the public address, whatever host served the form.
        return {"site_url": settings.SITE_URL}


# --- languages --------------------------------------------------------------------------


@login_not_required
@require_POST
def set_language(request: HttpRequest) -> HttpResponse:
    """The language switcher: the cookie for everyone, the user's own choice when signed in."""
    choose_language(request.user, request.POST.get("language", ""))
    return i18n_views.set_language(request)


@login_not_required
@require_GET
@cache_control(max_age=60 * 60)
def javascript_catalog(request: HttpRequest, language: str) -> HttpResponse:
    """static/js's translations (the djangojs catalog) for `language`, as a script of our own.

    The language is in the URL, not read from the visitor, so a cached copy is right for anyone.
    """
    with translation.override(recipient_language(language)):
        return i18n_views.JavaScriptCatalog.as_view(domain="djangojs")(request)
