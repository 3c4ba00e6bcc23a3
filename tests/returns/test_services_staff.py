"""Provider staff's moves: returns, withdrawn claims and confirmed destructions."""

import pytest
from django.core.files.base import ContentFile

from portal.errors import DomainError
from returns import services
from returns.models import FailedPackage, Notification
from tests.helpers import kinds_for

Status = FailedPackage.Status
Kind = Notification.Kind


# --- provider staff -------------------------------------------------------------------


def test_marking_a_claimed_package_returned_tells_the_seller(claimed, xavier):
    services.mark_returned(package=claimed, actor=xavier, channel="admin", note="Courier run 4")

    claimed.refresh_from_db()
    assert claimed.status == Status.RETURNED
    assert claimed.returned_at is not None
    assert claimed.events.get().detail == "Courier run 4"
    assert kinds_for(claimed) == [Kind.RETURNED]


def test_withdrawing_a_claim_needs_a_reason(claimed, xavier):
    with pytest.raises(DomainError, match="Say why"):
        services.withdraw_claim(package=claimed, reason="  ", actor=xavier, channel="admin")

    claimed.refresh_from_db()
    assert claimed.status == Status.CLAIMED


def test_withdrawing_a_claim_sends_it_to_destruction_with_the_reason(claimed, xavier):
    services.withdraw_claim(
        package=claimed, reason="Redelivery failed twice", actor=xavier, channel="admin"
    )

    claimed.refresh_from_db()
    assert claimed.status == Status.DESTRUCTION_PENDING
    assert claimed.events.get().detail == "Redelivery failed twice"
    assert kinds_for(claimed) == [Kind.CLAIM_WITHDRAWN, Kind.DESTRUCTION_INSTRUCTION]
    notice = Notification.objects.get(kind=Kind.CLAIM_WITHDRAWN)
    assert "Redelivery failed twice" in notice.body_text


def test_a_destruction_photo_that_is_not_a_jpeg_or_png_is_refused(pending, xavier):
    page = ContentFile(b"<html><script>alert(1)</script></html>", name="evidence.html")

    with pytest.raises(DomainError, match="must be a JPEG or PNG picture"):
        services.confirm_destruction(
            package=pending, reference="DX-1", method="shredded", photo=page, channel="admin"
        )

    pending.refresh_from_db()
    assert (pending.status, pending.destruction_photo.name) == (Status.DESTRUCTION_PENDING, "")


def test_confirming_destruction_records_the_evidence(pending, xavier):
    photo = ContentFile(b"\x89PNG\r\n\x1a\n" + b"0" * 64, name="shredder.png")

    services.confirm_destruction(
        package=pending,
        reference="DX-2026-0042",
        method=FailedPackage.DestructionMethod.SHREDDED,
        photo=photo,
        actor=xavier,
        channel="admin",
    )

    pending.refresh_from_db()
    assert pending.status == Status.DESTROYED
    assert (pending.destruction_reference, pending.destroyed_by) == ("DX-2026-0042", xavier)
    assert pending.destruction_photo.name.startswith("destructions/")
    assert pending.destruction_photo.name.endswith(".png")
    assert "shredder" not in pending.destruction_photo.name
    assert pending.events.get().description() == "Shredded, reference DX-2026-0042"
    destroyed_notice = Notification.objects.get(kind=Kind.DESTROYED)
    assert f"/packages/{pending.public_id}/certificate/" in destroyed_notice.body_text


def test_confirming_destruction_needs_a_reference(pending):
    with pytest.raises(DomainError, match="reference is required"):
        services.confirm_destruction(
            package=pending, reference="", method="shredded", channel="admin"
        )

    pending.refresh_from_db()
    assert pending.status == Status.DESTRUCTION_PENDING
