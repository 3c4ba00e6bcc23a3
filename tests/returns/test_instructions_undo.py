"""Standing instructions: the undo link reopens the decision the seller's rule made."""

from datetime import timedelta

import pytest
import time_machine
from django.core import mail
from django.test import Client
from django.urls import reverse

from returns import outbox, services
from returns.models import ActionLink, Channel, Notification
from tests.returns.instructions_helpers import (
    Kind,
    Rule,
    Status,
    fail,
    kinds,
    set_rule,
    undo,
    undo_token,
)
from tickets.models import Ticket

pytestmark = pytest.mark.django_db


# --- undo -------------------------------------------------------------------------------


def test_undo_of_a_send_back_reopens_the_decision_and_closes_the_rules_ticket(
    seller_a, provider_x, address
):
    set_rule(seller_a, Rule.SEND_BACK)
    package = fail(seller_a, provider_x)
    ticket = Ticket.objects.get(package=package)

    response = undo(package)

    assert response.status_code == 200
    assert "waiting for your decision again" in response.content.decode()
    package.refresh_from_db()
    assert package.status == Status.AWAITING_SELLER and package.claimed_at is None
    ticket.refresh_from_db()
    assert ticket.status == Ticket.Status.CLOSED
    event = package.events.get(action="instruction_undone")
    assert (event.channel, event.facts) == (
        Channel.EMAIL,
        {"rule": "send_back", "undone": "claimed"},
    )
    assert kinds(package) >= {Kind.INSTRUCTION_UNDONE, Kind.DESTRUCTION_NOTICE}
    # Asked as usual now: the destruction notice's buttons work.
    notice = Notification.objects.get(package=package, kind=Kind.DESTRUCTION_NOTICE)
    assert {link.action for link in ActionLink.objects.filter(notification=notice)} == {
        "send_back",
        "let_go",
    }


def test_undo_of_a_release_reopens_the_decision(seller_a, provider_x):
    set_rule(seller_a, Rule.LET_GO)
    package = fail(seller_a, provider_x)

    assert undo(package).status_code == 200

    package.refresh_from_db()
    assert package.status == Status.AWAITING_SELLER
    assert package.released_at is None and package.destruction_requested_at is None
    provider_notice = Notification.objects.get(package=package, kind=Kind.INSTRUCTION_UNDONE)
    assert "do not destroy it" in provider_notice.body_text


def test_undo_works_once(seller_a, provider_x):
    set_rule(seller_a, Rule.LET_GO)
    package = fail(seller_a, provider_x)
    token = undo_token(package)
    undo(package, token)

    again = undo(package, token)

    assert again.status_code == 409
    assert "already waiting for your decision again" in again.content.decode()
    assert package.events.filter(action="instruction_undone").count() == 1


def test_undo_after_the_deadline_is_refused(seller_a, provider_x, address):
    set_rule(seller_a, Rule.SEND_BACK)
    package = fail(seller_a, provider_x)
    token = undo_token(package)

    with time_machine.travel(package.claim_deadline + timedelta(seconds=1), tick=False):
        response = undo(package, token)

    assert response.status_code == 409
    assert "could be undone until" in response.content.decode()
    package.refresh_from_db()
    assert package.status == Status.CLAIMED


def test_undo_after_the_provider_moved_on_is_refused(seller_a, provider_x, address, xavier):
    set_rule(seller_a, Rule.SEND_BACK)
    package = fail(seller_a, provider_x)
    services.mark_returned(package=package, actor=xavier, channel=Channel.ADMIN)

    response = undo(package)

    assert response.status_code == 409
    assert "was returned to you on" in response.content.decode()


def test_undo_of_a_decision_the_seller_made_is_refused(seller_a, provider_x, alice):
    package = fail(seller_a, provider_x)
    services.release_package(package=package, actor=alice, channel=Channel.WEB)

    with pytest.raises(services.DomainError, match="not decided by your standing instruction"):
        services.undo_standing_instruction(package=package, channel=Channel.WEB)


def test_undo_after_the_package_was_destroyed_is_refused(seller_a, provider_x, xavier):
    set_rule(seller_a, Rule.LET_GO)
    package = fail(seller_a, provider_x)
    services.confirm_destruction(
        package=package, reference="D-1", method="shredded", actor=xavier, channel="admin"
    )

    response = undo(package)

    assert response.status_code == 409
    assert "was destroyed on" in response.content.decode()


def test_the_undo_page_shows_what_the_rule_did_and_changes_nothing(seller_a, provider_x):
    set_rule(seller_a, Rule.LET_GO)
    package = fail(seller_a, provider_x)
    before = package.events.count()

    response = Client().get(reverse("tickets:act") + "?t=" + undo_token(package))

    assert response.status_code == 200
    page = response.content.decode()
    assert "Undo your standing instruction for package" in page
    assert "asked SwiftLane to destroy it" in page
    package.refresh_from_db()
    assert package.status == Status.DESTRUCTION_PENDING
    assert package.events.count() == before


def test_after_an_undo_the_sellers_next_decision_reaches_the_provider(seller_a, provider_x):
    set_rule(seller_a, Rule.LET_GO)
    package = fail(seller_a, provider_x)
    assert undo(package).status_code == 200

    services.release_package(package=package, channel=Channel.WEB)

    instructions_sent = Notification.objects.filter(
        package=package, kind=Kind.DESTRUCTION_INSTRUCTION
    )
    assert instructions_sent.count() == 2  # the rule's, kept, and the seller's own
    assert instructions_sent.filter(
        dedupe_key=f"{Kind.DESTRUCTION_INSTRUCTION}:{package.pk}"
    ).exists()


def test_undo_closes_the_rules_ticket_even_once_staff_resolved_it(seller_a, provider_x, address):
    set_rule(seller_a, Rule.SEND_BACK)
    package = fail(seller_a, provider_x)
    Ticket.objects.filter(package=package).update(status=Ticket.Status.RESOLVED)

    assert undo(package).status_code == 200

    ticket = Ticket.objects.get(package=package)
    assert ticket.status == Ticket.Status.CLOSED
    assert ticket.messages.filter(body__startswith="Closed: the seller undid").count() == 1


@pytest.mark.parametrize("rule", [Rule.SEND_BACK, Rule.LET_GO])
def test_an_undo_before_the_decision_was_emailed_keeps_its_provider_notices_unsent(
    seller_a, provider_x, address, rule
):
    """The mail server was down: the provider must not be told later to destroy, or to
    keep for a ticket closed since, a package waiting for its seller again."""
    set_rule(seller_a, rule)
    package = fail(seller_a, provider_x)  # nothing delivered yet
    decided = [Kind.CLAIM_RECEIVED, Kind.TICKET_CREATED] if rule == Rule.SEND_BACK else []
    decided = decided or [Kind.DESTRUCTION_INSTRUCTION]

    services.undo_standing_instruction(package=package, channel=Channel.WEB)
    outbox.deliver_notifications()

    statuses = dict(Notification.objects.filter(package=package).values_list("kind", "status"))
    assert {kind: statuses[kind] for kind in decided} == dict.fromkeys(decided, "muted")
    assert statuses[Kind.INSTRUCTION_UNDONE] == statuses[Kind.DESTRUCTION_NOTICE] == "sent"
    provider_emails = [m.subject for m in mail.outbox if m.to == [provider_x.ops_email]]
    assert len(provider_emails) == 1  # the undo's: wait for the seller


def test_an_undo_after_the_decision_was_emailed_leaves_what_was_sent(seller_a, provider_x, address):
    set_rule(seller_a, Rule.LET_GO)
    package = fail(seller_a, provider_x)
    outbox.deliver_notifications()

    services.undo_standing_instruction(package=package, channel=Channel.WEB)

    rule_notice = Notification.objects.get(package=package, kind=Kind.DESTRUCTION_INSTRUCTION)
    assert rule_notice.status == "sent"
