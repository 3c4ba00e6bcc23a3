"""Batches (returns.batches): each package through its own transition, the batch once."""

import contextlib

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext

from portal.errors import DomainError
from returns import batches, services
from returns.models import Channel, FailedPackage, PackageEvent
from tests.factories import PackageFactory
from tests.files import png_bytes
from tests.races import in_parallel


def _batch_of(size: int, *, staff, provider, seller, kind: str = "destruction"):
    batch = batches.open_batch(provider=provider, kind=kind, actor=staff)
    traits = {"pending_destruction": True} if kind == "destruction" else {"claimed": True}
    scoped = FailedPackage.objects.for_user(staff)
    for n in range(size):
        PackageFactory(provider=provider, seller=seller, tracking_number=f"B{n:04d}", **traits)
        batches.add_to_batch(batch=batch, packages=scoped, tracking_number=f"B{n:04d}")
    return batch


def _queries(callable_) -> int:
    with CaptureQueriesContext(connection) as captured:
        callable_()
    return len(captured)


def _one_destruction(staff, provider, seller) -> int:
    """The queries of one package's destruction through the service alone."""
    package = PackageFactory(provider=provider, seller=seller, pending_destruction=True)
    return _queries(
        lambda: services.confirm_destruction(
            package=package, reference="DX-0", method="shredded", actor=staff, channel=Channel.ADMIN
        )
    )


@pytest.mark.parametrize("size", [1, 10, 100])
def test_a_batch_costs_the_services_queries_per_package_and_a_fixed_few_more(
    xavier, provider_x, seller_a, size
):
    per_package = _one_destruction(xavier, provider_x, seller_a)
    batch = _batch_of(size, staff=xavier, provider=provider_x, seller=seller_a)

    spent = _queries(
        lambda: batches.confirm_batch(batch=batch, actor=xavier, reference="DX-1", method="other")
    )

    # Fixed: see it holds packages, close it, read it back, read its entries. Per package:
    # its transition, and the entry locked and settled in its own transaction (inside
    # the test's, a savepoint and its release).
    assert spent == 4 + size * (per_package + 4)
    assert FailedPackage.objects.filter(destruction_batch=batch).count() == size


def test_confirming_twice_changes_nothing_the_first_did(xavier, provider_x, seller_a):
    batch = _batch_of(3, staff=xavier, provider=provider_x, seller=seller_a)
    first = batches.confirm_batch(batch=batch, actor=xavier, reference="DX-1", method="other")

    with pytest.raises(services.DomainError, match="was confirmed on"):
        batches.confirm_batch(batch=batch, actor=xavier, reference="DX-2", method="shredded")

    assert first.done == 3
    assert PackageEvent.objects.filter(action="destroyed").count() == 3
    assert set(FailedPackage.objects.values_list("destruction_reference", flat=True)) == {"DX-1"}


def test_a_confirmed_batch_takes_no_more_packages(xavier, provider_x, seller_a):
    batch = _batch_of(1, staff=xavier, provider=provider_x, seller=seller_a)
    batches.confirm_batch(batch=batch, actor=xavier, reference="DX-1", method="other")
    PackageFactory(
        provider=provider_x, seller=seller_a, pending_destruction=True, tracking_number="L"
    )

    with pytest.raises(services.DomainError, match="start a new one"):
        batches.add_to_batch(
            batch=batch, packages=FailedPackage.objects.for_user(xavier), tracking_number="L"
        )


def test_a_send_back_batch_marks_each_claimed_package_returned(xavier, provider_x, seller_a):
    batch = _batch_of(2, staff=xavier, provider=provider_x, seller=seller_a, kind="send_back")

    report = batches.confirm_batch(batch=batch, actor=xavier)

    assert report.done == 2
    assert set(FailedPackage.objects.values_list("status", flat=True)) == {"returned"}
    facts = PackageEvent.objects.filter(action="returned").values_list("facts", flat=True)
    assert [f["batch"] for f in facts] == [batch.reference] * 2


def test_a_package_changed_since_the_scan_is_skipped_with_the_reason(xavier, provider_x, seller_a):
    batch = _batch_of(2, staff=xavier, provider=provider_x, seller=seller_a)
    FailedPackage.objects.filter(tracking_number="B0001").update(
        status="destroyed", destroyed_at="2026-03-01T00:00Z", destruction_reference="DX-9"
    )

    report = batches.confirm_batch(batch=batch, actor=xavier, reference="DX-1", method="other")

    assert report.done == 1
    assert report.skipped == ["B0001 is destroyed, not waiting for destruction"]


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_screens_confirming_at_once_destroy_each_package_once(xavier, provider_x, seller_a):
    batch = _batch_of(20, staff=xavier, provider=provider_x, seller=seller_a)

    def confirm() -> None:
        # The other screen may have finished first: that one is refused, nothing else.
        with contextlib.suppress(services.DomainError):
            batches.confirm_batch(batch=batch, actor=xavier, reference="DX-1", method="other")

    in_parallel(confirm, confirm)

    assert PackageEvent.objects.filter(action="destroyed").count() == 20
    assert set(batch.entries.values_list("outcome", flat=True)) == {"done"}


def test_an_empty_batch_is_not_confirmed(xavier, provider_x):
    batch = batches.open_batch(provider=provider_x, kind="destruction", actor=xavier)

    with pytest.raises(services.DomainError, match="scan its packages first"):
        batches.confirm_batch(batch=batch, actor=xavier, reference="DX-1", method="other")

    batch.refresh_from_db()
    assert batch.is_open


def test_a_destruction_batch_keeps_its_photo_by_its_content(xavier, provider_x, seller_a):
    batch = _batch_of(2, staff=xavier, provider=provider_x, seller=seller_a)
    photo = SimpleUploadedFile("shredder.jpg", png_bytes(), content_type="image/jpeg")

    report = batches.confirm_batch(
        batch=batch, actor=xavier, reference="DX-1", method="shredded", photo=photo
    )

    batch.refresh_from_db()
    assert report.done == 2
    assert batch.photo.name.endswith(".png")  # a PNG, whatever its name says
    assert set(FailedPackage.objects.values_list("destruction_photo", flat=True)) == {
        batch.photo.name
    }


def test_a_destruction_batch_refuses_a_photo_that_is_no_picture(xavier, provider_x, seller_a):
    batch = _batch_of(1, staff=xavier, provider=provider_x, seller=seller_a)
    photo = SimpleUploadedFile("shredder.jpg", b"not a picture", content_type="image/jpeg")

    with pytest.raises(DomainError, match="JPEG or PNG"):
        batches.confirm_batch(
            batch=batch, actor=xavier, reference="DX-1", method="shredded", photo=photo
        )

    batch.refresh_from_db()
    assert batch.confirmed_at is None
