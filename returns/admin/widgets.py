"""Console widgets for what grows: a choice among a seller's packages, a list's checkboxes."""

from typing import Any

from django.contrib.admin import AdminSite, helpers
from django.contrib.admin.widgets import ForeignKeyRawIdWidget
from django.db.models import ManyToOneRel, Model, QuerySet
from django.urls import NoReverseMatch, reverse
from django.utils.html import format_html
from django.utils.safestring import SafeString
from django.utils.text import Truncator
from django.utils.translation import gettext


class ScopedRawIdWidget(ForeignKeyRawIdWidget):
    """An id box with the changelist's lookup popup, in place of a `<select>` of every row a
    field may offer: a seller can have 100,000 packages at one provider.

    The popup opens the changelist filtered by `lookup` (its scoped list filters), and the
    label beside the box is read through `queryset`, the field's own scoped choices: an id
    typed for another tenant's row shows nothing, where the admin's widget would read any
    row and print its name.
    """

    def __init__(
        self,
        rel: ManyToOneRel,
        admin_site: AdminSite,
        *,
        queryset: QuerySet[Any],
        lookup: dict[str, str],
    ) -> None:
        super().__init__(rel, admin_site)
        self.queryset = queryset
        self.lookup = lookup

    def url_parameters(self) -> dict[str, str]:
        return {**super().url_parameters(), **self.lookup}

    def label_and_url_for_value(self, value: object) -> tuple[str, str]:
        if not str(value).isdigit():
            return "", ""
        chosen = self.queryset.filter(pk=int(str(value))).first()
        if chosen is None:
            return "", ""
        opts = chosen._meta
        try:
            url = reverse(
                f"{self.admin_site.name}:{opts.app_label}_{opts.model_name}_change",
                args=[chosen.pk],
            )
        except NoReverseMatch:
            url = ""
        return Truncator(chosen).words(14), url


class OnePassCheckbox:
    """A changelist's row checkbox as one string: the admin's own goes through the form
    widget templates, three template renders a row (a sixth of a 50-row list's CPU)."""

    def action_checkbox(self, obj: Model) -> SafeString:
        return format_html(
            '<input type="checkbox" name="{}" value="{}" class="action-select" aria-label="{}">',
            helpers.ACTION_CHECKBOX_NAME,
            obj.pk,
            format_html(gettext("Select this object for an action - {}"), obj),
        )
