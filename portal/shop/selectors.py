"""What the settings page reads: the shop's addresses and its recent history, worded."""

from dataclasses import dataclass

from django.conf import settings
from django.utils.translation import pgettext

from portal.models import ReturnAddress, Seller, SettingsChange

HISTORY_ROWS = 20


@dataclass(frozen=True)
class ChangedValue:
    label: str
    before: str
    after: str


@dataclass(frozen=True)
class HistoryRow:
    change: SettingsChange
    values: list[ChangedValue]


def _label(name: str) -> str:
    model = Seller if name in {f.name for f in Seller._meta.fields} else ReturnAddress
    field = model._meta.get_field(name)
    return str(getattr(field, "verbose_name", name)).capitalize()


def _worded(name: str, value: object) -> str:
    if isinstance(value, bool):
        return pgettext("a setting", "on") if value else pgettext("a setting", "off")
    if name == "language":
        return dict(settings.LANGUAGES).get(str(value), str(value))
    return str(value)


def history_for(seller_id: int) -> list[HistoryRow]:
    """The shop's latest settings changes, newest first, each value in the reader's words."""
    changes = SettingsChange.objects.filter(seller_id=seller_id).select_related("actor")
    return [
        HistoryRow(
            change=change,
            values=[
                ChangedValue(_label(name), _worded(name, before), _worded(name, after))
                for name, (before, after) in change.changes.items()
            ],
        )
        for change in changes[:HISTORY_ROWS]
    ]
