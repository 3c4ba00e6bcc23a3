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
