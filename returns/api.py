"""The intake API (DESIGN.md §10): carrier systems register packages and delivery events."""

import json
from typing import Any

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils.translation import gettext
from ninja import NinjaAPI
from ninja.errors import HttpError, ValidationError
from ninja.security import HttpBearer

from portal.errors import DomainError
from portal.models import LogisticsProvider
from returns import intake, tokens
from returns.models import ApiToken, FailedPackage
from returns.schemas import AnyEvent, EventAnswer, PackageOut, Problems, Refusal

DESCRIPTION = """
Logistics providers tell the returns portal about return packages: registered,
a failed delivery attempt, delivered, rejected by the seller.

**Authentication.** Every request carries `Authorization: Bearer <token>`. A
token belongs to one provider; operators create and revoke tokens in the admin
or with `manage.py create_api_token <provider-code>`. A provider only ever sees
its own packages: any other tracking number is unknown to it.

**Answers.**

| status | meaning | body |
|---|---|---|
| 200, 201 | applied (201: a package was registered) | status, public id, claim deadline |
| 400 | the body is not JSON | `{"detail": [{"field": "body", "message": …}]}` |
| 401 | missing, unknown or revoked token | `{"detail": "Unauthorized"}` |
| 404 | no such package at your provider, or no such route | `{"detail": …}` |
| 405 | the route takes another method (see `Allow`) | `{"detail": …}` |
| 409 | the portal refused the change because of what it already holds, e.g. \
the tracking number is already registered | `{"detail": …}`, a sentence for a person |
| 422 | a value is wrong: missing or malformed field, unknown seller shop code, \
unknown tracking number, a time in the future, more than a year ago or before the \
package's previous attempt, an event for a package no \
longer in delivery, a note over 1,000 characters | `{"detail": [{"field": …, "message": …}]}` |
| 413 | the body is over 64 KB (no event comes near) | \
`{"detail": [{"field": "body", "message": …}]}` |

**Idempotency.** Every event carries your own `event_id`. Sending an event id
again — a retry after a timeout, say — returns exactly the first answer and
changes nothing. Only applied events are remembered: after a 4xx nothing was
written, and the corrected event may be sent again under the same id.
"""


class ProviderToken(HttpBearer):
    def authenticate(self, request: HttpRequest, token: str) -> ApiToken | None:
        return tokens.authenticate_token(token)


def _provider(request: HttpRequest) -> LogisticsProvider:
    """The provider whose bearer token authenticated the request (ninja sets `auth`)."""
    token: ApiToken = request.auth  # type: ignore[attr-defined]
    return token.provider


api = NinjaAPI(
    title="Returns portal intake API",
    version="1",
    description=DESCRIPTION,
    auth=ProviderToken(),
    urls_namespace="api-v1",
)


def _problems(status: int, field: str, message: str) -> JsonResponse:
    return JsonResponse({"detail": [{"field": field, "message": message}]}, status=status)


def _field_of(error: dict[str, Any]) -> str:
    if error["type"] in {"union_tag_not_found", "union_tag_invalid"}:
        return "type"
    # ("body", "event", "return_registered", "shop_code") → "shop_code"
    path = [str(part) for part in error["loc"][2:] if part not in intake.APPLY]
    return ".".join(path) or "body"


@api.exception_handler(ValidationError)
def _invalid_shape(request: HttpRequest, exc: ValidationError) -> JsonResponse:
    problems = [{"field": _field_of(error), "message": error["msg"]} for error in exc.errors]
    return JsonResponse({"detail": problems}, status=422)


@api.exception_handler(HttpError)
def _http_error(request: HttpRequest, exc: HttpError) -> JsonResponse:
    if isinstance(exc.__cause__, json.JSONDecodeError):
        return _problems(
            400,
            "body",
            # Translators: error is the JSON parser's own English explanation.
            gettext("The body is not valid JSON: %(error)s.") % {"error": exc.__cause__},
        )
    response = JsonResponse({"detail": exc.message}, status=exc.status_code)
    if exc.status_code == 401:
        response["WWW-Authenticate"] = "Bearer"
    return response


@api.exception_handler(intake.IntakeRejected)
def _rejected(request: HttpRequest, exc: intake.IntakeRejected) -> JsonResponse:
    return _problems(422, exc.field, exc.message)


@api.exception_handler(DomainError)
def _refused(request: HttpRequest, exc: DomainError) -> JsonResponse:
    return JsonResponse({"detail": exc.message}, status=409)


@api.post(
    "/events",
    response={
        (200, 201): EventAnswer,
        400: Problems,
        401: Refusal,
        409: Refusal,
        413: Problems,
        422: Problems,
    },
    summary="Report a package event",
    description=(
        "One of `return_registered`, `delivery_attempt_failed`, `delivered_to_seller`, "
        "`seller_rejected`, chosen by `type`. The third failed attempt fails the package: "
        "it waits for the seller until `claim_deadline`, and the seller is sent a "
        "destruction notice. Answers 201 for a registration, 200 otherwise; a replayed "
        "`event_id` answers exactly what it was answered the first time."
    ),
)
def post_event(request: HttpRequest, event: AnyEvent) -> HttpResponse:
    answer = intake.apply_event(provider=_provider(request), event=event)
    # Sorted keys: the stored answer comes back from the database in its own key order,
    # and a replay must read byte for byte like the first answer.
    return JsonResponse(
        answer.body, status=answer.status_code, json_dumps_params={"sort_keys": True}
    )


@api.get(
    "/packages/{tracking_number}",
    response={200: PackageOut, 401: Refusal, 404: Refusal},
    summary="Read a package",
    description="Status, reason, claim deadline and delivery attempts of one of your packages.",
)
def get_package(request: HttpRequest, tracking_number: str) -> FailedPackage:
    provider = _provider(request)
    packages = intake.packages_of(provider).select_related("seller").prefetch_related("attempts")
    # A NUL in the path, which PostgreSQL refuses even in a lookup, never reaches here
    # (portal.middleware.NulIsNotFound).
    package = packages.filter(tracking_number=tracking_number).first()
    if package is None:
        raise HttpError(
            404,
            gettext("No package with tracking number %(tracking)s at %(provider)s.")
            % {"tracking": tracking_number, "provider": provider.name},
        )
    return package
