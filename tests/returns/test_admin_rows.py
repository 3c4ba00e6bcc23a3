"""The console's package list writes its rows once a column (returns.admin.rows): the
page must be the one Django's own rows make, byte for byte."""

import re

import pytest
from django.contrib.admin.templatetags import admin_list

from returns.admin import rows
from tests.factories import PackageFactory
from tests.returns.console import PACKAGES

CSRF = re.compile(rb'name="csrfmiddlewaretoken" value="[^"]+"')


@pytest.fixture
def shelf(provider_x, seller_a, console_clock):
    """A row of each kind: a window open, claimed on a shelf, destroyed, no location."""
    PackageFactory(provider=provider_x, seller=seller_a, awaiting=True, tracking_number="T<1>")
    PackageFactory(provider=provider_x, seller=seller_a, claimed=True, warehouse_location="R7 & S2")
    PackageFactory(provider=provider_x, seller=seller_a, destroyed=True)
    PackageFactory(provider=provider_x, seller=seller_a, reason="")


def _page(client, path: str) -> bytes:
    return CSRF.sub(b"CSRF", client.get(path).content)


@pytest.mark.parametrize(
    "path",
    [PACKAGES, f"{PACKAGES}?status__exact=awaiting_seller&o=3", f"{PACKAGES}?q=T%3C"],
)
@pytest.mark.parametrize(
    ("who", "language"), [("xavier", "en"), ("xavier", "th"), ("operator", "en")]
)
def test_the_rows_are_the_ones_django_writes(
    request, client_for, shelf, monkeypatch, path, who, language
):
    user = request.getfixturevalue(who)
    user.language = language
    user.save(update_fields=["language"])
    client = client_for(user)

    def not_called(*args, **kwargs):
        raise AssertionError("the rows went through Django's items_for_result")

    with monkeypatch.context() as patched:
        patched.setattr(admin_list, "items_for_result", not_called)
        written = _page(client, path)
    monkeypatch.setattr(rows, "_columns", lambda cl: None)  # Django's rows, the same page
    djangos = _page(client, path)

    assert b'id="result_list"' in written
    assert written == djangos
