import logging

from django.conf import settings
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_not_required
from django.db import DatabaseError, connection
from django.http import HttpRequest, JsonResponse
from django.utils.module_loading import import_string
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET
from django_q.brokers import get_broker

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
    email_template_name = "registration/password_reset_email.txt"
    html_email_template_name = "registration/password_reset_email.html"

    @property
    def extra_email_context(self) -> dict:
        # Links in emails point at the public address, whatever host served the form.
        return {"site_url": settings.SITE_URL}
