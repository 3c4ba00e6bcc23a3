"""After "I don't need it": the package page says what happens next and offers to close the
seller's open questions about the package."""

from django.urls import reverse
from pytest_django.asserts import assertContains, assertNotContains, assertRedirects

from returns.models import Channel
from returns.services import confirm_destruction
from tests.builders import awaiting_package, file_ticket, question_ticket
from tickets.models import Ticket

Status = Ticket.Status


def _page(package) -> str:
    return reverse("returns:package_detail", args=[package.public_id])


def _close_url(package) -> str:
    return reverse("tickets:close_package_inquiries", args=[package.public_id])


def _let_go(client, package):
    return client.post(reverse("returns:release", args=[package.public_id]))


def test_the_page_of_a_package_let_go_says_what_happens_next_without_a_deadline(
    client_for, alice, seller_a, provider_x, django_assert_max_num_queries
):
    package = awaiting_package(seller_a, provider_x)
    client = client_for(alice)
    before = client.get(_page(package))
    _let_go(client, package)

    with django_assert_max_num_queries(10):
        after = client.get(_page(package))

    assertContains(before, '<dt class="col-sm-4">Deadline</dt>', html=False)
    assertNotContains(after, '<dt class="col-sm-4">Deadline</dt>', html=False)
    assertNotContains(after, "left</span>")
    assertContains(after, "What happens next")
    assertContains(after, "SwiftLane destroys the package and records how and when.")
    assertContains(after, "destruction certificate then appears on this page")
    assertNotContains(after, "still open")  # no question was asked: nothing to offer


def test_open_questions_about_a_package_let_go_are_offered_and_closed_in_one_post(
    client_for, alice, seller_a, provider_x
):
    package = awaiting_package(seller_a, provider_x)
    first = question_ticket(package, alice)
    second = question_ticket(package, alice, body="And the box?")
    elsewhere = question_ticket(awaiting_package(seller_a, provider_x), alice)
    client = client_for(alice)
    file_ticket(client, package, category="not_needed", confirm="on")
    released_by = Ticket.objects.get(category=Ticket.Category.NOT_NEEDED)

    page = client.get(_page(package))
    response = client.post(_close_url(package))

    assertContains(page, "2 tickets about this package are still open")
    assertContains(page, f'action="{_close_url(package)}"')
    assertContains(page, "Close the 2 tickets")
    assertRedirects(response, _page(package), fetch_redirect_response=False)
    followed = client.get(_page(package))
    assertContains(followed, f"Closed tickets {first.reference}, {second.reference}.")
    assertNotContains(followed, "still open")
    statuses = dict(Ticket.objects.values_list("reference", "status"))
    assert statuses[first.reference] == statuses[second.reference] == Status.CLOSED
    # Neither another package's question nor the ticket that let it go.
    assert statuses[elsewhere.reference] == Status.OPEN
    assert statuses[released_by.reference] == Status.OPEN


def test_closing_twice_changes_nothing_and_says_so(client_for, alice, seller_a, provider_x):
    package = awaiting_package(seller_a, provider_x)
    question_ticket(package, alice)
    client = client_for(alice)
    _let_go(client, package)
    client.post(_close_url(package))
    closed_at = Ticket.objects.get().closed_at

    response = client.post(_close_url(package), follow=True)

    assertContains(response, "There is no open ticket about this package to close.")
    assert Ticket.objects.get().closed_at == closed_at


def test_another_sellers_package_is_a_404_and_its_tickets_stay_open(
    client_for, alice, bob, seller_a, provider_x
):
    package = awaiting_package(seller_a, provider_x)
    question_ticket(package, alice)
    _let_go(client_for(alice), package)

    response = client_for(bob).post(_close_url(package))

    assert response.status_code == 404
    assert Ticket.objects.get().status == Status.OPEN


def test_the_offer_is_made_only_for_a_package_the_seller_let_go(
    client_for, alice, seller_a, provider_x, xavier
):
    waiting = awaiting_package(seller_a, provider_x)
    question_ticket(waiting, alice)
    destroyed = awaiting_package(seller_a, provider_x)
    question_ticket(destroyed, alice)
    client = client_for(alice)
    _let_go(client, destroyed)
    confirm_destruction(
        package=destroyed, reference="DX-9", method="shredded", actor=xavier, channel=Channel.ADMIN
    )

    assertNotContains(client.get(_page(waiting)), "still open")
    destroyed_page = client.get(_page(destroyed))
    # Destroyed: the certificate is there now; the open question can still be closed.
    assertNotContains(destroyed_page, "What happens next")
    assertContains(destroyed_page, "One ticket about this package is still open")
    assertContains(destroyed_page, "Close the ticket")
