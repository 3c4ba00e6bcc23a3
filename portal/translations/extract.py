"""Every msgid the portal marks for translation, found as Django's makemessages finds them.

Python files go through Babel's Python extractor with Django's gettext names;
templates are first turned into Python by Django's own `templatize` (so
`{% translate %}`, `{% blocktranslate trimmed count … context … %}` give the
very msgids Django looks up at run time); scripts go through Babel's
JavaScript extractor with the names Django's JavaScriptCatalog defines.
"""

import io
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.extract import extract
from django.utils.translation.template import templatize

# The apps whose Python and templates/ folders hold our strings.
APPS = ("portal", "returns", "tickets", "team")
TEMPLATE_DIRS = ("templates", *(f"{app}/templates" for app in APPS))
TEMPLATE_SUFFIXES = (".html", ".txt")
SCRIPT_DIRS = ("static/js",)
SKIPPED_DIRS = {"migrations", "__pycache__"}
COMMENT_TAGS = ("Translators",)

# Django's lazy and eager gettext names (django.utils.translation), as makemessages passes
# them to xgettext: a number is the argument holding a msgid, (n, "c") the context.
PYTHON_KEYWORDS = {
    "_": None,
    "gettext": None,
    "gettext_lazy": None,
    "gettext_noop": None,
    "ngettext": (1, 2),
    "ngettext_lazy": (1, 2),
    "pgettext": ((1, "c"), 2),
    "pgettext_lazy": ((1, "c"), 2),
    "npgettext": ((1, "c"), 2, 3),
    "npgettext_lazy": ((1, "c"), 2, 3),
}
# The functions django.views.i18n.JavaScriptCatalog puts on the page.
SCRIPT_KEYWORDS = {
    "gettext": None,
    "gettext_noop": None,
    "ngettext": (1, 2),
    "pgettext": ((1, "c"), 2),
    "npgettext": ((1, "c"), 2, 3),
}

DOMAINS = ("django", "djangojs")


@dataclass(frozen=True)
class Found:
    """One msgid (a tuple of singular and plural for plurals) with where it was found."""

    msgid: str | tuple[str, str]
    context: str | None
    path: str
    comments: tuple[str, ...] = field(default=())


def _files(root: Path, folders: tuple[str, ...], suffixes: tuple[str, ...]) -> Iterator[Path]:
    for folder in folders:
        base = root / folder
        if not base.is_dir():
            continue
        for path in sorted(base.rglob("*")):
            skipped = SKIPPED_DIRS & set(path.relative_to(root).parts)
            if path.suffix in suffixes and path.is_file() and not skipped:
                yield path


def _run(method: str, source: str, keywords: dict, path: str) -> Iterator[Found]:
    fileobj = io.BytesIO(source.encode("utf-8"))
    for _lineno, msgid, comments, context in extract(
        method,
        fileobj,
        keywords=keywords,
        comment_tags=COMMENT_TAGS,
        options={"encoding": "utf-8"},
        strip_comment_tags=False,
    ):
        if msgid:
            yield Found(msgid, context, path, tuple(comments))


def python_messages(root: Path) -> Iterator[Found]:
    for path in _files(root, APPS, (".py",)):
        relative = str(path.relative_to(root))
        yield from _run("python", path.read_text("utf-8"), PYTHON_KEYWORDS, relative)


def template_messages(root: Path) -> Iterator[Found]:
    for path in _files(root, TEMPLATE_DIRS, TEMPLATE_SUFFIXES):
        relative = str(path.relative_to(root))
        code = templatize(path.read_text("utf-8"), origin=relative)
        # templatize writes the calls with Python's u'' prefix and gettext names.
        yield from _run("python", code, PYTHON_KEYWORDS, relative)


def script_messages(root: Path) -> Iterator[Found]:
    for path in _files(root, SCRIPT_DIRS, (".js",)):
        relative = str(path.relative_to(root))
        yield from _run("javascript", path.read_text("utf-8"), SCRIPT_KEYWORDS, relative)


def messages(root: Path, domain: str) -> Iterator[Found]:
    if domain == "django":
        yield from python_messages(root)
        yield from template_messages(root)
    elif domain == "djangojs":
        yield from script_messages(root)
    else:
        raise ValueError(f"Unknown catalog domain {domain!r}; expected one of {DOMAINS}.")


def template_catalog(root: Path, domain: str) -> Catalog:
    """The msgids extraction finds today, as a catalog with no translations (a .pot)."""
    catalog = Catalog(domain=domain, fuzzy=False)
    for found in messages(root, domain):
        # Locations are kept in memory (for error messages), never written to the .po.
        catalog.add(
            found.msgid,
            string=("", "") if isinstance(found.msgid, tuple) else "",
            locations=[(found.path, None)],
            auto_comments=_comments(found.comments),
            context=found.context,
        )
    return catalog


def _comments(comments: tuple[str, ...]) -> list[str]:
    return [line.strip() for comment in comments for line in comment.splitlines() if line.strip()]
