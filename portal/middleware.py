from collections.abc import Callable
from urllib.parse import unquote_plus

from django.contrib.auth.middleware import LoginRequiredMiddleware as DjangoLoginRequired
from django.http import Http404, HttpRequest, HttpResponse
from django.utils.translation import gettext


class LoginRequiredMiddleware(DjangoLoginRequired):
    """Every page needs a signed-in user, except those marked `login_not_required`.

    The intake API authenticates machines with bearer tokens, not sessions, so
    its whole prefix is left to the API's own authentication.
    """

    public_prefixes = ("/api/",)

    def process_view(self, request, view_func, view_args, view_kwargs):
        if request.path_info.startswith(self.public_prefixes):
            return None
        return super().process_view(request, view_func, view_args, view_kwargs)


class NulIsNotFound:
    """A NUL character anywhere in the path or the query string answers 404.

    No id, search or filter value of ours holds one, and PostgreSQL refuses it even in a
    lookup: every view, filter and admin list that queried with it answered 500. One check
    here covers them all, the admin's own filters and lookups included.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        query = unquote_plus(request.META.get("QUERY_STRING", ""))
        if "\x00" in request.path_info or "\x00" in query:
            raise Http404(gettext("No page has a NUL character in its address."))
        return self.get_response(request)
