"""Rows built with fewer lookups read byte for byte as the templates wrote them before."""

import pytest
from django.template import engines
from django.utils import translation

from portal.formatting import choice_label
from portal.templatetags.languages import label
from returns.models import DeliveryAttempt, FailedPackage, Notification, PackageEvent
from tests.factories import PackageFactory
from tickets.models import Ticket

LANGUAGES = ["en", "th", "zh-hans"]

# The seller list's row as it was: a {% url %} and a {% blocktranslate %} on every row.
ROW_BEFORE = (
    "{% load i18n %}"
    '<a class="fw-semibold text-break" '
    "href=\"{% url 'returns:package_detail' package.public_id %}\">"
    "{{ package.tracking_number }}</a>\n"
    '          <div class="small text-secondary text-break">{% blocktranslate trimmed with '
    "order_id=package.order_id %}Order {{ order_id }}{% endblocktranslate %}"
    "{% if package.description %} · {{ package.description }}{% endif %} · "
    "{{ package.provider.name }}</div>"
)


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_package_list_rows_are_unchanged(client_for, alice, seller_a, provider_x, language):
    seller_a.language = language
    seller_a.save()
    packages = [
        PackageFactory(seller=seller_a, provider=provider_x, awaiting=True,
                       order_id="ORD-<1>&", description='Boxed "earbuds" & case'),
        PackageFactory(seller=seller_a, provider=provider_x, description=""),
    ]  # fmt: skip

    html = client_for(alice).get("/packages/").content.decode()

    before = engines["django"].from_string(ROW_BEFORE)
    with translation.override(language):
        for package in packages:
            assert before.render({"package": package}) in html


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize(
    ("model", "field"),
    [
        (Ticket, "status"),
        (Ticket, "category"),
        (Notification, "kind"),
        (DeliveryAttempt, "outcome"),
        (PackageEvent, "channel"),
        (PackageEvent, "action"),
        (FailedPackage, "status"),
    ],
)
def test_a_choice_label_is_the_fields_display(model, field, language):
    with translation.override(language):
        for value, _ in model._meta.get_field(field).flatchoices:
            row = model(**{field: value})
            display = getattr(row, f"get_{field}_display")()
            assert choice_label(row, field) == display
            assert label(row, field) == display


def test_a_value_outside_the_choices_reads_as_itself_as_in_the_display():
    row = Ticket(status="no_such_status")
    assert choice_label(row, "status") == row.get_status_display() == "no_such_status"
