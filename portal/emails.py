"""The one place emails are rendered: subject, text and HTML from templates/emails/<kind>/."""

from dataclasses import dataclass

from django.conf import settings
from django.template import engines
from django.template.loader import render_to_string


@dataclass(frozen=True)
class RenderedEmail:
    subject: str
    text: str
    html: str


def absolute_url(path: str) -> str:
    """Links in emails are absolute and start at the portal's public address."""
    return settings.SITE_URL + path


def render_email(kind: str, context: dict) -> RenderedEmail:
    context = {"site_url": settings.SITE_URL, **context}
    # Subject and text part go through the template engine without HTML escaping.
    text_engine = engines["text"]
    subject = text_engine.get_template(f"emails/{kind}/subject.txt").render(context)
    return RenderedEmail(
        subject=" ".join(subject.split()),
        text=text_engine.get_template(f"emails/{kind}/body.txt").render(context).strip() + "\n",
        html=render_to_string(f"emails/{kind}/body.html", context),
    )
