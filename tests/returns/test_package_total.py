"""The seller's package total is kept a minute; filtered counts are always exact."""

import re
from datetime import timedelta

import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from tests.factories import PackageFactory

LIST = "/packages/"


def _shown(client, **query) -> tuple[str, int]:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(LIST, query)
    assert response.status_code == 200
    return response.content.decode(), len(captured)


def test_the_total_is_counted_once_a_minute(client_for, alice, seller_a, provider_x):
    PackageFactory.create_batch(2, seller=seller_a, provider=provider_x)
    client = client_for(alice)
    start = timezone.now()

    with time_machine.travel(start, tick=False):
        first, counted = _shown(client)
        PackageFactory(seller=seller_a, provider=provider_x)
        kept, not_counted = _shown(client)
    with time_machine.travel(start + timedelta(seconds=61), tick=False):
        later, _ = _shown(client)

    assert "2 packages" in first
    assert "2 packages" in kept
    assert not_counted == counted - 1
    assert "3 packages" in later


def test_a_filtered_count_is_exact_at_once(client_for, alice, seller_a, provider_x):
    PackageFactory(seller=seller_a, provider=provider_x, awaiting=True)
    client = client_for(alice)
    _shown(client)

    PackageFactory(seller=seller_a, provider=provider_x, awaiting=True)
    html, _ = _shown(client, status="awaiting_seller")

    assert "2 packages match your filters" in html


def test_each_seller_has_their_own_total(client_for, alice, bob, seller_a, seller_b, provider_x):
    PackageFactory.create_batch(3, seller=seller_a, provider=provider_x)
    PackageFactory(seller=seller_b, provider=provider_x)
    _shown(client_for(alice))

    html, _ = _shown(client_for(bob))

    assert re.search(r"\b1 package\b", html)
    assert "3 packages" not in html
