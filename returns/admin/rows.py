"""A changelist's rows with each column worked out once a page, not once a cell.

Django's `items_for_result` finds every cell's column again: a model field, else an
exception and then the admin's method, with the link column and the cell's class worked
out anew, 450 times on a 50-row package list (72.9 → 66.5 ms of CPU a page at 100,000
packages). Here each column is resolved once and its cells are written as Django writes them,
byte for byte (tests/returns/test_admin_rows.py); a page with list_editable, a popup or a
column of another kind is left to Django whole.
"""

import datetime
from collections.abc import Callable, Iterator
from typing import Any

from django.contrib.admin import utils as admin_utils
from django.contrib.admin.templatetags import admin_list
from django.contrib.admin.templatetags.admin_urls import add_preserved_filters
from django.contrib.admin.utils import (
    FieldIsAForeignKeyColumnName,
    display_for_field,
    display_for_value,
)
from django.contrib.admin.views.main import ChangeList
from django.core.exceptions import FieldDoesNotExist, ObjectDoesNotExist
from django.db import models
from django.db.models.options import Options
from django.urls import NoReverseMatch, reverse
from django.utils.html import conditional_escape
from django.utils.safestring import SafeString, mark_safe

Cell = Callable[[models.Model], SafeString]


class OneReverseChangeList(ChangeList):
    """A changelist whose rows' links are made without looking a URL up.

    Django reverses each row's change URL, then resolves it again to put the list's
    filters on it: two walks of the URLconf a link, the most costly part of a
    filtered list's 50 rows. Here both are done once, with a stand-in for the id.
    """

    ID = "__id__"

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        url = reverse(
            f"admin:{self.opts.app_label}_{self.opts.model_name}_change",
            args=[self.ID],
            current_app=self.model_admin.admin_site.name,
        )
        context: dict[str, Options[Any] | str] = {
            "preserved_filters": self.preserved_filters,
            "opts": self.opts,
        }
        self.row_url = add_preserved_filters(context, url)
        # Already on every row's link: the admin adds nothing more to it.
        self.preserved_filters = ""

    def url_for_result(self, result: models.Model) -> str:
        # The first stand-in is the path's, before any filter value; an id is a number,
        # with nothing to quote (an integer primary key: see the tests).
        return self.row_url.replace(self.ID, str(result.pk), 1)


def results(cl: ChangeList) -> Iterator[admin_list.ResultList]:
    """What `admin_list.results` yields for `cl`: one ResultList of cells a row."""
    columns = _columns(cl)
    if columns is None:
        yield from admin_list.results(cl)
        return
    for result in cl.result_list:
        yield admin_list.ResultList(None, [cell(result) for cell in columns])


def _columns(cl: ChangeList) -> list[Cell] | None:
    if cl.formset or cl.is_popup or cl.list_display_links is None:
        return None
    columns = []
    first = True
    for name in cl.list_display:
        if callable(name):
            return None
        # As items_for_result's link_in_col, for a list with links named (the default).
        link = (first and not cl.list_display_links) or name in cl.list_display_links
        cell = _cell(cl, name, link=link, tag="th" if link and first else "td")
        if cell is None:
            return None
        first = first and not link
        columns.append(cell)
    return columns


def _cell(cl: ChangeList, name: str, *, link: bool, tag: str) -> Cell | None:
    """The writer of one column's cells, or None for a column Django must look up."""
    model_admin = cl.model_admin
    missing = empty = model_admin.get_empty_value_display()
    boolean = False
    try:
        # The look-up lookup_field makes: a column is a field here exactly when it is there.
        field = admin_utils._get_non_gfk_field(cl.lookup_opts, name)  # type: ignore[attr-defined]
    except (FieldDoesNotExist, FieldIsAForeignKeyColumnName):
        field = None
        if not hasattr(model_admin, name) or name == "__str__":
            return None  # a model attribute or a path: lookup_field's other branches
        method = getattr(model_admin, name)
        empty = getattr(method, "empty_value_display", empty)
        boolean = getattr(method, "boolean", False)
    nowrap_field = field is not None and isinstance(
        field, (models.DateField, models.TimeField, models.ForeignKey)
    )

    # The cell's class attribute, written once a column: a field's, or a computed value's
    # (the row checkbox has its own), "nowrap" added for dates and times.
    plain = mark_safe(f' class="field-{name}"')
    field_class = mark_safe(f' class="field-{name} nowrap"') if nowrap_field else plain
    computed = "action-checkbox" if name == "action_checkbox" else f"field-{name}"
    computed_class = mark_safe(f' class="{computed}"')
    computed_dated = mark_safe(f' class="{computed} nowrap"')

    def shown(result: models.Model) -> tuple[Any, SafeString]:
        """The cell's value as Django shows it, and its class attribute."""
        try:
            value = method(result) if field is None else getattr(result, name)
        except ObjectDoesNotExist:
            return missing, plain
        if isinstance(value, str) and value.strip() == "":
            value = ""
        if field is None or field.auto_created:
            dated = isinstance(value, (datetime.date, datetime.time))
            return display_for_value(value, empty, boolean), (
                computed_dated if dated else computed_class
            )
        if isinstance(field.remote_field, models.ManyToOneRel):
            related = getattr(result, field.name)
            return (empty if related is None else related), field_class
        return display_for_field(value, field, empty, avoid_link=link), field_class

    # format_html's own steps, written out: it escapes each value (conditional_escape)
    # into the format, here an f-string, at a third of the calls a cell.
    if not link:

        def cell(result: models.Model) -> SafeString:
            shown_as, row_class = shown(result)
            return mark_safe(f"<td{row_class}>{conditional_escape(shown_as)}</td>")

        return cell

    filters: dict[str, Options[Any] | str] = {
        "preserved_filters": cl.preserved_filters,
        "opts": cl.opts,
    }

    def linked_cell(result: models.Model) -> SafeString:
        shown_as, row_class = shown(result)
        link_or_text: str
        try:
            url = cl.url_for_result(result)
        except NoReverseMatch:
            link_or_text = conditional_escape(shown_as)
        else:
            url = add_preserved_filters(filters, url)
            link_or_text = f'<a href="{conditional_escape(url)}">{conditional_escape(shown_as)}</a>'
        return mark_safe(f"<{tag}{row_class}>{link_or_text}</{tag}>")

    return linked_cell
