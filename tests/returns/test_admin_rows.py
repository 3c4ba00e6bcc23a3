"""The console's package list and ticket inbox write their rows once a column, their links
without a URL look-up (returns.admin.rows): each page must be the one Django's own rows
make, byte for byte."""

import re

import pytest
from django.contrib.admin.templatetags import admin_list
from django.contrib.admin.views.main import ChangeList

from returns.admin import rows
from tests.builders import awaiting_package, question_ticket
from tests.factories import PackageFactory
from tests.returns.console import PACKAGES
from tickets.models import Ticket

INBOX = "/admin/tickets/ticket/"

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


def _written_and_djangos(request, client_for, monkeypatch, who, language, path):
    """The page as the console writes it, then as Django's own rows and links write it."""
    user = request.getfixturevalue(who)
    user.language = language
    user.save(update_fields=["language"])
    client = client_for(user)

    def not_called(*args, **kwargs):
        raise AssertionError("the rows went through Django's items_for_result")

    with monkeypatch.context() as patched:
        patched.setattr(admin_list, "items_for_result", not_called)
        written = _page(client, path)
    monkeypatch.setattr(rows, "_columns", lambda cl: None)  # Django's rows,
    monkeypatch.setattr(rows.OneReverseChangeList, "__init__", ChangeList.__init__)  # links
    monkeypatch.setattr(rows.OneReverseChangeList, "url_for_result", ChangeList.url_for_result)
    return written, _page(client, path)


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
    written, djangos = _written_and_djangos(request, client_for, monkeypatch, who, language, path)

    assert b'id="result_list"' in written
    assert written == djangos


# --- the ticket inbox: the same rows, two links a row -----------------------------------


@pytest.fixture
def inbox(xavier, alice, seller_a, provider_x, console_clock):
    """A question on a package, one assigned to an agent, one with a subject to escape."""
    package = awaiting_package(seller_a, provider_x)
    question_ticket(package, alice)
    assigned = question_ticket(awaiting_package(seller_a, provider_x), alice)
    Ticket.objects.filter(pk=assigned.pk).update(
        assignee=xavier, status=Ticket.Status.WAITING_ON_SELLER
    )
    escaped = question_ticket(package, alice, body="<b>Where & when?</b>")
    Ticket.objects.filter(pk=escaped.pk).update(subject="Box <3> & tape", package=None)


@pytest.mark.parametrize(
    ("path", "shown"), [(INBOX, 3), (f"{INBOX}?status=open&o=2", 2), (f"{INBOX}?q=tape", 1)]
)
@pytest.mark.parametrize(
    ("who", "language"), [("xavier", "en"), ("xavier", "vi"), ("operator", "en")]
)
def test_the_inbox_rows_are_the_ones_django_writes(
    request, client_for, inbox, monkeypatch, path, shown, who, language
):
    written, djangos = _written_and_djangos(request, client_for, monkeypatch, who, language, path)

    assert written.count(b'<tr><td class="action-checkbox">') == shown
    assert written == djangos
