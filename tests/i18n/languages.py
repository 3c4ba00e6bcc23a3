"""What the cross-language tests share: the catalogs, the visible text, the data to except."""

import re
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path

import pytest
from babel.messages.pofile import read_po
from django.conf import settings
from django.utils.translation import to_locale

from portal.models import (
    LogisticsProvider,
    NotificationAddress,
    ReturnAddress,
    Seller,
    SettingsChange,
    User,
)
from returns.models import DeliveryAttempt, FailedPackage
from tickets.models import Ticket, TicketMessage

TRANSLATED = [code for code, _name in settings.LANGUAGES if code != settings.LANGUAGE_CODE]
# Shorter msgids ("OK", "ID", "No") are the same word in many languages or hide in data.
SHORTEST_CHECKED = 3
PLACEHOLDER = re.compile(r"%(?:\([^)]*\))?[-#0 +]*\d*(?:\.\d+)?[a-zA-Z%]")


def catalog_path(code: str, domain: str = "django") -> Path:
    return settings.BASE_DIR / "locale" / to_locale(code) / "LC_MESSAGES" / f"{domain}.po"


def require_catalog(code: str) -> None:
    """Skip only when the catalog is absent; an incomplete one must fail the test."""
    path = catalog_path(code)
    mo = path.with_suffix(".mo")
    if not path.exists():
        pytest.skip(f"no {path.relative_to(settings.BASE_DIR)} yet: run manage.py i18n_extract")
    if not mo.exists() or mo.stat().st_mtime < path.stat().st_mtime:
        pytest.fail(f"{mo.relative_to(settings.BASE_DIR)} is missing or stale: run i18n_compile")


@dataclass(frozen=True)
class EnglishText:
    """An English phrase from a msgid that must not show through in `language`."""

    phrase: str
    msgid: str


def english_phrases(code: str) -> list[EnglishText]:
    """The English a page or email in `code` must not show: each msgid's fixed wording.

    A msgid with placeholders is split at them, and each piece of two words or more
    is checked. A msgid whose translation is the same text is left out (a brand,
    "OK"): it is identical by design, not untranslated.
    """
    with catalog_path(code).open("rb") as fileobj:
        catalog = read_po(fileobj, locale=to_locale(code))
    phrases = []
    for message in catalog:
        if not message.id:
            continue
        ids = message.id if isinstance(message.id, tuple) else (message.id,)
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        for msgid in ids:
            if msgid in strings:
                continue
            pieces = [p.strip(" .,:;()—-") for p in PLACEHOLDER.split(msgid.replace("%%", "%"))]
            if len(pieces) == 1:
                checked = [pieces[0]] if len(pieces[0]) >= SHORTEST_CHECKED else []
            else:
                checked = [p for p in pieces if len(p.split()) >= 2]
            phrases.extend(EnglishText(piece, msgid) for piece in checked)
    return phrases


class _Visible(HTMLParser):
    """Text a reader sees or hears: text nodes and the labelling attributes, not scripts."""

    SPOKEN = ("title", "alt", "placeholder", "aria-label")

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.parts, self._hidden = [], 0

    def handle_starttag(self, tag, attrs):
        if tag in {"script", "style", "template"}:
            self._hidden += 1
        values = dict(attrs)
        self.parts.extend(values[name] or "" for name in self.SPOKEN if name in values)
        if tag == "input" and values.get("type") in {"submit", "button"}:
            self.parts.append(values.get("value") or "")

    def handle_endtag(self, tag):
        if tag in {"script", "style", "template"} and self._hidden:
            self._hidden -= 1

    def handle_data(self, data):
        if not self._hidden:
            self.parts.append(data)


def visible_text(html: str) -> str:
    parser = _Visible()
    parser.feed(html)
    return " ".join(" ".join(parser.parts).split())


def data_strings() -> list[str]:
    """What people and systems typed (shop names, addresses, tracking numbers, messages)."""
    values = set()
    models = (Seller, LogisticsProvider, User, FailedPackage, DeliveryAttempt, Ticket)
    for model in (*models, ReturnAddress, NotificationAddress, SettingsChange):
        for row in model.objects.all():
            for field in row._meta.concrete_fields:
                value = getattr(row, field.attname)
                if isinstance(value, str) and len(value) >= SHORTEST_CHECKED:
                    values.add(value)
    values.update(TicketMessage.objects.values_list("body", flat=True))
    # A settings change shows the values before and after (an old shop name among them).
    for changes in SettingsChange.objects.values_list("changes", flat=True):
        for before_after in (changes or {}).values():
            values.update(
                v for v in before_after if isinstance(v, str) and len(v) >= SHORTEST_CHECKED
            )
    values.update(User.objects.values_list("email", flat=True))
    return sorted(values, key=len, reverse=True)


def english_left(text: str, phrases: list[EnglishText], data: list[str]) -> list[str]:
    """The msgids whose English shows in `text` once the data is taken out."""
    # Links are addresses, not words (a text part spells out /tickets/new/?package=…).
    text = re.sub(r"https?://\S+", " ", text)
    for value in data:
        text = text.replace(" ".join(value.split()), " ")
    found = set()
    for item in phrases:
        needle = " ".join(item.phrase.split())
        # The plain substring test first: a regex per phrase for every page (thousands of
        # phrases, more than re's cache holds) made these tests most of the suite's time.
        if needle in text and re.search(rf"(?<!\w){re.escape(needle)}(?!\w)", text):
            found.add(item.msgid)
    return sorted(found)
