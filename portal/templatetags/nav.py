"""The nav and the language switcher's options, written once per kind of page.

Every page of the portal shows them, and their markup depends on nothing of the
reader's own but the language, the page's name and three yes-or-no facts about
the user (`portal_nav`'s key): each is rendered once per key and kept, and the
one figure of the reader's own (the unread count) goes in per request.
"""

from functools import lru_cache
from types import SimpleNamespace
from typing import Any

from django import template
from django.conf import settings
from django.core.signals import setting_changed
from django.dispatch import receiver
from django.template import Context
from django.template.loader import get_template
from django.urls import get_script_prefix, get_urlconf
from django.utils.html import escape
from django.utils.safestring import SafeString
from django.utils.translation import get_language, gettext

from portal import languages

register = template.Library()

# Where the unread badge goes in the nav rendered for the cache (never a reader's text).
UNREAD_MARK = "\x00unread\x00"


@lru_cache(maxsize=1024)
def _nav(
    language: str | None,
    url_name: str | None,
    namespace: str | None,
    matched: bool,
    seller: bool,
    owner: bool,
    staff: bool,
    _urls: tuple[str | None, str],
) -> str:
    # Stand-ins holding the key alone: nothing else of the request can reach the cache.
    here = SimpleNamespace(url_name=url_name, namespace=namespace) if matched else None
    return get_template("portal/_nav.html").render(
        {
            "request": SimpleNamespace(resolver_match=here),
            "user": SimpleNamespace(is_seller_owner=owner, is_staff=staff),
            "current_seller": seller,
            "unread_badge": SafeString(UNREAD_MARK),
        }
    )


@register.simple_tag(takes_context=True)
def portal_nav(context: Context) -> SafeString:
    """`{% portal_nav %}`: templates/portal/_nav.html for this page, its unread count in."""
    here = context["request"].resolver_match
    user = context["user"]
    seller = bool(context.get("current_seller"))
    nav = _nav(
        get_language(),
        getattr(here, "url_name", None),
        getattr(here, "namespace", None),
        here is not None,
        seller,
        bool(user.is_seller_owner),
        bool(user.is_staff),
        (get_urlconf(), get_script_prefix()),
    )
    badge = ""
    # Only a seller's nav has the notices link; returns.context_processors.unread_notices
    # counts them here, once it is shown.
    if UNREAD_MARK in nav:
        count = context["unread_notices"]()
        if count:
            badge = get_template("portal/_unread_badge.html").render(
                {"unread": count, "cap": context["unread_cap"]}
            )
    return SafeString(nav.replace(UNREAD_MARK, badge))


@lru_cache(maxsize=64)
def _language_options(current: str | None, codes: tuple[tuple[str, str], ...]) -> str:
    # The names as {% get_available_languages %} gives them: through the catalog.
    available = [(code, gettext(name)) for code, name in codes]
    return "".join(
        f'\n    <option value="{escape(code)}" lang="{escape(languages.html_lang(code))}"'
        f"{' selected' if code == current else ''}>{escape(name)}</option>\n    "
        for code, name in available
    )


@register.simple_tag
def language_options() -> SafeString:
    """`{% language_options %}`: the switcher's options, the current language selected."""
    return SafeString(
        _language_options(
            get_language(), tuple((code, str(name)) for code, name in settings.LANGUAGES)
        )
    )


@receiver(setting_changed)
def _forget(**_signal: Any) -> None:
    """A test's settings (languages, catalogs, templates) make other markup."""
    _nav.cache_clear()
    _language_options.cache_clear()
