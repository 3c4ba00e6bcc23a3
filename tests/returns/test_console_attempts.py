"""The console's "record failed attempt" form, sent more than once, records one attempt."""

import pytest

from returns.models import DeliveryAttempt, FailedPackage
from tests.helpers import messages_on
from tests.returns.console import run

pytestmark = pytest.mark.usefixtures("console_clock")

ATTEMPT = {"attempted_at": "2026-03-10T08:15", "failure_reason": "Gate locked"}


def confirm_page(agent, packages) -> dict:
    """The hidden fields of the page that asks when and why, as the browser sends them back."""
    page = run(agent, "record_failed_attempt", packages)
    return {field.name: field.value() for field in page.context["form"].hidden_fields()}


def test_the_same_form_sent_three_times_records_one_attempt_and_says_so(agent, make):
    package = make("TRK-1")
    hidden = confirm_page(agent, [package])

    first, second, third = (
        run(agent, "record_failed_attempt", [package], confirm="yes", **hidden, **ATTEMPT)
        for _ in range(3)
    )

    assert package.attempts.count() == 1
    package.refresh_from_db()
    assert package.status == FailedPackage.Status.IN_DELIVERY
    assert messages_on(first) == ["Failed attempt recorded for 1 package."]
    for repeat in (second, third):
        [message] = messages_on(repeat)
        assert message.startswith("Failed attempt recorded for no package. Skipped 1: TRK-1 ")
        assert "this form was already sent" in message
        assert "nothing was recorded twice" in message


def test_a_form_opened_before_another_agent_recorded_an_attempt_records_nothing(agent, make):
    package = make("TRK-1")
    hidden = confirm_page(agent, [package])
    other_agent_page = confirm_page(agent, [package])
    run(agent, "record_failed_attempt", [package], confirm="yes", **other_agent_page, **ATTEMPT)

    response = run(agent, "record_failed_attempt", [package], confirm="yes", **hidden, **ATTEMPT)

    assert "nothing was recorded twice" in messages_on(response)[0]
    assert DeliveryAttempt.objects.count() == 1


def test_a_fresh_form_records_the_next_attempt(agent, make):
    package = make("TRK-1")
    for _ in range(2):
        hidden = confirm_page(agent, [package])
        run(agent, "record_failed_attempt", [package], confirm="yes", **hidden, **ATTEMPT)

    assert list(package.attempts.values_list("number", flat=True)) == [1, 2]


def test_a_form_without_its_token_asks_again(agent, make):
    package = make("TRK-1")

    response = run(agent, "record_failed_attempt", [package], confirm="yes", **ATTEMPT)

    assert response.context["form"].errors
    assert not package.attempts.exists()
