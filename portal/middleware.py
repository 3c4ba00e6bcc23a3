from django.contrib.auth.middleware import LoginRequiredMiddleware as DjangoLoginRequired


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
