"""The console's seller filter: read once per provider a while, never another provider's."""

from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.factories import PackageFactory
from tests.returns.console import PACKAGES


def _queries(client) -> tuple[int, str]:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(PACKAGES)
    assert response.status_code == 200
    return len(captured), response.content.decode()


def test_the_seller_filter_is_read_once_for_the_provider(
    client_for, xavier, provider_x, seller_a, seller_b
):
    PackageFactory(provider=provider_x, seller=seller_a)
    client = client_for(xavier)
    client.get("/admin/")  # the user's permissions kept (portal.auth)

    first, _ = _queries(client)
    PackageFactory(provider=provider_x, seller=seller_b)  # joins the filter a while later
    second, html = _queries(client)

    assert second == first - 1
    assert "Shop A (SHOP-A)" in html


def test_another_providers_agent_never_sees_the_kept_sellers(
    client_for, xavier, yvonne, provider_x, provider_y, seller_a, seller_b
):
    PackageFactory(provider=provider_x, seller=seller_a)
    PackageFactory(provider=provider_y, seller=seller_b)
    _queries(client_for(xavier))

    _, html = _queries(client_for(yvonne))

    assert "Shop B (SHOP-B)" in html
    assert "Shop A (SHOP-A)" not in html


def test_the_filter_writes_each_seller_once_escaped_and_marks_the_chosen_one(
    client_for, xavier, provider_x, seller_a, seller_b
):
    seller_b.name = 'Tom & "Jerry" <Ltd>'
    seller_b.save()
    PackageFactory(provider=provider_x, seller=seller_a)
    PackageFactory(provider=provider_x, seller=seller_b)
    client = client_for(xavier)

    plain = client.get(PACKAGES).content.decode()
    chosen = client.get(PACKAGES, {"seller": seller_b.pk}).content.decode()
    odd = client.get(PACKAGES, {"seller": "x1"}).content.decode()

    a = f'<option value="{seller_a.pk}">Shop A (SHOP-A)</option>'
    b = f'<option value="{seller_b.pk}">Tom &amp; &quot;Jerry&quot; &lt;Ltd&gt; (SHOP-B)</option>'
    assert plain.count(a) == 1 and plain.count(b) == 1
    assert plain.index(a) < plain.index(b)  # by name
    assert " selected>" not in plain.split('id="filter-seller"')[1].split("</select>")[0]
    assert a in chosen
    assert b.replace('">', '" selected>', 1) in chosen
    assert a in odd and b in odd
