"""Which language a person reads: their own choice, else their seller's or provider's.

Every code that comes from outside (a request, a row saved before LANGUAGES
changed, a setting) goes through `supported`, so an unknown one means "no
choice" and the reader falls through to the next rule, and in the end to English.
"""

from typing import TYPE_CHECKING

from django.conf import settings
from django.utils.translation import get_supported_language_variant, to_locale

if TYPE_CHECKING:
    from portal.models import User
    from portal.tenancy import Viewer

# The query parameter email links carry, so a visitor not yet signed in reads the
# language the email was written in (portal.middleware.UserLanguageMiddleware).
LANGUAGE_PARAMETER = "lang"


def supported(code: str | None) -> str | None:
    """The LANGUAGES code for `code` (`zh-Hans` → `zh-hans`, `th-TH` → `th`), or None."""
    if not code:
        return None
    try:
        return get_supported_language_variant(code.lower())
    except LookupError:
        return None


def language_of(user: "User") -> str | None:
    """The user's own language, else their seller's, else their provider's; None if none.

    The seller and provider come with the user from the session's user load
    (portal.auth.UserBackend), so this reads no row.
    """
    if chosen := supported(user.language):
        return chosen
    tenant = user.seller if user.seller_id else user.provider if user.provider_id else None
    return supported(tenant.language) if tenant is not None else None


def recipient_language(code: str | None) -> str:
    """The language an email to someone whose language is `code` is written in."""
    return supported(code) or settings.LANGUAGE_CODE


def html_lang(code: str | None) -> str:
    """The BCP 47 tag for `<html lang>` and Content-Language: `zh-hans` → `zh-Hans`."""
    return to_locale(recipient_language(code)).replace("_", "-")


def choose_language(user: "Viewer", code: str) -> str | None:
    """Store a signed-in user's own choice (the switcher); the supported code, or None."""
    language = supported(code)
    if language and user.is_authenticated and user.language != language:
        user.language = language
        user.save(update_fields=["language"])
    return language
