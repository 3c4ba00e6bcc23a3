"""The package list's actions: each through a service, each reporting done and skipped rows."""

import re
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from returns import services
from returns.admin import package_actions
from returns.models import DeliveryAttempt, FailedPackage, Notification
from tests.factories import AttemptFactory, PackageFactory
from tests.helpers import messages_on
from tests.returns.console import NOW, PACKAGES, answer, run

# The smallest PNG there is: one transparent pixel.
PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d49444154789c6360000002000001e221bc330000000049454e44ae426082"
)

pytestmark = pytest.mark.usefixtures("console_clock")


def events(package: FailedPackage) -> list[tuple[str, str, str]]:
    return [
        (e.action, e.channel, e.actor.email) for e in package.events.filter(actor__isnull=False)
    ]


def kinds(package: FailedPackage) -> set[str]:
    return set(Notification.objects.filter(package=package).values_list("kind", flat=True))


# --- mark returned --------------------------------------------------------------------


def test_mark_returned_moves_claimed_packages_and_skips_the_others(agent, make):
    first = make("TRK-1", claimed=True)
    second = make("TRK-2", claimed=True)
    waiting = make("TRK-3", awaiting=True)

    response = run(agent, "mark_returned", [first, second, waiting])

    assert messages_on(response) == [
        "2 packages marked returned. Skipped 1: TRK-3 is awaiting the seller, not claimed."
    ]
    for package in (first, second):
        package.refresh_from_db()
        assert (package.status, package.returned_at) == ("returned", NOW)
        assert events(package) == [("returned", "admin", "xavier@swiftlane.example")]
        assert kinds(package) == {"returned"}
    waiting.refresh_from_db()
    assert waiting.status == "awaiting_seller"
    assert not kinds(waiting)


def test_a_package_another_agent_moved_meanwhile_is_skipped_in_the_agents_words(
    agent, make, monkeypatch
):
    package = make("TRK-1", claimed=True)
    real_mark_returned = services.mark_returned

    def withdrawn_first(*, package, **kwargs):
        services.withdraw_claim(package=package, reason="No answer", channel="admin")
        package.refresh_from_db()
        package.status = "claimed"  # what this request read before the other agent won
        return real_mark_returned(package=package, **kwargs)

    monkeypatch.setattr(services, "mark_returned", withdrawn_first)

    response = run(agent, "mark_returned", [package])

    assert messages_on(response) == [
        "No package marked returned. Skipped 1: TRK-1 is waiting for destruction, not claimed."
    ]
    package.refresh_from_db()
    assert package.status == "destruction_pending"


def test_actions_touch_only_the_staffs_own_packages(agent, make, provider_y, seller_b):
    theirs = PackageFactory(provider=provider_y, seller=seller_b, claimed=True)

    response = run(agent, "mark_returned", [theirs])

    assert messages_on(response) == ["No package marked returned."]
    theirs.refresh_from_db()
    assert theirs.status == "claimed"


def test_select_across_acts_on_the_filtered_rows_of_the_staffs_provider(
    agent, make, provider_y, seller_b
):
    ours = [make(f"TRK-{n}", claimed=True) for n in range(3)]
    theirs = PackageFactory(provider=provider_y, seller=seller_b, claimed=True)

    response = agent.post(
        f"{PACKAGES}?status=claimed",
        {"action": "mark_returned", "_selected_action": [ours[0].pk], "select_across": "1"},
        follow=True,
    )

    assert messages_on(response) == ["3 packages marked returned."]
    assert FailedPackage.objects.filter(status="returned").count() == 3
    theirs.refresh_from_db()
    assert theirs.status == "claimed"


def test_a_skipped_list_names_the_first_ten(agent, make):
    waiting = [make(f"TRK-{n:02d}", awaiting=True) for n in range(12)]

    [message] = messages_on(run(agent, "mark_returned", waiting))

    assert message.startswith("No package marked returned. Skipped 12: TRK-00 is awaiting")
    assert "TRK-09" in message
    assert "TRK-10" not in message
    assert message.endswith("; and 2 more.")


def test_a_selection_larger_than_one_batch_is_refused_before_anything(agent, make, monkeypatch):
    monkeypatch.setattr(package_actions, "MAX_ROWS", 2)
    pending = [make(f"TRK-{n}", pending_destruction=True) for n in range(3)]

    response = run(agent, "confirm_destruction", pending)

    assert messages_on(response) == [
        "3 packages are selected; an action takes at most 2 at a time. "
        "Narrow the list with a filter. Nothing was changed."
    ]
    assert "Destruction reference" not in response.content.decode()
    assert not FailedPackage.objects.filter(status="destroyed").exists()


# --- phone claim ----------------------------------------------------------------------


def test_a_phone_claim_claims_open_packages_and_skips_closed_windows(agent, make):
    open_window = make("TRK-1", awaiting=True, claim_deadline=NOW + timedelta(days=2))
    closed = make(
        "TRK-2", awaiting=True, claim_deadline=datetime(2026, 3, 9, 16, 59, 59, tzinfo=UTC)
    )
    returned = make("TRK-3", returned=True)

    response = run(agent, "record_phone_claim", [open_window, closed, returned])

    assert messages_on(response) == [
        "1 package claimed for the seller, to be sent back. Skipped 2: "
        "TRK-2's claim window closed on 9 March at 23:59 Bangkok time; "
        "TRK-3 is returned, not awaiting the seller."
    ]
    open_window.refresh_from_db()
    assert (open_window.status, open_window.claimed_at) == ("claimed", NOW)
    [event] = open_window.events.all()
    assert (event.action, event.channel, event.actor.email, event.detail) == (
        "claimed",
        "admin",
        "xavier@swiftlane.example",
        "The seller phoned",
    )
    assert kinds(open_window) == {"claim_confirmed", "claim_received"}
    closed.refresh_from_db()
    assert closed.status == "awaiting_seller"


# --- failed attempt -------------------------------------------------------------------


def test_choosing_record_attempt_asks_when_and_why(agent, make):
    package = make("TRK-1")

    response = run(agent, "record_failed_attempt", [package])

    assert response.status_code == 200
    text = response.content.decode()
    assert "Record a failed delivery attempt" in text
    assert "Time of the attempt (UTC)" in text
    assert 'value="2026-03-10T09:00"' in text
    assert DeliveryAttempt.objects.count() == 0


def test_a_failed_attempt_is_recorded_and_the_last_one_notifies_the_seller(agent, make):
    first = make("TRK-1")
    third = make("TRK-2")
    AttemptFactory(package=third, number=1)
    AttemptFactory(package=third, number=2)
    claimed = make("TRK-3", claimed=True)

    response = answer(
        agent,
        "record_failed_attempt",
        [first, third, claimed],
        attempted_at="2026-03-10T08:15",
        failure_reason="Gate locked",
        courier_note="Called twice",
    )

    assert messages_on(response) == [
        "Failed attempt recorded for 2 packages. That was the last attempt for TRK-2: now "
        "awaiting the seller, who is sent the destruction notice. "
        "Skipped 1: TRK-3 is claimed, not in delivery."
    ]
    attempt = first.attempts.get()
    assert (attempt.number, attempt.attempted_at, attempt.failure_reason, attempt.courier_note) == (
        1,
        datetime(2026, 3, 10, 8, 15, tzinfo=UTC),
        "Gate locked",
        "Called twice",
    )
    first.refresh_from_db()
    assert first.status == "in_delivery"
    assert events(first) == [("attempt_failed", "admin", "xavier@swiftlane.example")]
    third.refresh_from_db()
    assert third.status == "awaiting_seller"
    assert third.claim_deadline is not None
    assert kinds(third) == {"destruction_notice"}
    assert not claimed.attempts.exists()


def test_an_attempt_time_still_to_come_is_refused(agent, make):
    package = make("TRK-1")

    response = answer(
        agent,
        "record_failed_attempt",
        [package],
        attempted_at="2026-03-10T12:00",
        failure_reason="Gate locked",
    )

    assert response.context["form"].errors == {
        "attempted_at": ["2026-03-10T12:00:00+00:00 is in the future."]
    }
    assert not package.attempts.exists()


# --- withdraw claim -------------------------------------------------------------------


def test_withdrawing_a_claim_needs_a_reason(agent, make):
    package = make("TRK-1", claimed=True)

    response = answer(agent, "withdraw_claim", [package], reason="   ")

    assert response.context["form"].errors == {"reason": ["This field is required."]}
    package.refresh_from_db()
    assert package.status == "claimed"


def test_a_withdrawn_claim_goes_to_destruction_and_tells_the_seller_why(agent, make):
    package = make("TRK-1", claimed=True)
    waiting = make("TRK-2", awaiting=True)

    response = answer(
        agent, "withdraw_claim", [package, waiting], reason="Nobody answered for a week"
    )

    assert messages_on(response) == [
        "Claim withdrawn for 1 package; now waiting for destruction. "
        "Skipped 1: TRK-2 is awaiting the seller, not claimed."
    ]
    package.refresh_from_db()
    assert (package.status, package.destruction_requested_at) == ("destruction_pending", NOW)
    assert package.events.get().detail == "Nobody answered for a week"
    assert kinds(package) == {"claim_withdrawn", "destruction_instruction"}
    notice = Notification.objects.get(package=package, kind="claim_withdrawn")
    assert "Nobody answered for a week" in notice.body_text


# --- confirm destruction --------------------------------------------------------------


def photo(name: str, content: bytes, content_type: str = "image/png") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type=content_type)


def test_confirming_destruction_asks_for_the_reference_and_lists_what_is_skipped(agent, make):
    pending = make("TRK-1", pending_destruction=True)
    waiting = make("TRK-2", awaiting=True)

    response = run(agent, "confirm_destruction", [pending, waiting])

    text = response.content.decode()
    assert "Destruction reference" in text
    assert 'enctype="multipart/form-data"' in text
    assert "Skipped: TRK-2 is awaiting the seller, not waiting for destruction" in text


def test_a_destruction_without_a_reference_is_refused(agent, make):
    package = make("TRK-1", pending_destruction=True)

    response = answer(agent, "confirm_destruction", [package], reference="", method="shredded")

    assert response.context["form"].errors == {"reference": ["This field is required."]}
    package.refresh_from_db()
    assert package.status == "destruction_pending"


def test_the_destruction_method_is_never_preselected(agent, make):
    package = make("TRK-1", pending_destruction=True)

    page = run(agent, "confirm_destruction", [package])

    method = page.context["form"]["method"]
    assert method.value() in (None, "")
    options = re.findall(r"<option value=\"([^\"]*)\"( selected)?", str(method))
    assert options[0] == ("", " selected")
    assert not any(selected for value, selected in options[1:])


def test_a_destruction_without_a_chosen_method_is_refused_and_says_so(agent, make):
    package = make("TRK-1", pending_destruction=True)

    response = answer(agent, "confirm_destruction", [package], reference="DX-1", method="")

    assert response.context["form"].errors == {
        "method": ["Choose how the packages were destroyed."]
    }
    package.refresh_from_db()
    assert (package.status, package.destruction_method) == ("destruction_pending", "")


def test_a_text_file_named_png_is_not_a_photo(agent, make):
    package = make("TRK-1", pending_destruction=True)

    response = answer(
        agent,
        "confirm_destruction",
        [package],
        reference="DX-77",
        method="shredded",
        photo=photo("evidence.png", b"just some text, not a picture\n"),
    )

    assert response.context["form"].errors == {
        "photo": ["The photo must be a JPEG or PNG picture."]
    }
    package.refresh_from_db()
    assert package.status == "destruction_pending"
    assert not package.destruction_photo


def test_destruction_is_confirmed_with_reference_method_and_photo(agent, make, xavier, settings):
    package = make("TRK-1", pending_destruction=True)
    destroyed = make("TRK-2", destroyed=True)

    response = answer(
        agent,
        "confirm_destruction",
        [package, destroyed],
        reference="DX-77",
        method="incinerated",
        photo=photo("IMG_0042.jpg", PNG, "image/jpeg"),
    )

    assert messages_on(response) == [
        "1 package confirmed destroyed; each seller gets a certificate. "
        "Skipped 1: TRK-2 is destroyed, not waiting for destruction."
    ]
    package.refresh_from_db()
    assert (package.status, package.destroyed_at, package.destroyed_by) == (
        "destroyed",
        NOW,
        xavier,
    )
    assert (package.destruction_reference, package.destruction_method) == ("DX-77", "incinerated")
    # Private, under a random name ending in what the content is, whatever the upload said.
    stored = Path(package.destruction_photo.path)
    assert stored.is_relative_to(settings.PRIVATE_MEDIA_ROOT)
    assert re.fullmatch(r"[0-9a-f]{32}\.png", stored.name)
    assert package.public_id not in package.destruction_photo.name
    assert package.destruction_photo.read() == PNG
    assert package.events.get().description() == "Incinerated, reference DX-77"
    assert kinds(package) == {"destroyed"}
    destroyed.refresh_from_db()
    assert destroyed.destruction_reference == "DX-1001"
