"""The catalog tooling (manage.py i18n_extract / i18n_check / i18n_compile) on a small project.

Each test builds a throwaway project in a temp folder (BASE_DIR points at it),
so the real catalogs are never touched.
"""

import textwrap
from pathlib import Path

import pytest
from babel.messages.pofile import read_po, write_po
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import translation

from portal.translations.catalogs import catalog_path

LOCALES = ["th", "id", "vi", "ms", "zh_Hans"]

SOURCES = {
    "portal/models.py": """
        from django.utils.translation import gettext_lazy as _, ngettext, pgettext_lazy

        LABEL = _("Shop name")
        # Translators: the ticket state, not the verb.
        STATE = pgettext_lazy("ticket status", "Open")

        def left(n):
            return ngettext("%(count)d day left", "%(count)d days left", n) % {"count": n}
    """,
    "returns/services.py": """
        from django.utils.translation import gettext, gettext_noop, npgettext

        KIND = gettext_noop("Destruction notice")

        def refuse(name):
            return gettext("Call %(provider)s to get it back.") % {"provider": name}

        def hours(n):
            return npgettext("deadline", "%(n)s hour", "%(n)s hours", n) % {"n": n}
    """,
    "returns/migrations/0001_initial.py": """
        from django.utils.translation import gettext as _
        IGNORED = _("Never extracted from a migration")
    """,
    "templates/page.html": """
        {% load i18n %}
        <h1>{% translate "Your packages" %}</h1>
        <a>{% translate "Open" context "verb" %}</a>
        {% blocktranslate trimmed with shop=seller.name %}
          Packages of
          {{ shop }}
        {% endblocktranslate %}
        {% blocktranslate trimmed count n=total %}
          {{ n }} package{% plural %}{{ n }} packages
        {% endblocktranslate %}
    """,
    "templates/emails/notice/subject.txt": """
        {% load i18n %}{% translate "Your package will be destroyed" %}
    """,
    "static/js/portal.js": """
        const a = gettext("Time is up");
        const b = ngettext("%(n)s minute", "%(n)s minutes", n);
    """,
    "static/vendor/lib.js": """
        gettext("A vendor string we never translate");
    """,
}

EXPECTED_DJANGO = [
    ("%(count)d day left", None),
    ("%(n)s hour", "deadline"),
    ("%(n)s package", None),
    ("Call %(provider)s to get it back.", None),
    ("Destruction notice", None),
    ("Open", "ticket status"),
    ("Open", "verb"),
    ("Packages of %(shop)s", None),
    ("Shop name", None),
    ("Your package will be destroyed", None),
    ("Your packages", None),
]


@pytest.fixture
def project(settings, tmp_path) -> Path:
    for relative, text in SOURCES.items():
        path = tmp_path / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text), "utf-8")
    settings.BASE_DIR = tmp_path
    settings.LOCALE_PATHS = [tmp_path / "locale"]
    return tmp_path


def _key(message) -> tuple[str, str | None]:
    return (message.id[0] if message.pluralizable else message.id, message.context)


def _catalog(project: Path, locale: str, domain: str = "django"):
    with catalog_path(project, locale, domain).open("rb") as fileobj:
        return read_po(fileobj, locale=locale)


def _save(project: Path, catalog, locale: str, domain: str = "django") -> None:
    with catalog_path(project, locale, domain).open("wb") as fileobj:
        write_po(fileobj, catalog, no_location=True, sort_output=True, width=0)


def _translate_all(project: Path, fill=lambda msgid: f"«{msgid}»") -> None:
    """Play the translator: every msgid of every catalog gets a translation."""
    for locale in LOCALES:
        for domain in ("django", "djangojs"):
            catalog = _catalog(project, locale, domain)
            for message in catalog:
                if not message.id:
                    continue
                ids = message.id if isinstance(message.id, tuple) else (message.id,)
                message.string = (
                    tuple(fill(ids[-1]) for _ in message.string)
                    if (message.pluralizable)
                    else fill(ids[0])
                )
            _save(project, catalog, locale, domain)


def _check_errors(capsys) -> str:
    with pytest.raises(CommandError):
        call_command("i18n_check")
    return capsys.readouterr().err


def test_extract_finds_every_marked_string_as_django_would(project):
    call_command("i18n_extract")

    catalog = _catalog(project, "th")
    assert sorted(_key(m) for m in catalog if m.id) == EXPECTED_DJANGO
    assert catalog.get("%(n)s package").id == ("%(n)s package", "%(n)s packages")
    assert catalog.get("Open", "ticket status").auto_comments == [
        "Translators: the ticket state, not the verb."
    ]
    scripts = _catalog(project, "th", "djangojs")
    assert sorted(_key(m) for m in scripts if m.id) == [
        ("%(n)s minute", None),
        ("Time is up", None),
    ]


def test_catalogs_have_language_plural_forms_and_no_line_numbers(project):
    call_command("i18n_extract")

    for locale in LOCALES:
        text = catalog_path(project, locale, "django").read_text("utf-8")
        assert f'"Language: {locale}\\n"' in text
        assert '"Plural-Forms: nplurals=1; plural=0;\\n"' in text
        assert "#:" not in text
        msgids = [line for line in text.splitlines() if line.startswith('msgid "')][1:]
        assert msgids == sorted(msgids)


def test_extract_keeps_translations_drops_gone_msgids_and_churns_nothing(project):
    call_command("i18n_extract")
    _translate_all(project)
    (project / "templates/page.html").write_text(
        '{% load i18n %}{% translate "Your packages" %}{% translate "A new heading" %}', "utf-8"
    )

    call_command("i18n_extract")
    first = catalog_path(project, "vi", "django").read_text("utf-8")
    call_command("i18n_extract")

    catalog = _catalog(project, "vi")
    assert catalog.get("Your packages").string == "«Your packages»"
    assert catalog.get("A new heading").string == ""
    assert catalog.get("Open", "verb") is None
    assert catalog_path(project, "vi", "django").read_text("utf-8") == first


def test_check_passes_when_everything_is_translated(project, capsys):
    call_command("i18n_extract")
    _translate_all(project)

    call_command("i18n_check")

    assert "Every catalog is complete" in capsys.readouterr().out


def test_check_fails_naming_a_msgid_extraction_would_add(project, capsys):
    call_command("i18n_extract")
    _translate_all(project)
    (project / "tickets").mkdir()
    (project / "tickets/forms.py").write_text(
        'from django.utils.translation import gettext_lazy as _\nX = _("Preferred date")\n', "utf-8"
    )

    errors = _check_errors(capsys)

    assert "locale/th/LC_MESSAGES/django.po: missing msgid 'Preferred date'" in errors
    assert "tickets/forms.py" in errors


def test_check_fails_on_an_obsolete_msgid(project, capsys):
    call_command("i18n_extract")
    _translate_all(project)
    (project / "static/js/portal.js").write_text('gettext("Time is up");\n', "utf-8")

    errors = _check_errors(capsys)

    assert "locale/ms/LC_MESSAGES/djangojs.po: obsolete msgid '%(n)s minute'" in errors


def test_check_fails_on_an_empty_translation(project, capsys):
    call_command("i18n_extract")
    _translate_all(project)
    catalog = _catalog(project, "id")
    catalog.get("Shop name").string = ""
    _save(project, catalog, "id")

    errors = _check_errors(capsys)

    assert "locale/id/LC_MESSAGES/django.po: empty translation of 'Shop name'" in errors
    assert errors.count("empty translation") == 1


def test_check_fails_on_a_fuzzy_translation(project, capsys):
    call_command("i18n_extract")
    _translate_all(project)
    catalog = _catalog(project, "zh_Hans")
    catalog.get("Open", "verb").flags.add("fuzzy")
    _save(project, catalog, "zh_Hans")

    errors = _check_errors(capsys)

    assert "zh_Hans/LC_MESSAGES/django.po: fuzzy translation of 'Open' (context 'verb')" in errors


def test_check_fails_when_a_placeholder_is_renamed_or_left_out(project, capsys):
    call_command("i18n_extract")
    _translate_all(project)
    catalog = _catalog(project, "th")
    catalog.get("Call %(provider)s to get it back.").string = "โทรหา %(company)s"
    catalog.get("%(count)d day left").string = ("เหลือไม่กี่วัน",)
    _save(project, catalog, "th")

    errors = _check_errors(capsys)

    assert "'Call %(provider)s to get it back.': the translation has placeholders" in errors
    assert "%(company)s" in errors
    assert "'%(count)d day left': the translation leaves out %(count)d" in errors


def test_check_fails_when_a_catalog_is_missing(project, capsys):
    errors = _check_errors(capsys)

    assert "locale/th/LC_MESSAGES/django.po: the catalog is missing" in errors


def test_compile_writes_catalogs_django_reads(project, settings):
    call_command("i18n_extract")
    _translate_all(project, fill=lambda msgid: "แพ็กเกจของคุณ" if msgid == "Your packages" else "x")
    catalog = _catalog(project, "th")
    catalog.get("Shop name").flags.add("fuzzy")
    _save(project, catalog, "th")

    call_command("i18n_compile", verbosity=0)

    assert (project / "locale/th/LC_MESSAGES/django.mo").exists()
    with translation.override("th"):
        assert translation.gettext("Your packages") == "แพ็กเกจของคุณ"
        # A fuzzy translation is left out of the .mo, as msgfmt leaves it out.
        assert translation.gettext("Shop name") == "Shop name"
