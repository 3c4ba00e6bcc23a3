"""A send-back ticket filed without a sign-in tells the provider as every ticket does.

The standing instruction files it on the intake API's busiest event, so its notice to
the provider is written unrendered and rendered by the outbox when it sends it: the
email must be the one `tickets.emails.ticket_created` renders as it writes it.
"""

from django.core import mail

from portal.emails import render_email
from returns import outbox
from returns.models import Notification
from returns.notice_queue import queue_unrendered
from tests.returns.instructions_helpers import Rule, fail, set_rule
from tickets import emails
from tickets.models import Ticket

Kind = Notification.Kind


def test_the_rules_ticket_reaches_the_provider_as_a_filed_ticket_does(
    seller_a, provider_x, address
):
    provider_x.language = "vi"
    provider_x.save()
    set_rule(seller_a, Rule.SEND_BACK)
    package = fail(seller_a, provider_x)
    ticket = Ticket.objects.get(package=package)
    notice = Notification.objects.get(kind=Kind.TICKET_CREATED)
    assert (notice.subject, notice.dedupe_key) == ("", f"ticket_created:{ticket.reference}")

    outbox.deliver_notifications()

    opening = ticket.messages.get()
    expected = render_email(
        Kind.TICKET_CREATED,
        emails._context(
            ticket, opening, admin_url=emails._admin_ticket_url(ticket), for_seller=False
        ),
        language="vi",
    )
    notice.refresh_from_db()
    assert notice.status == Notification.Status.SENT
    assert (notice.subject, notice.body_text, notice.body_html, notice.language) == (
        expected.subject,
        expected.text,
        expected.html,
        "vi",
    )
    assert ticket.reference in notice.subject
    assert "12 Sukhumvit Soi 11" in notice.body_text  # the default return address
    [sent] = [m for m in mail.outbox if m.subject == notice.subject]
    assert sent.to == [provider_x.ops_email]


def test_a_second_send_back_ticket_of_one_package_gets_its_own_notice(
    seller_a, provider_x, address
):
    """Keyed by the ticket, not the package: undone and claimed again, both are told."""
    set_rule(seller_a, Rule.SEND_BACK)
    package = fail(seller_a, provider_x)
    first = Ticket.objects.get(package=package)
    second = Ticket(reference="TK-SECOND", package=package, seller=seller_a, provider=provider_x)

    for ticket in (first, second):  # the first asked again: the same row
        queue_unrendered(package, [emails.ticket_created_unrendered(ticket.reference)])

    assert sorted(
        Notification.objects.filter(kind=Kind.TICKET_CREATED).values_list(
            "ticket_reference", flat=True
        )
    ) == sorted([first.reference, "TK-SECOND"])
