import csv
import logging
from typing import Any, cast

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import update_session_auth_hash
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_not_required
from django.contrib.auth.forms import PasswordChangeForm, PasswordResetForm
from django.contrib.contenttypes import views as contenttype_views
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import DatabaseError, connection
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.shortcuts import redirect, render
from django.utils import translation
from django.utils.module_loading import import_string
from django.utils.translation import gettext
from django.views import i18n as i18n_views
from django.views.decorators.cache import cache_control, never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django_q.brokers import get_broker

from portal import services, throttle, week
from portal.forms import RecipientLanguagePasswordResetForm
from portal.languages import choose_language, recipient_language
from portal.tenancy import AuthenticatedRequest

logger = logging.getLogger(__name__)


@login_not_required
@require_GET
@never_cache
def healthz(request: HttpRequest) -> JsonResponse:
    """Database reachability, the job queue backlog and the apps' checks, for monitors."""
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
    answer = {"status": "ok", "database": "ok", "queue": queue}
    # The apps' own parts (settings.HEALTH_CHECKS): "degraded" is still a 200, since a
    # web node that serves pages should stay behind the load balancer.
    for path in settings.HEALTH_CHECKS:
        name, report = import_string(path)()
        answer[name] = report
        if report["status"] != "ok":
            answer["status"] = "degraded"
    return JsonResponse(answer)


class PasswordResetView(auth_views.PasswordResetView):
    form_class = RecipientLanguagePasswordResetForm
    email_template_name = "registration/password_reset_email.txt"
    html_email_template_name = "registration/password_reset_email.html"

    def form_valid(self, form: PasswordResetForm) -> HttpResponse:
        if throttle.may_send_password_reset(self.request, form.cleaned_data["email"]):
            return super().form_valid(form)
        logger.warning("Password reset not sent: over the limit for its address or email")
        # The page a sent email gets: it tells no one whether the email has an account,
        # nor that a limit was reached (the earlier links still work).
        return HttpResponseRedirect(self.get_success_url())

    # A property: SITE_URL is read per request (the tests change it).
    @property
    def extra_email_context(self) -> dict[str, Any]:  # type: ignore[override]
        # Links in emails point at the public address, whatever host served the form.
        return {"site_url": settings.SITE_URL}


def view_on_site(request: HttpRequest, content_type_id: int, object_id: str) -> HttpResponse:
    """The console's "view on site" shortcut, for rows the signed-in user may see.

    Django's own redirects any staff user to any object's page (a Location naming
    another provider's ticket) and answers 404 only for a missing id. Here a row
    outside `for_user`, a missing one, and a model with no tenant rule answer the
    same 404; operators follow it to any row, as before.
    """
    not_found = Http404(gettext("There is nothing to show at this address."))
    try:
        model = ContentType.objects.get_for_id(content_type_id).model_class()
    except ContentType.DoesNotExist:
        raise not_found from None
    if model is None:
        raise not_found
    if not request.user.is_superuser:
        manager = model._default_manager
        if not hasattr(manager, "for_user"):
            raise not_found
        try:
            visible = manager.for_user(request.user).filter(pk=object_id).exists()
        except (ValueError, ValidationError):
            visible = False
        if not visible:
            raise not_found
    return contenttype_views.shortcut(request, content_type_id, object_id)


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
        return cast(HttpResponse, i18n_views.JavaScriptCatalog.as_view(domain="djangojs")(request))


@require_GET
def week_csv(request: AuthenticatedRequest) -> HttpResponse:
    """The work list's last 30 days as CSV: a row a day, a column a series (portal.week).

    The numbers are the charts', scoped the same way; `?provider=<id>` narrows an
    operator's to one provider, and any other provider's id is a 404 for staff.
    """
    user = request.user
    window = week.window_for(week.provider_asked(user, request.GET.get("provider")))
    series = week.series_for(user, window)
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="last-30-days.csv"'
    writer = csv.writer(response)
    writer.writerow(["day", *(item.key for item in series)])
    for n, day in enumerate(window.days):
        writer.writerow(
            [day.isoformat(), *("" if s.values[n] is None else f"{s.values[n]:g}" for s in series)]
        )
    return response


# --- the signed-in user's own account ---------------------------------------------------


@require_http_methods(["GET", "POST"])
def account(request: AuthenticatedRequest) -> HttpResponse:
    """Any user's own account: change the password, which signs out their other sessions."""
    form = PasswordChangeForm(request.user, request.POST or None)
    if request.method == "POST" and form.is_valid():
        form.save()
        # A new password changes the session hash: every other session is now signed out.
        update_session_auth_hash(request, form.user)
        messages.success(
            request, gettext("Your password is changed. Your other sessions are signed out.")
        )
        return redirect("account")
    return render(request, "portal/account.html", {"form": form})


@require_POST
def sign_out_other_sessions(request: AuthenticatedRequest) -> HttpResponse:
    services.end_sessions(user=request.user)
    update_session_auth_hash(request, request.user)
    messages.success(request, gettext("You are signed out everywhere except here."))
    return redirect("account")
