"""Shared actors: seller A and B, provider X and Y staff, an operator, an anonymous visitor.

Tests marked `postgres` or `browser` skip with a reason when the part is
missing; with REQUIRE_MARKED_TESTS=1 (set by .ci/run) they fail instead.
"""

import os
import shutil
import warnings

import pytest
from django.contrib.auth.models import Group
from django.core.cache import cache
from django.db import connection
from django.utils import translation

from portal.auth import permissions_of
from portal.models import ReturnAddress
from tests.factories import ProviderFactory, SellerFactory, UserFactory
from tests.helpers import provider_staff_group

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")


def _missing_part(item) -> str | None:
    if item.get_closest_marker("postgres") and connection.vendor != "postgresql":
        return "needs PostgreSQL: set DATABASE_URL=postgres://… to run it"
    if item.get_closest_marker("browser") and not CHROMIUM:
        return "needs the system Chromium: apt-get install -y chromium"
    return None


def pytest_runtest_setup(item):
    reason = _missing_part(item)
    if reason is None:
        return
    if os.environ.get("REQUIRE_MARKED_TESTS") == "1":
        pytest.fail(f"required in CI but cannot run: {reason}", pytrace=False)
    pytest.skip(reason)


@pytest.fixture(scope="session", autouse=True)
def _no_session_left_on_the_test_database(django_db_setup, django_db_blocker):
    """A session some test left open on the PostgreSQL test database keeps Django from
    dropping it (CI saw one now and then: "is being accessed by other users", and the
    database stayed). Say what the session last ran, so its test can be found, and end it."""
    yield
    if connection.vendor != "postgresql":
        return
    with django_db_blocker.unblock(), connection.cursor() as cursor:
        cursor.execute(
            "SELECT pid, application_name, state, left(query, 300) FROM pg_stat_activity"
            " WHERE datname = current_database() AND pid <> pg_backend_pid()"
            " AND backend_type = 'client backend'"
        )
        for pid, opened_by, state, query in cursor.fetchall():
            warnings.warn(
                f"A session on the test database was left open ({state}), opened by"
                f" {opened_by or 'no test'}; its last statement: {query}",
                stacklevel=1,
            )
            cursor.execute("SELECT pg_terminate_backend(%s)", [pid])


@pytest.fixture(autouse=True)
def _connections_named_after_their_test(request):
    """Every PostgreSQL connection a test opens (its threads' too) carries the test's name as
    its application_name, which the check above reports."""
    options = connection.settings_dict["OPTIONS"]
    if connection.vendor == "postgresql":
        options["application_name"] = request.node.nodeid[-63:]  # PostgreSQL keeps 63 bytes
    yield
    options.pop("application_name", None)


@pytest.fixture(autouse=True)
def _language_of_each_test():
    """Each test starts in English: a request activates its reader's language on the
    thread (LocaleMiddleware, portal.middleware) and nothing in a test resets it."""
    yield
    translation.deactivate()


@pytest.fixture(autouse=True)
def _empty_cache():
    """Each test starts with nothing cached: the pages keep counts and filter choices a
    while (returns.selectors, returns.admin.scoping), and a test's rows are new; each
    process keeps users' permissions (portal.auth)."""
    cache.clear()
    permissions_of.cache_clear()  # kept by user id, which a new test's user may reuse
    yield
    cache.clear()


@pytest.fixture(autouse=True)
def _site_settings(settings, tmp_path):
    settings.SITE_URL = "https://returns.example"
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.PRIVATE_MEDIA_ROOT = tmp_path / "private"
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    # A fast hash: the tests sign in often, and the real one is slow on purpose.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def staff_group(db) -> Group:
    """The provider staff group, as the migrations make it (packages and tickets)."""
    return provider_staff_group()


@pytest.fixture
def provider_x(db):
    return ProviderFactory(
        code="swiftlane",
        name="SwiftLane",
        support_phone="+66 2 555 0142",
        ops_email="ops@swiftlane.example",
    )


@pytest.fixture
def provider_y(db):
    return ProviderFactory(code="nordparcel", name="NordParcel", support_phone="+49 30 5557 2210")


@pytest.fixture
def seller_a(db):
    return SellerFactory(shop_code="SHOP-A", name="Shop A", time_zone="Asia/Bangkok")


@pytest.fixture
def seller_b(db):
    return SellerFactory(shop_code="SHOP-B", name="Shop B", time_zone="Europe/Berlin")


@pytest.fixture
def alice(seller_a):
    """Works for seller A."""
    return UserFactory(email="alice@shop-a.example", seller=seller_a)


@pytest.fixture
def bob(seller_b):
    """Works for seller B."""
    return UserFactory(email="bob@shop-b.example", seller=seller_b)


@pytest.fixture
def xavier(provider_x, staff_group):
    """Warehouse agent at provider X, in the provider staff group."""
    user = UserFactory(email="xavier@swiftlane.example", provider=provider_x, is_staff=True)
    user.groups.add(staff_group)
    return user


@pytest.fixture
def yvonne(provider_y, staff_group):
    """Warehouse agent at provider Y, in the provider staff group."""
    user = UserFactory(email="yvonne@nordparcel.example", provider=provider_y, is_staff=True)
    user.groups.add(staff_group)
    return user


@pytest.fixture
def operator(db):
    return UserFactory(email="operator@returns.example", is_staff=True, is_superuser=True)


@pytest.fixture
def client_for(client):
    """`client_for(user)` signs a fresh test client in as that user."""

    def sign_in(user):
        client.force_login(user)
        return client

    return sign_in


@pytest.fixture
def address(seller_a):
    """Seller A's default return address, where a send-back goes unless they say otherwise."""
    return ReturnAddress.objects.create(
        seller=seller_a,
        label="Main warehouse",
        contact_name="Somchai Jaidee",
        phone="+66 81 555 0199",
        address="12 Sukhumvit Soi 11\nBangkok 10110",
        is_default=True,
    )
