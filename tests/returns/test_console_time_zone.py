"""Provider staff see and type times in their provider's zone, named; operators keep UTC."""

from datetime import UTC, datetime

import pytest
from django.utils import timezone

from tests.returns.console import answer, run

pytestmark = pytest.mark.usefixtures("console_clock")


@pytest.fixture
def in_bangkok(provider_x):
    provider_x.time_zone = "Asia/Bangkok"
    provider_x.save()
    return provider_x


def test_a_bangkok_agent_types_10_00_and_the_attempt_is_stored_at_03_00_utc(
    agent, make, in_bangkok
):
    package = make("TRK-1")

    answer(
        agent,
        "record_failed_attempt",
        [package],
        attempted_at="2026-03-10T10:00",
        failure_reason="Gate locked",
    )

    assert package.attempts.get().attempted_at == datetime(2026, 3, 10, 3, 0, tzinfo=UTC)


def test_the_attempt_form_names_the_providers_zone_and_starts_at_its_local_time(
    agent, make, in_bangkok
):
    response = run(agent, "record_failed_attempt", [make("TRK-1")])

    text = response.content.decode()
    assert "Time of the attempt (Asia/Bangkok)" in text
    assert 'value="2026-03-10T16:00"' in text  # 09:00 UTC


def test_the_console_header_names_the_zone_times_are_in(agent, in_bangkok):
    response = agent.get("/admin/returns/failedpackage/")

    assert "Times are in Asia/Bangkok." in response.content.decode()


def test_an_operator_keeps_utc(admin_client, in_bangkok):
    response = admin_client.get("/admin/returns/failedpackage/")

    assert "Times are in UTC." in response.content.decode()


def test_the_zone_does_not_outlive_the_staff_request(agent, in_bangkok):
    agent.get("/admin/")

    assert timezone.get_current_timezone_name() == "UTC"
