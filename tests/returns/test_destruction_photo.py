"""The destruction photo: private storage, served only to whoever may see the package."""

import importlib
import re
from pathlib import Path

import pytest
from django.apps import apps
from django.urls import reverse
from pytest_django.asserts import assertContains, assertNotContains

from returns.models import FailedPackage
from tests.builders import destroyed_package
from tests.files import png, png_bytes


@pytest.fixture
def destroyed(seller_a, provider_x, xavier) -> FailedPackage:
    return destroyed_package(seller_a, provider_x, staff=xavier, photo=png("IMG_0042.png"))


def photo_url(package: FailedPackage) -> str:
    return reverse("returns:destruction_photo", args=[package.public_id])


def test_the_photo_is_kept_privately_under_a_random_name(destroyed, settings):
    stored = Path(destroyed.destruction_photo.path)

    assert stored.is_relative_to(settings.PRIVATE_MEDIA_ROOT)
    assert not stored.is_relative_to(settings.MEDIA_ROOT)
    assert re.fullmatch(r"[0-9a-f]{32}\.png", stored.name)


def test_a_photo_is_stored_and_served_as_what_it_contains_not_as_its_name(
    seller_a, provider_x, xavier, client_for, alice
):
    package = destroyed_package(seller_a, provider_x, staff=xavier, photo=png("IMG_0042.jpg"))

    response = client_for(alice).get(photo_url(package))

    assert package.destruction_photo.name.endswith(".png")
    assert response["Content-Type"] == "image/png"


def test_the_seller_sees_the_photo_inline_with_safe_headers(destroyed, client_for, alice):
    response = client_for(alice).get(photo_url(destroyed))

    assert response.status_code == 200
    assert b"".join(response.streaming_content) == png_bytes()
    assert response["Content-Type"] == "image/png"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Disposition"] == (
        f'inline; filename="destruction-{destroyed.public_id}.png"'
    )
    assert response["Cache-Control"] == "private, no-store"


@pytest.mark.parametrize("user", ["xavier", "operator"])
def test_the_providers_staff_and_operators_see_the_photo(destroyed, client_for, user, request):
    response = client_for(request.getfixturevalue(user)).get(photo_url(destroyed))

    assert response.status_code == 200


@pytest.mark.parametrize("user", ["bob", "yvonne"])
def test_another_seller_or_provider_gets_a_404(destroyed, client_for, user, request):
    response = client_for(request.getfixturevalue(user)).get(photo_url(destroyed))

    assert response.status_code == 404


def test_an_anonymous_visitor_is_sent_to_sign_in(destroyed, client):
    response = client.get(photo_url(destroyed))

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_a_package_without_a_photo_has_none_to_show(seller_a, provider_x, xavier, client_for):
    package = destroyed_package(seller_a, provider_x, staff=xavier)

    response = client_for(xavier).get(photo_url(package))

    assert response.status_code == 404


def test_the_certificate_and_the_console_page_link_to_the_photo(
    destroyed, client_for, alice, xavier
):
    certificate = client_for(alice).get(reverse("returns:certificate", args=[destroyed.public_id]))
    console = client_for(xavier).get(f"/admin/returns/failedpackage/{destroyed.pk}/change/")

    assertContains(certificate, f'href="{photo_url(destroyed)}"')
    assertContains(console, f'href="{photo_url(destroyed)}"')


def test_a_certificate_without_a_photo_does_not_offer_one(
    seller_a, provider_x, xavier, client_for, alice
):
    package = destroyed_package(seller_a, provider_x, staff=xavier)

    certificate = client_for(alice).get(reverse("returns:certificate", args=[package.public_id]))

    assertNotContains(certificate, "destruction-photo")


def test_the_migration_moves_a_public_photo_to_private_storage(destroyed, settings):
    old_name = f"destructions/2026/03/{destroyed.public_id}-photo.png"
    public_copy = Path(settings.MEDIA_ROOT, old_name)
    public_copy.parent.mkdir(parents=True)
    public_copy.write_bytes(png_bytes())
    FailedPackage.objects.filter(pk=destroyed.pk).update(destruction_photo=old_name)
    migration = importlib.import_module("returns.migrations.0005_destruction_photo_private")

    migration.move_photos(apps, None)
    migration.move_photos(apps, None)  # run again, it finds nothing left to move

    destroyed.refresh_from_db()
    stored = Path(destroyed.destruction_photo.path)
    assert not public_copy.exists()
    assert stored.is_relative_to(settings.PRIVATE_MEDIA_ROOT)
    assert re.fullmatch(r"[0-9a-f]{32}\.png", stored.name)
    assert stored.read_bytes() == png_bytes()
