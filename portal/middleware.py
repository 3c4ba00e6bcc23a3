from collections.abc import Callable
from typing import Any
from urllib.parse import unquote_plus

from django.conf import settings
from django.contrib.auth.middleware import LoginRequiredMiddleware as DjangoLoginRequired
from django.http import Http404, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.utils import timezone, translation
from django.utils.translation import gettext

from portal.languages import LANGUAGE_PARAMETER, language_of, supported


class LoginRequiredMiddleware(DjangoLoginRequired):
    """Every page needs a signed-in user, except those marked `login_not_required`.

    The intake API authenticates machines with bearer tokens, not sessions, so
    its whole prefix is left to the API's own authentication.
    """

    public_prefixes = ("/api/",)

    def process_view(
        self,
        request: HttpRequest,
        view_func: Callable[..., HttpResponseBase],
        view_args: tuple[Any, ...],
        view_kwargs: dict[str, Any],
    ) -> HttpResponseBase | None:
        if request.path_info.startswith(self.public_prefixes):
            return None
        return super().process_view(request, view_func, view_args, view_kwargs)


class UserLanguageMiddleware:
    """The language a request is answered in, and the zone provider staff work in.

    LocaleMiddleware, earlier, has already chosen from the language cookie and
    Accept-Language; this overrides it with what is known once the user is:
    1. A signed-in user reads their own language, else their seller's or provider's.
    2. An anonymous visitor arriving from an email link (`?lang=th`) reads that
       language, and keeps it: the cookie LocaleMiddleware reads is set.
    3. Provider staff see and enter times in their provider's zone; operators keep
       TIME_ZONE.
    An unknown code is no choice at all: the next rule decides, in the end English.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        user = request.user
        from_link = None
        if user.is_authenticated:
            language = language_of(user)
        else:
            language = from_link = supported(request.GET.get(LANGUAGE_PARAMETER))
        if language:
            translation.activate(language)
            request.LANGUAGE_CODE = language
        staff_of = user.provider if user.is_authenticated and user.is_staff else None
        zone = staff_of.zone if staff_of is not None else None
        if zone is None:
            response = self.get_response(request)
        else:
            with timezone.override(zone):
                response = self.get_response(request)
        if from_link:
            response.set_cookie(
                settings.LANGUAGE_COOKIE_NAME,
                from_link,
                max_age=settings.LANGUAGE_COOKIE_AGE,
                path=settings.LANGUAGE_COOKIE_PATH,
                domain=settings.LANGUAGE_COOKIE_DOMAIN,
                secure=settings.LANGUAGE_COOKIE_SECURE,
                httponly=settings.LANGUAGE_COOKIE_HTTPONLY,
                samesite=settings.LANGUAGE_COOKIE_SAMESITE,
            )
        return response


class NulIsNotFound:
    """A NUL character anywhere in the path or the query string answers 404.

    No id, search or filter value of ours holds one, and PostgreSQL refuses it even in a
    lookup: every view, filter and admin list that queried with it answered 500. One check
    here covers them all, the admin's own filters and lookups included.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        query = unquote_plus(request.META.get("QUERY_STRING", ""))
        if "\x00" in request.path_info or "\x00" in query:
            raise Http404(gettext("No page has a NUL character in its address."))
        return self.get_response(request)
