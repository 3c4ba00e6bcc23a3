"""The intake API answers in JSON, whatever part of the stack answers."""

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils.translation import gettext

API_PREFIX = "/api/"
# The largest event, every text at its limit, is under 10 KB.
API_MAX_BODY_BYTES = 64 * 1024


class ApiAnswersJson:
    """Every 4xx under /api/ is JSON, in the API's own shapes (returns/api.py).

    Django answers some of them before the API is reached, in HTML: an unknown route
    (the URL resolver's 404), a body over DATA_UPLOAD_MAX_MEMORY_SIZE (a 400). An
    oversized body is refused here from its Content-Length, before it is read.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if not request.path_info.startswith(API_PREFIX):
            return self.get_response(request)
        limit = min(API_MAX_BODY_BYTES, settings.DATA_UPLOAD_MAX_MEMORY_SIZE)
        try:
            length = int(request.headers.get("content-length") or 0)
        except ValueError:
            length = 0  # Django reads no body then
        if length > limit:
            message = gettext(
                "The body is %(size)s bytes; the API takes at most %(limit)s bytes."
            ) % {"size": length, "limit": limit}
            return JsonResponse({"detail": [{"field": "body", "message": message}]}, status=413)
        response = self.get_response(request)
        if 400 <= response.status_code < 500 and not response.get("Content-Type", "").startswith(
            "application/json"
        ):
            return _as_json(request, response)
        return response


def _as_json(request: HttpRequest, response: HttpResponse) -> JsonResponse:
    status = response.status_code
    if status == 404:
        detail = gettext("There is nothing at %(path)s.") % {"path": request.path}
    elif status == 405:
        detail = gettext("%(method)s is not allowed here; use %(allowed)s.") % {
            "method": request.method,
            "allowed": response.get("Allow", ""),
        }
    else:
        detail = response.reason_phrase
    answer = JsonResponse({"detail": detail}, status=status)
    if "Allow" in response:
        answer["Allow"] = response["Allow"]
    return answer
