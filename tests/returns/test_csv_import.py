"""Importing a provider's CSV file: every row checked, good rows registered, nothing twice."""

import csv
import io
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.utils import timezone

from portal.errors import DomainError
from returns import delivery
from returns.csv_import import import_packages
from returns.management.commands.import_packages import Command as ImportCommand
from returns.models import DeliveryAttempt, FailedPackage, Notification, PackageEvent

HEADER = [
    "tracking_number",
    "shop_code",
    "order_id",
    "description",
    "declared_value",
    "currency",
    "attempt_1_at",
    "attempt_1_reason",
    "attempt_2_at",
    "attempt_2_reason",
    "attempt_3_at",
    "attempt_3_reason",
    "outcome",
    "outcome_at",
    "outcome_note",
]

WEIGHTED = [*HEADER, "weight_grams"]


def when(hours_ago: int) -> str:
    return (timezone.now() - timedelta(hours=hours_ago)).strftime("%Y-%m-%dT%H:%M:%S%z")


def row(tracking: str, shop: str = "SHOP-A", **cells) -> dict:
    return {"tracking_number": tracking, "shop_code": shop, "order_id": f"O-{tracking}", **cells}


def failed(*hours_ago: int) -> dict:
    cells = {}
    for number, hours in enumerate(hours_ago, start=1):
        cells[f"attempt_{number}_at"] = when(hours)
        cells[f"attempt_{number}_reason"] = "Nobody at the address"
    return cells


def csv_bytes(*rows: dict, header: list[str] = HEADER) -> bytes:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=header)
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue().encode()


GOOD_FILE = [
    row("TRK-1", description="Speaker", declared_value="49.90", currency="THB"),
    row("TRK-2", **failed(30, 20, 10)),
    row("TRK-3", **failed(30), outcome="delivered", outcome_at=when(5)),
    row("TRK-4", shop="SHOP-B", outcome="rejected", outcome_at=when(5), outcome_note="Refused"),
]


@pytest.fixture
def good_file(seller_a, seller_b) -> bytes:
    return csv_bytes(*GOOD_FILE)


def statuses() -> dict[str, str]:
    return dict(FailedPackage.objects.values_list("tracking_number", "status"))


def test_a_good_file_registers_every_package_with_its_attempts_and_outcome(provider_x, good_file):
    report = import_packages(provider=provider_x, data=good_file)

    assert str(report) == "4 imported, 0 already registered, 0 with errors"
    assert [r.line for r in report.imported] == [2, 3, 4, 5]
    assert statuses() == {
        "TRK-1": "in_delivery",
        "TRK-2": "awaiting_seller",
        "TRK-3": "returned",
        "TRK-4": "destruction_pending",
    }
    speaker = FailedPackage.objects.get(tracking_number="TRK-1")
    assert (speaker.description, str(speaker.declared_value), speaker.currency) == (
        "Speaker",
        "49.90",
        "THB",
    )
    assert FailedPackage.objects.get(tracking_number="TRK-4").seller.shop_code == "SHOP-B"
    assert DeliveryAttempt.objects.filter(package__tracking_number="TRK-2").count() == 3
    assert set(PackageEvent.objects.values_list("channel", flat=True)) == {"csv"}
    notice = Notification.objects.get(kind="destruction_notice")
    assert notice.package.tracking_number == "TRK-2"


def test_bad_rows_are_reported_by_line_and_reason_and_the_good_rows_imported(provider_x, seller_a):
    data = csv_bytes(
        row("TRK-1"),
        row("TRK-2", shop="SHOP-Z"),
        row(""),
        row("TRK-3", attempt_1_at="03/04/2026 9am", attempt_1_reason="Closed"),
        row("TRK-1"),
        row("TRK-4", **failed(5, 10)),
        row("TRK-5", attempt_2_at=when(3), attempt_2_reason="Closed"),
        row("TRK-6", attempt_1_at=when(-48), attempt_1_reason="Closed"),
        row("TRK-7", declared_value="12.5"),
        row("TRK-8"),
    )

    report = import_packages(provider=provider_x, data=data)

    assert [(r.line, r.tracking_number) for r in report.imported] == [(2, "TRK-1"), (11, "TRK-8")]
    errors = {r.line: r.message for r in report.errors}
    assert errors[3] == "no seller has the shop code SHOP-Z"
    assert errors[4] == "tracking_number is missing"
    assert errors[5] == "attempt_1_at “03/04/2026 9am” is not a time like 2026-03-03 15:20"
    assert errors[6] == "tracking number TRK-1 is also on line 2"
    assert errors[7] == "the attempts are not in time order"
    assert errors[8] == "attempt_2 is given but attempt_1 is not"
    assert errors[9].startswith("attempt_1_at ") and errors[9].endswith(" is in the future")
    assert errors[10] == "a declared_value needs its currency"
    assert sorted(statuses()) == ["TRK-1", "TRK-8"]
    assert not report.ok


def test_a_row_the_state_machine_refuses_leaves_nothing_of_itself(
    provider_x, seller_a, monkeypatch
):
    def refuse(**kwargs):
        raise DomainError("The courier's scanner was unplugged.")

    monkeypatch.setattr(delivery, "record_delivered", refuse)
    data = csv_bytes(
        row("TRK-1", **failed(30), outcome="delivered", outcome_at=when(5)),
        row("TRK-2"),
    )

    report = import_packages(provider=provider_x, data=data)

    [error] = report.errors
    assert (error.line, error.message) == (2, "The courier's scanner was unplugged.")
    assert list(statuses()) == ["TRK-2"]
    assert DeliveryAttempt.objects.count() == 0
    assert PackageEvent.objects.filter(package__tracking_number="TRK-1").count() == 0


def test_values_the_database_cannot_hold_are_reported_by_line_and_the_other_rows_imported(
    provider_x, seller_a
):
    data = csv_bytes(
        row("TRK-1"),
        row("TRK-2", **{**failed(30), "attempt_1_reason": "Nobody home. " * 20}),
        row("TRK-3", description="Speaker\x00", **failed(30)),
        row("TRK-4\x00"),
        row("TRK-5", **failed(30, 20, 10)),
    )

    report = import_packages(provider=provider_x, data=data)

    errors = {r.line: r.message for r in report.errors}
    assert errors == {
        3: "attempt_1_reason is longer than 200 characters",
        4: "a NUL character (\\x00) cannot be stored; found in description",
        5: "a NUL character (\\x00) cannot be stored; found in tracking_number, order_id",
    }
    assert [(r.line, r.tracking_number) for r in report.imported] == [(2, "TRK-1"), (6, "TRK-5")]
    assert sorted(statuses()) == ["TRK-1", "TRK-5"]
    assert DeliveryAttempt.objects.count() == 3
    assert not PackageEvent.objects.exclude(package__tracking_number__in=["TRK-1", "TRK-5"])


def test_a_line_too_long_to_parse_is_reported_and_nothing_is_imported(provider_x, seller_a):
    data = csv_bytes(row("TRK-1"), row("TRK-2", description="x" * 200_000), row("TRK-3"))

    report = import_packages(provider=provider_x, data=data)

    assert report.file_errors == [
        "Line 3 cannot be read as CSV: field larger than field limit (131072)."
    ]
    assert str(report).startswith("Nothing imported: Line 3 cannot be read as CSV")
    assert FailedPackage.objects.count() == 0


def test_importing_the_same_file_again_creates_nothing_new(provider_x, good_file):
    import_packages(provider=provider_x, data=good_file)
    counts = (FailedPackage.objects.count(), PackageEvent.objects.count())

    report = import_packages(provider=provider_x, data=good_file)

    assert str(report) == "0 imported, 4 already registered, 0 with errors"
    assert report.ok
    assert (FailedPackage.objects.count(), PackageEvent.objects.count()) == counts
    assert Notification.objects.filter(kind="destruction_notice").count() == 1


def test_another_provider_may_import_the_same_tracking_numbers(provider_x, provider_y, good_file):
    import_packages(provider=provider_x, data=good_file)

    report = import_packages(provider=provider_y, data=good_file)

    assert len(report.imported) == 4
    assert FailedPackage.objects.filter(provider=provider_y).count() == 4


def test_a_file_with_missing_or_unknown_columns_imports_nothing(provider_x, seller_a):
    data = b"tracking_number,shop_code,atempt_1_at,attempt_4_at\nTRK-1,SHOP-A,,\n"

    report = import_packages(provider=provider_x, data=data)

    assert report.file_errors == [
        "Required columns are missing: order_id.",
        "Unknown columns: atempt_1_at, attempt_4_at.",
        "At most 3 attempts are recorded.",
    ]
    assert report.rows == []
    assert FailedPackage.objects.count() == 0


def test_a_file_that_is_not_utf8_is_refused(provider_x):
    report = import_packages(provider=provider_x, data="tracking_number;Größe".encode("latin-1"))

    assert report.file_errors == ["The file is not UTF-8 text; save it as “CSV UTF-8”."]


def test_a_spreadsheet_export_with_a_byte_order_mark_and_empty_rows_is_read(provider_x, seller_a):
    data = "\ufeffTracking_Number,Shop_Code,Order_ID\r\nTRK-1,SHOP-A,O-1\r\n,,\r\n".encode()

    report = import_packages(provider=provider_x, data=data)

    assert str(report) == "1 imported, 0 already registered, 0 with errors"


def test_times_without_an_offset_are_in_the_portal_time_zone(provider_x, seller_a, settings):
    data = csv_bytes(row("TRK-1", attempt_1_at="2026-03-03 15:20", attempt_1_reason="Closed"))

    with time_machine.travel(datetime(2026, 3, 4, tzinfo=UTC)):
        import_packages(provider=provider_x, data=data)

    attempt = DeliveryAttempt.objects.get()
    assert settings.TIME_ZONE == "UTC"
    assert attempt.attempted_at == datetime(2026, 3, 3, 15, 20, tzinfo=UTC)


# --- the command ----------------------------------------------------------------------


def write(tmp_path, data: bytes):
    path = tmp_path / "packages.csv"
    path.write_bytes(data)
    return str(path)


def test_the_command_prints_each_row_and_a_summary(provider_x, good_file, tmp_path, capsys):
    path = write(tmp_path, good_file)
    call_command("import_packages", "swiftlane", path)
    capsys.readouterr()

    call_command("import_packages", "swiftlane", path)

    out = capsys.readouterr().out.splitlines()
    assert out[0] == "line 2: TRK-1 already registered"
    assert out[-1] == "0 imported, 4 already registered, 0 with errors"


def test_the_command_fails_after_reporting_the_bad_rows(provider_x, seller_a, tmp_path, capsys):
    path = write(tmp_path, csv_bytes(row("TRK-1"), row("TRK-2", shop="SHOP-Z")))

    with pytest.raises(CommandError, match="Some rows were not imported"):
        call_command("import_packages", "swiftlane", path)

    out = capsys.readouterr().out.splitlines()
    assert out == [
        "line 2: TRK-1 imported",
        "line 3: TRK-2 error: no seller has the shop code SHOP-Z",
        "1 imported, 0 already registered, 1 with errors",
    ]
    assert list(statuses()) == ["TRK-1"]


def test_the_command_reports_a_file_it_cannot_parse(provider_x, seller_a, tmp_path, capsys):
    path = write(tmp_path, csv_bytes(row("TRK-1", description="x" * 200_000)))

    with pytest.raises(CommandError, match="Some rows were not imported"):
        call_command("import_packages", "swiftlane", path)

    captured = capsys.readouterr()
    assert captured.err.splitlines() == [
        "Line 2 cannot be read as CSV: field larger than field limit (131072)."
    ]
    assert captured.out.splitlines() == [
        "Nothing imported: Line 2 cannot be read as CSV: field larger than field limit (131072)."
    ]


def test_the_command_refuses_an_unknown_provider(db, tmp_path):
    with pytest.raises(CommandError, match="No provider has the code 'nobody'"):
        call_command("import_packages", "nobody", write(tmp_path, b""))


def test_the_command_help_documents_the_file_format():
    help_text = ImportCommand().create_parser("manage.py", "import_packages").format_help()

    for column in ("tracking_number", "shop_code", "attempt_1_at", "outcome_at"):
        assert column in help_text


# --- the upload (PostgreSQL) ----------------------------------------------------------


@pytest.mark.postgres
def test_an_upload_with_values_postgresql_refuses_answers_with_its_report(
    client_for, operator, provider_x, seller_a
):
    """SQLite stores an over-long reason or a NUL; PostgreSQL raised, and the upload gave a 500."""
    data = csv_bytes(
        row("TRK-1", **{**failed(30), "attempt_1_reason": "x" * 201}),
        row("TRK-2", description="Speaker\x00"),
        row("TRK-3"),
    )
    upload = SimpleUploadedFile("packages.csv", data, content_type="text/csv")

    response = client_for(operator).post(
        "/admin/returns/failedpackage/import/", {"provider": provider_x.pk, "file": upload}
    )

    assert response.status_code == 200
    text = response.content.decode()
    assert "1 imported, 0 already registered, 2 with errors" in text
    assert "attempt_1_reason is longer than 200 characters" in text
    assert "found in description" in text
    assert list(statuses()) == ["TRK-3"]


@pytest.mark.parametrize("weight", ["²", "٣", "１２", "-5", "5.0"])
def test_a_weight_in_anything_but_ascii_digits_is_reported_on_its_row(provider_x, seller_a, weight):
    data = csv_bytes(
        row("TRK-1", weight_grams=weight), row("TRK-2", weight_grams="850"), header=WEIGHTED
    )

    report = import_packages(provider=provider_x, data=data)

    assert [(r.line, r.message) for r in report.errors] == [
        (2, f"weight_grams “{weight}” is not a whole number of grams")
    ]
    assert FailedPackage.objects.get().weight_grams == 850
