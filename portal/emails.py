"""The one place emails are rendered: subject, text and HTML from templates/emails/<kind>/.

An email is written in its recipient's language, never the language of
whoever caused it: a Thai seller's notice is Thai though an English-reading
agent pressed the button, and a notice rendered by a job is Thai too.
"""

from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.template import engines
from django.template.loader import render_to_string
from django.utils import translation

from portal.languages import html_lang, recipient_language

# What the outbox's subject column holds (returns.Notification.subject). A subject quotes
# what people typed (a ticket's subject, a shop's name), so it is fitted here, never
# refused: a claim must not fail because of the email it sends.
SUBJECT_MAX_LENGTH = 250


@dataclass(frozen=True)
class RenderedEmail:
    subject: str
    text: str
    html: str
    language: str  # a LANGUAGES code, e.g. "zh-hans"


def absolute_url(path: str) -> str:
    """Links in emails are absolute and start at the portal's public address."""
    return f"{settings.SITE_URL}{path}"


def fit_subject(subject: str, limit: int = SUBJECT_MAX_LENGTH) -> str:
    """The subject on one line, cut to `limit` with an ellipsis, at a word if there is one."""
    subject = " ".join(subject.split())
    if len(subject) <= limit:
        return subject
    cut = subject[: limit - 1]
    # Back to the last space, unless that throws away more than half of what fits.
    space = cut.rfind(" ")
    if space > limit // 2:
        cut = cut[:space]
    return cut.rstrip() + "…"


def render_email(kind: str, context: dict[str, Any], *, language: str | None) -> RenderedEmail:
    """Render `kind` in `language`: the recipient's (an unknown or empty one gives English)."""
    language = recipient_language(language)
    context = {"site_url": settings.SITE_URL, "html_lang": html_lang(language), **context}
    with translation.override(language):
        # Subject and text part go through the template engine without HTML escaping.
        text_engine = engines["text"]
        subject = text_engine.get_template(f"emails/{kind}/subject.txt").render(context)
        return RenderedEmail(
            subject=fit_subject(subject),
            text=text_engine.get_template(f"emails/{kind}/body.txt").render(context).strip() + "\n",
            html=render_to_string(f"emails/{kind}/body.html", context),
            language=language,
        )


def email_headers(language: str | None) -> dict[str, str]:
    """The headers every email carries for its language (`Content-Language: zh-Hans`)."""
    return {"Content-Language": html_lang(language)}
