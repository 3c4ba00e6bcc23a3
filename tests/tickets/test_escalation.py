"""Tickets without a staff answer after 24 hours: flagged and the provider told, once."""

from datetime import UTC, datetime, timedelta
from typing import Any
from unittest import mock

import pytest
import time_machine

from portal.errors import DomainError
from returns.models import Notification
from tests.builders import awaiting_package, question_ticket
from tests.helpers import snapshot
from tickets import emails, services, tasks
from tickets.models import Ticket

# 11 March 2026, 00:00 in Bangkok (seller A's zone).
NOW = datetime(2026, 3, 10, 17, 0, tzinfo=UTC)
DAY = timedelta(hours=24)
Status = Ticket.Status


@pytest.fixture
def clock():
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


@pytest.fixture
def new_ticket(clock, alice, seller_a, provider_x):
    """A question opened now (NOW), about a package of seller A at provider X."""

    def make(body: str = "Where is it now?") -> Ticket:
        return question_ticket(awaiting_package(seller_a, provider_x), alice, body=body)

    return make


def overdue_notices() -> list[Notification]:
    return list(Notification.objects.filter(kind=Notification.Kind.TICKET_OVERDUE))


def everything() -> tuple[list[dict[str, Any]], ...]:
    """Every row the escalation job may write."""
    return snapshot(Ticket, Notification)


def test_an_unanswered_ticket_is_flagged_and_the_provider_told_once(clock, new_ticket):
    ticket = new_ticket(body="Is the box still sealed?")
    clock.shift(DAY + timedelta(minutes=1))

    summary = tasks.escalate_overdue_tickets()

    assert str(summary) == "escalate_overdue_tickets: 1 done, 0 skipped, 0 failed"
    ticket.refresh_from_db()
    assert ticket.escalated_at == NOW + DAY + timedelta(minutes=1)
    assert ticket.status == Status.OPEN
    [notice] = overdue_notices()
    assert (notice.to_email, notice.audience, notice.ticket_reference) == (
        "ops@swiftlane.example",
        Notification.Audience.PROVIDER,
        ticket.reference,
    )
    assert notice.subject == (
        f"Overdue: ticket {ticket.reference} from Shop A has no answer after 24 hours"
    )
    admin_url = f"https://returns.example/admin/tickets/ticket/{ticket.pk}/change/?lang=en"
    assert admin_url in notice.body_text
    assert f'href="{admin_url}"' in notice.body_html
    assert "Is the box still sealed?" in notice.body_text
    assert "opened ticket" in notice.body_text and "11 March 2026 at 00:00" in notice.body_text


def test_running_the_job_again_flags_nothing_twice(clock, new_ticket):
    new_ticket()
    clock.shift(DAY + timedelta(hours=1))
    tasks.escalate_overdue_tickets()
    after_first = everything()

    clock.shift(timedelta(minutes=30))
    again = tasks.escalate_overdue_tickets()

    assert str(again) == "escalate_overdue_tickets: 0 done, 0 skipped, 0 failed"
    assert everything() == after_first
    assert len(overdue_notices()) == 1


def test_a_ticket_is_not_overdue_until_24_hours_have_passed(clock, new_ticket):
    ticket = new_ticket()
    clock.shift(DAY)

    summary = tasks.escalate_overdue_tickets()

    assert summary.done == 0
    ticket.refresh_from_db()
    assert ticket.escalated_at is None
    assert not ticket.is_overdue()
    assert overdue_notices() == []


def test_answered_resolved_and_closed_tickets_are_not_escalated(clock, new_ticket, xavier):
    answered = new_ticket()
    services.reply_as_staff(ticket=answered, author=xavier, body="On shelf B-07.")
    answered.refresh_from_db()
    services.reply_as_seller(ticket=answered, author=answered.created_by, body="Thanks!")
    resolved = new_ticket()
    services.change_ticket_status(ticket=resolved, status=Status.RESOLVED, actor=xavier)
    closed = new_ticket()
    services.close_ticket(ticket=closed)
    clock.shift(3 * DAY)

    summary = tasks.escalate_overdue_tickets()

    assert summary.done == 0
    assert not Ticket.objects.filter(escalated_at__isnull=False).exists()
    assert overdue_notices() == []


def test_an_internal_note_is_not_an_answer_so_the_ticket_is_still_escalated(
    clock, new_ticket, xavier
):
    ticket = new_ticket()
    services.reply_as_staff(ticket=ticket, author=xavier, body="Ask the courier", internal=True)
    clock.shift(DAY + timedelta(seconds=1))

    summary = tasks.escalate_overdue_tickets()

    assert summary.done == 1
    ticket.refresh_from_db()
    assert ticket.first_response_at is None
    assert ticket.escalated_at is not None


def test_dry_run_lists_the_tickets_and_changes_nothing(clock, new_ticket):
    ticket = new_ticket()
    clock.shift(2 * DAY)
    before = everything()

    summary = tasks.escalate_overdue_tickets(dry_run=True)

    assert everything() == before
    assert str(summary) == "escalate_overdue_tickets (dry run): 1 would change, nothing was changed"
    assert summary.details == [
        f"{ticket.reference} (Shop A): unanswered since 11 March at 00:00 Bangkok time; "
        "tell ops@swiftlane.example"
    ]


def test_a_ticket_whose_notice_fails_does_not_stop_the_others(clock, new_ticket, caplog):
    first, poisoned, last = new_ticket(), new_ticket(), new_ticket()
    clock.shift(DAY + timedelta(hours=2))
    real_notice = emails.ticket_overdue

    def notice_failing_for_poisoned(ticket, **kwargs):
        if ticket.pk == poisoned.pk:
            raise RuntimeError("template exploded")
        return real_notice(ticket, **kwargs)

    with mock.patch("tickets.emails.ticket_overdue", notice_failing_for_poisoned):
        summary = tasks.escalate_overdue_tickets()

    assert str(summary) == "escalate_overdue_tickets: 2 done, 0 skipped, 1 failed"
    assert summary.details == [f"failed {poisoned.reference}: RuntimeError: template exploded"]
    assert f"{poisoned.reference} failed" in caplog.text
    flagged = set(Ticket.objects.filter(escalated_at__isnull=False).values_list("pk", flat=True))
    assert flagged == {first.pk, last.pk}  # the poisoned row's flag was rolled back with it

    clock.shift(timedelta(minutes=30))
    retry = tasks.escalate_overdue_tickets()

    assert (retry.done, retry.failed) == (1, 0)
    assert len(overdue_notices()) == 3


def test_escalating_a_ticket_answered_meanwhile_is_refused_with_the_reason(
    clock, new_ticket, xavier
):
    ticket = new_ticket()
    clock.shift(2 * DAY)
    stale = Ticket.objects.get(pk=ticket.pk)
    services.reply_as_staff(ticket=ticket, author=xavier, body="Sorry for the wait.")

    with pytest.raises(DomainError, match="is answered on 13 March at 00:00 Bangkok time"):
        services.escalate_ticket(ticket=stale)

    assert overdue_notices() == []


def test_escalating_twice_is_refused_and_tells_nobody_again(clock, new_ticket):
    ticket = new_ticket()
    clock.shift(2 * DAY)
    services.escalate_ticket(ticket=ticket)

    with pytest.raises(DomainError, match="already escalated on 13 March at 00:00"):
        services.escalate_ticket(ticket=Ticket.objects.get(pk=ticket.pk))

    assert len(overdue_notices()) == 1
