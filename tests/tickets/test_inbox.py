"""The staff inbox in the provider console: scoped to the provider, overdue first, actions."""

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from pytest_django.asserts import assertContains, assertNotContains

from portal.errors import DomainError
from tests.builders import awaiting_package, file_ticket, question_ticket
from tests.factories import PackageFactory, UserFactory
from tests.helpers import messages_on
from tickets import services
from tickets.models import Ticket
from tickets.worklist import ticket_work

INBOX = "/admin/tickets/ticket/"
NOW = datetime(2026, 3, 10, 17, 0, tzinfo=UTC)
Status = Ticket.Status


def page_of(ticket: Ticket, view: str = "change") -> str:
    return f"{INBOX}{ticket.pk}/{view}/"


def listed(response) -> list[str]:
    return [ticket.reference for ticket in response.context["cl"].result_list]


@pytest.fixture
def ticket_x(staff, alice, seller_a, provider_x) -> Ticket:
    """Seller A's question to provider X."""
    return question_ticket(awaiting_package(seller_a, provider_x), alice)


@pytest.fixture
def ticket_y(staff, alice, seller_a, provider_y) -> Ticket:
    """Seller A's question to provider Y: xavier must never see it."""
    return question_ticket(awaiting_package(seller_a, provider_y), alice, body="Secret for Y")


# --- scoping --------------------------------------------------------------------------


def test_staff_see_only_their_own_providers_tickets(client_for, xavier, ticket_x, ticket_y):
    response = client_for(xavier).get(INBOX)

    assert response.status_code == 200
    assert listed(response) == [ticket_x.reference]
    assertNotContains(response, ticket_y.reference)
    assertNotContains(response, ticket_y.package.tracking_number)


@pytest.mark.parametrize(
    ("view", "method"),
    [
        ("change", "get"),
        ("change", "post"),
        ("history", "get"),
        ("delete", "post"),
        ("reply", "post"),
        ("assign", "post"),
        ("status", "post"),
    ],
)
def test_another_providers_ticket_is_not_found_on_any_console_page(
    client_for, xavier, ticket_y, view, method
):
    before = list(Ticket.objects.values())

    response = getattr(client_for(xavier), method)(
        page_of(ticket_y, view), {"body": "x", "send_as": "reply", "status": "closed"}
    )

    assert response.status_code == 404
    assert list(Ticket.objects.values()) == before
    assert ticket_y.messages.count() == 1


def test_an_unknown_ticket_id_is_a_404_not_a_redirect(client_for, xavier, staff):
    assert client_for(xavier).get(f"{INBOX}999999/change/").status_code == 404


@pytest.mark.parametrize(
    "query",
    [
        {"q": "{reference}"},
        {"q": "{tracking}"},
        {"q": "Question"},
        {"assigned": "nobody"},
        {"response": "awaiting"},
        {"status": "open"},
        {"category": "question"},
    ],
)
def test_search_and_filters_never_show_another_providers_ticket(
    client_for, xavier, ticket_x, ticket_y, query
):
    values = {"reference": ticket_y.reference, "tracking": ticket_y.package.tracking_number}
    query = {key: value.format(**values) for key, value in query.items()}

    response = client_for(xavier).get(INBOX, query)

    assert ticket_y.reference not in listed(response)
    if "q" not in query:  # the search box shows what was searched for
        assertNotContains(response, ticket_y.reference)


def test_search_finds_a_ticket_by_reference_tracking_number_or_subject(
    client_for, xavier, ticket_x, alice, seller_a, provider_x
):
    other = question_ticket(awaiting_package(seller_a, provider_x), alice)
    Ticket.objects.filter(pk=other.pk).update(subject="Broken seal on the box")
    client = client_for(xavier)

    by_reference = client.get(INBOX, {"q": ticket_x.reference.lower()})
    by_tracking = client.get(INBOX, {"q": ticket_x.package.tracking_number})
    by_subject = client.get(INBOX, {"q": "broken seal"})

    assert listed(by_reference) == listed(by_tracking) == [ticket_x.reference]
    assert listed(by_subject) == [other.reference]


def test_operators_see_every_providers_tickets(client_for, operator, ticket_x, ticket_y):
    client = client_for(operator)

    assert set(listed(client.get(INBOX))) == {ticket_x.reference, ticket_y.reference}
    assert client.get(page_of(ticket_y)).status_code == 200


def test_staff_outside_the_provider_staff_group_cannot_open_the_inbox(
    client_for, provider_x, ticket_x
):
    newcomer = UserFactory(email="new@swiftlane.example", provider=provider_x, is_staff=True)

    assert client_for(newcomer).get(INBOX).status_code == 403
    assert client_for(newcomer).get(page_of(ticket_x)).status_code == 403


def test_the_assignee_can_only_be_one_of_the_providers_active_staff(
    client_for, xavier, yvonne, provider_x, ticket_x
):
    colleague = UserFactory(email="xena@swiftlane.example", provider=provider_x, is_staff=True)
    UserFactory(email="gone@swiftlane.example", provider=provider_x, is_staff=True, is_active=False)
    client = client_for(xavier)

    form = client.get(page_of(ticket_x)).context["adminform"].form
    refused = client.post(page_of(ticket_x), {"assignee": yvonne.pk})

    assert set(form.fields["assignee"].queryset) == {xavier, colleague}
    assert refused.status_code == 200
    assert "assignee" in refused.context["adminform"].form.errors
    ticket_x.refresh_from_db()
    assert ticket_x.assignee is None


def test_a_question_can_be_linked_only_to_the_sellers_packages_at_the_provider(
    client_for, xavier, seller_a, seller_b, provider_x, provider_y, ticket_x
):
    own = PackageFactory(seller=seller_a, provider=provider_x)
    PackageFactory(seller=seller_b, provider=provider_x)
    PackageFactory(seller=seller_a, provider=provider_y)
    client = client_for(xavier)

    form = client.get(page_of(ticket_x)).context["adminform"].form
    linked = client.post(page_of(ticket_x), {"assignee": "", "package": own.pk})

    assert set(form.fields["package"].queryset) == {ticket_x.package, own}
    assert linked.status_code == 302
    ticket_x.refresh_from_db()
    assert ticket_x.package == own
    assert ticket_x.messages.get(internal=True).body == f"Linked to package {own.tracking_number}."


def test_a_refused_assignment_says_only_why(client_for, xavier, ticket_x, monkeypatch):
    def refuse(**kwargs):
        raise DomainError(f"Ticket {ticket_x.reference} is already assigned to someone else.")

    monkeypatch.setattr(services, "assign_ticket", refuse)  # as when another agent was quicker

    response = client_for(xavier).post(page_of(ticket_x), {"assignee": xavier.pk}, follow=True)

    assert messages_on(response) == [
        f"Ticket {ticket_x.reference} is already assigned to someone else."
    ]
    assert response.redirect_chain == [(page_of(ticket_x), 302)]


def test_a_claim_tickets_package_and_every_status_are_not_form_fields(
    client_for, xavier, staff, alice, seller_a, provider_x
):
    file_ticket(client_for(alice), awaiting_package(seller_a, provider_x))
    claim = Ticket.objects.get()
    client = client_for(xavier)

    page = client.get(page_of(claim))
    saved = client.post(page_of(claim), {"assignee": xavier.pk, "status": "closed"})

    fields = page.context["adminform"].form.fields
    assert set(fields) == {"assignee"}
    assert saved.status_code == 302
    claim.refresh_from_db()
    assert (claim.status, claim.assignee) == (Status.OPEN, xavier)
    assert claim.messages.get(internal=True).body == "Assigned to xavier@swiftlane.example."


def test_tickets_are_neither_added_nor_deleted_in_the_console(client_for, operator, ticket_x):
    client = client_for(operator)

    assert client.get(f"{INBOX}add/").status_code == 403
    assert client.post(page_of(ticket_x, "delete"), {"post": "yes"}).status_code == 403
    actions = client.get(INBOX).context["action_form"].fields["action"].choices
    assert "delete_selected" not in [name for name, _ in actions]
    assert Ticket.objects.filter(pk=ticket_x.pk).exists()


# --- the list -------------------------------------------------------------------------


@pytest.fixture
def timeline(staff, xavier, alice, seller_a, provider_x):
    """Tickets opened over three days; returns them by name."""

    def opened(at: datetime) -> Ticket:
        with time_machine.travel(at, tick=False):
            return question_ticket(awaiting_package(seller_a, provider_x), alice)

    tickets = {
        "overdue_oldest": opened(NOW - timedelta(days=3)),
        "answered_old": opened(NOW - timedelta(days=2, hours=12)),
        "overdue": opened(NOW - timedelta(days=2)),
        "closed": opened(NOW - timedelta(days=1, hours=12)),
        "fresh": opened(NOW - timedelta(hours=2)),
    }
    with time_machine.travel(NOW - timedelta(hours=1), tick=False):
        services.reply_as_staff(ticket=tickets["answered_old"], author=xavier, body="On it.")
    with time_machine.travel(NOW - timedelta(hours=3), tick=False):
        services.close_ticket(ticket=tickets["closed"])
    return {name: ticket.reference for name, ticket in tickets.items()}


def test_the_inbox_lists_tickets_awaiting_an_answer_oldest_first_then_latest_activity(
    client_for, xavier, timeline
):
    with time_machine.travel(NOW, tick=False):
        response = client_for(xavier).get(INBOX)

    assert listed(response) == [
        timeline["overdue_oldest"],
        timeline["overdue"],
        timeline["fresh"],
        timeline["answered_old"],  # answered an hour ago
        timeline["closed"],  # closed three hours ago
    ]
    assertContains(response, "Overdue · 72 h")
    assertContains(response, "Overdue · 48 h")
    assertContains(response, "Waiting on the seller")


def test_the_overdue_filter_shows_the_unanswered_tickets_past_24_hours(
    client_for, xavier, timeline
):
    with time_machine.travel(NOW, tick=False):
        response = client_for(xavier).get(INBOX, {"response": "overdue"})

    assert listed(response) == [timeline["overdue_oldest"], timeline["overdue"]]


def test_the_assignee_filters_show_unassigned_open_tickets_and_mine(
    client_for, xavier, provider_x, timeline
):
    colleague = UserFactory(email="xena@swiftlane.example", provider=provider_x, is_staff=True)
    mine = Ticket.objects.get(reference=timeline["overdue"])
    services.assign_ticket(ticket=mine, assignee=xavier, actor=xavier)
    theirs = Ticket.objects.get(reference=timeline["fresh"])
    services.assign_ticket(ticket=theirs, assignee=colleague, actor=xavier)
    client = client_for(xavier)

    with time_machine.travel(NOW, tick=False):
        unassigned = client.get(INBOX, {"assigned": "nobody"})
        assigned_to_me = client.get(INBOX, {"assigned": "me"})

    assert listed(unassigned) == [timeline["overdue_oldest"], timeline["answered_old"]]
    assert listed(assigned_to_me) == [mine.reference]


def test_the_work_list_counts_unassigned_and_overdue_tickets_linking_to_them(
    client_for, xavier, yvonne, timeline
):
    client = client_for(xavier)
    with time_machine.travel(NOW, tick=False):
        work = ticket_work(xavier)
        index = client.get("/admin/")
        pages = [client.get(item.url) for item in work]

    assert [(item.label, item.count) for item in work] == [
        ("Unassigned open tickets", 4),
        ("Tickets overdue", 2),
    ]
    assert [len(listed(page)) for page in pages] == [4, 2]
    for item in work:
        assertContains(index, f'href="{item.url}"')
    assert [item.count for item in ticket_work(yvonne)] == [0, 0]


def test_the_work_list_has_no_ticket_rows_for_staff_who_cannot_see_tickets(provider_x):
    newcomer = UserFactory(email="new@swiftlane.example", provider=provider_x, is_staff=True)

    assert ticket_work(newcomer) == []


def test_the_inbox_takes_the_same_queries_for_five_tickets_or_fifty(
    client_for, xavier, staff, alice, seller_a, provider_x, django_assert_max_num_queries
):
    package = awaiting_package(seller_a, provider_x)
    for _ in range(5):
        question_ticket(package, alice)
    client = client_for(xavier)
    client.get(INBOX)  # sessions, permissions and content types cached

    with django_assert_max_num_queries(12) as few:
        client.get(INBOX)
    for _ in range(45):
        question_ticket(package, alice)
    with django_assert_max_num_queries(len(few.captured_queries)):
        client.get(INBOX)


# --- actions --------------------------------------------------------------------------


def act(client, action: str, *tickets: Ticket):
    return client.post(
        INBOX, {"action": action, "_selected_action": [t.pk for t in tickets]}, follow=True
    )


def test_assign_to_me_reports_the_tickets_already_mine(client_for, xavier, ticket_x, timeline):
    services.assign_ticket(ticket=ticket_x, assignee=xavier, actor=xavier)
    other = Ticket.objects.get(reference=timeline["fresh"])

    response = act(client_for(xavier), "assign_to_me", ticket_x, other)

    assert messages_on(response) == [
        f"1 assigned to you. Skipped 1: Ticket {ticket_x.reference} is already assigned to "
        "xavier@swiftlane.example."
    ]
    other.refresh_from_db()
    assert other.assignee == xavier


def test_mark_resolved_and_close_skip_tickets_already_there(client_for, xavier, timeline):
    closed = Ticket.objects.get(reference=timeline["closed"])
    open_ = Ticket.objects.get(reference=timeline["fresh"])
    client = client_for(xavier)

    resolved = act(client, "mark_resolved", closed, open_)
    closing = act(client, "close", closed, open_)

    assert messages_on(resolved) == [
        f"1 marked resolved. Skipped 1: Ticket {closed.reference} is closed: reopen it before "
        "marking it resolved."
    ]
    assert messages_on(closing) == [
        f"1 closed. Skipped 1: Ticket {closed.reference} is already closed."
    ]
    open_.refresh_from_db()
    assert open_.status == Status.CLOSED
    assert open_.resolved_at is not None and open_.closed_at is not None


def test_an_action_never_touches_another_providers_ticket(client_for, xavier, ticket_x, ticket_y):
    response = act(client_for(xavier), "close", ticket_x, ticket_y)

    assert messages_on(response) == ["1 closed."]
    ticket_y.refresh_from_db()
    assert ticket_y.status == Status.OPEN
