"""Write, check and compile the catalogs in locale/<lang>/LC_MESSAGES/<domain>.po.

A catalog holds exactly the msgids extraction finds, sorted, without line
numbers (moving code churns nothing); a msgid whose text is unchanged keeps
its translation, one that is gone is dropped. `problems` is what `make test`
refuses, the way `makemigrations --check` refuses a missing migration.
"""

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from babel.messages.catalog import Catalog, Message
from babel.messages.mofile import write_mo
from babel.messages.plurals import get_plural
from babel.messages.pofile import read_po, write_po
from django.conf import settings
from django.utils.translation import to_locale

from portal.translations.extract import DOMAINS, template_catalog

PROJECT = "returns-portal"
# A fixed date for a new catalog's header: the header would otherwise change on every run.
EPOCH = datetime(2026, 1, 1, tzinfo=UTC)
# A printf-style placeholder as Python's % operator reads it (%% is a literal percent).
PLACEHOLDER = re.compile(
    r"%(?:\((?P<name>[^)]*)\))?[-#0 +]*(?:\*|\d+)?(?:\.(?:\*|\d+))?(?P<type>[a-zA-Z%])"
)


def translated_languages() -> list[str]:
    """Every language of settings.LANGUAGES except the source language, as locale names."""
    return [to_locale(code) for code, _name in settings.LANGUAGES if code != settings.LANGUAGE_CODE]


def catalog_path(root: Path, locale: str, domain: str) -> Path:
    return root / "locale" / locale / "LC_MESSAGES" / f"{domain}.po"


def _forms(value: str | list[str] | tuple[str, ...] | None) -> tuple[str, ...]:
    """A message's id or string as its forms: one for a singular, one per plural form."""
    return tuple(value) if isinstance(value, list | tuple) else (value or "",)


def _key(message: Message) -> tuple[str, str | None]:
    return (_forms(message.id)[0], message.context)


def _read(path: Path, locale: str) -> Catalog | None:
    if not path.exists():
        return None
    with path.open("rb") as fileobj:
        return read_po(fileobj, locale=locale, abort_invalid=True)


def _display(message: Message) -> str:
    context = f" (context {message.context!r})" if message.context else ""
    msgid = message.id[0] if isinstance(message.id, tuple) else message.id
    return f"{msgid!r}{context}"


# Writing -------------------------------------------------------------------------------


def updated_catalog(template: Catalog, existing: Catalog | None, locale: str) -> Catalog:
    """The catalog for `locale`: the template's msgids with the translations kept from `existing`.

    A msgid whose plural changed keeps its old translation marked fuzzy, so the
    translator sees it again and the check refuses it until they have.
    """
    catalog = Catalog(
        locale=locale,
        domain=template.domain,
        project=PROJECT,
        version=None,
        creation_date=existing.creation_date if existing else EPOCH,
        revision_date=existing.revision_date if existing else EPOCH,
        last_translator=existing.last_translator if existing else None,
        language_team=existing.language_team if existing else None,
        fuzzy=False,
    )
    for message in template:
        if not message.id:
            continue
        old = existing.get(*_key(message)) if existing else None
        blank = ("",) * catalog.num_plurals if message.pluralizable else ""
        string: str | list[str] | tuple[str, ...] | None = blank
        flags = set()
        if old is not None and old.pluralizable == message.pluralizable:
            string = old.string
            flags = {"fuzzy"} if old.fuzzy or old.id != message.id else set()
        catalog.add(
            message.id,
            string=string,
            auto_comments=message.auto_comments,
            user_comments=old.user_comments if old is not None else (),
            flags=flags,
            context=message.context,
        )
    return catalog


def write_catalog(path: Path, catalog: Catalog) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("wb") as fileobj:
        write_po(
            fileobj,
            catalog,
            width=0,
            no_location=True,
            omit_header=False,
            sort_output=True,
            ignore_obsolete=True,
            include_previous=False,
        )


def update_catalogs(root: Path) -> list[Path]:
    """Extract the msgids and bring every language's catalogs up to date; the paths written."""
    written = []
    for domain in DOMAINS:
        template = template_catalog(root, domain)
        for locale in translated_languages():
            path = catalog_path(root, locale, domain)
            write_catalog(path, updated_catalog(template, _read(path, locale), locale))
            written.append(path)
    return written


# Checking ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Problem:
    path: str
    text: str

    def __str__(self) -> str:
        return f"{self.path}: {self.text}"


def _placeholders(text: str) -> list[tuple[str | None, str]]:
    return [(m["name"], m["type"]) for m in PLACEHOLDER.finditer(text) if m["type"] != "%"]


def _shown(placeholders: Iterable[tuple[str | None, str]]) -> str:
    shown = (f"%({name}){kind}" if name else f"%{kind}" for name, kind in placeholders)
    return ", ".join(sorted(shown))


def format_mismatch(message: Message) -> str | None:
    """Why the translation of a python-format msgid would break the % operator, or None."""
    if not message.python_format:
        return None
    sources = _forms(message.id)
    strings = _forms(message.string)
    wanted = {p for source in sources for p in _placeholders(source)}
    named = any(name is not None for name, _type in wanted)
    for string in strings:
        found = _placeholders(string)
        if named:
            if unknown := set(found) - wanted:
                return f"the translation has placeholders the msgid does not: {_shown(unknown)}"
        elif found != _placeholders(sources[-1]) and found != _placeholders(sources[0]):
            return "the translation's %s/%d placeholders differ from the msgid's"
    # The last form serves the counts the plural msgid serves: it needs all its names.
    missing = set(_placeholders(sources[-1])) - set(_placeholders(strings[-1])) if named else None
    if missing:
        return f"the translation leaves out {_shown(missing)}"
    return None


def _catalog_problems(
    relative: str, template: Catalog, catalog: Catalog, locale: str
) -> Iterator[Problem]:
    expected = get_plural(locale).plural_forms
    if catalog.plural_forms != expected:
        yield Problem(relative, f"Plural-Forms is {catalog.plural_forms!r}, expected {expected!r}")
    wanted = {_key(m): m for m in template if m.id}
    present = {_key(m): m for m in catalog if m.id}
    for key in sorted(wanted.keys() - present.keys(), key=str):
        where = ", ".join(sorted({path for path, _line in wanted[key].locations}))
        yield Problem(relative, f"missing msgid {_display(wanted[key])} (found in {where})")
    for key in sorted(present.keys() - wanted.keys(), key=str):
        yield Problem(relative, f"obsolete msgid {_display(present[key])}")
    for message in catalog.obsolete.values():
        yield Problem(relative, f"obsolete msgid {_display(message)}")
    for key in sorted(present.keys() & wanted.keys(), key=str):
        message = present[key]
        if message.id != wanted[key].id:
            yield Problem(relative, f"msgid {_display(message)} has a changed plural")
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        if not all(strings):
            yield Problem(relative, f"empty translation of {_display(message)}")
        elif message.fuzzy:
            yield Problem(relative, f"fuzzy translation of {_display(message)}")
        elif mismatch := format_mismatch(message):
            yield Problem(relative, f"{_display(message)}: {mismatch}")


def problems(root: Path) -> list[Problem]:
    """Everything that would ship an untranslated or broken string, in every language."""
    found = []
    for domain in DOMAINS:
        template = template_catalog(root, domain)
        for locale in translated_languages():
            path = catalog_path(root, locale, domain)
            relative = str(path.relative_to(root))
            catalog = _read(path, locale)
            if catalog is None:
                found.append(Problem(relative, "the catalog is missing"))
            else:
                found.extend(_catalog_problems(relative, template, catalog, locale))
    return found


# Compiling -----------------------------------------------------------------------------


def po_files(root: Path) -> Iterable[Path]:
    return sorted((root / "locale").glob("*/LC_MESSAGES/*.po"))


def compile_catalogs(root: Path) -> list[Path]:
    """Write a .mo beside every .po (fuzzy entries left out, as msgfmt does); the .mo paths."""
    written = []
    for po in po_files(root):
        locale = po.parent.parent.name
        catalog = _read(po, locale)
        assert catalog is not None, po  # po_files lists only files that exist
        mo = po.with_suffix(".mo")
        with mo.open("wb") as fileobj:
            write_mo(fileobj, catalog, use_fuzzy=False)
        written.append(mo)
    return written
