"""The ticket page's desk: the package card and the provider's canned replies."""

import pytest
from pytest_django.asserts import assertContains, assertNotContains, assertRedirects

from returns.models import FailedPackage
from tests.builders import awaiting_package, file_ticket, question_ticket
from tickets.models import CannedReply, Ticket

CANNED = "/admin/tickets/cannedreply/"


def page_of(ticket: Ticket) -> str:
    return f"/admin/tickets/ticket/{ticket.pk}/change/"


@pytest.fixture
def package(seller_a, provider_x) -> FailedPackage:
    return awaiting_package(seller_a, provider_x)


@pytest.fixture
def ticket(staff, alice, package) -> Ticket:
    return question_ticket(package, alice, body="Can you send it on Thursday?")


@pytest.fixture
def console(client_for, xavier, staff):
    return client_for(xavier)


@pytest.fixture
def ships(provider_x) -> CannedReply:
    return CannedReply.objects.create(
        provider=provider_x,
        title="Ships Thursday",
        body="Package {tracking_number} ships Thursday. Questions: {provider_phone}. "
        "Your window closes {deadline}.",
    )


def test_the_card_shows_the_package_state_deadline_in_both_zones_and_its_bin(
    console, ticket, package, provider_x
):
    provider_x.time_zone = "Europe/Berlin"
    provider_x.save()

    response = console.get(page_of(ticket))

    card = response.context["package_card"]
    assert card.state == "Awaiting the seller"
    assert "Berlin time (Europe/Berlin)" in card.deadline_provider
    assert "Bangkok time (Asia/Bangkok)" in card.deadline_seller
    assertContains(response, "B-07")
    assertContains(response, f'href="/admin/returns/failedpackage/{package.pk}/change/"')


def test_the_card_offers_the_actions_its_state_allows_and_they_come_back_to_the_ticket(
    console, ticket, package
):
    response = console.get(page_of(ticket))
    assert response.context["package_card"].actions == [
        ("record_phone_claim", "Record a phone claim (the seller called)")
    ]

    claimed = console.post(
        "/admin/returns/failedpackage/",
        {
            "action": "record_phone_claim",
            "_selected_action": [package.pk],
            "_return_to": page_of(ticket),
        },
    )

    assertRedirects(claimed, page_of(ticket), fetch_redirect_response=False)
    package.refresh_from_db()
    assert package.status == FailedPackage.Status.CLAIMED
    after = console.get(page_of(ticket)).context["package_card"]
    assert [name for name, _ in after.actions] == ["mark_returned", "withdraw_claim"]
    assert after.deadline_provider == ""


def test_a_ticket_about_no_package_has_no_card(console, ticket):
    Ticket.objects.filter(pk=ticket.pk).update(package=None)

    response = console.get(page_of(ticket))

    assert response.context["package_card"] is None
    assertNotContains(response, 'id="package-card-heading"')


def test_the_ticket_page_reads_a_fixed_number_of_queries(
    console, ticket, ships, provider_x, django_assert_num_queries
):
    console.get(page_of(ticket))  # sessions, permissions and content types cached
    with django_assert_num_queries(9) as first:
        console.get(page_of(ticket))
    for n in range(10):
        CannedReply.objects.create(provider=provider_x, title=f"Reply {n}", body="Thanks")

    with django_assert_num_queries(len(first.captured_queries)):
        console.get(page_of(ticket))


# --- canned replies -------------------------------------------------------------------


def test_the_picker_lists_the_providers_replies_filled_in_for_the_ticket(
    console, ticket, package, ships, provider_y
):
    CannedReply.objects.create(provider=provider_y, title="NordParcel hours", body="Mon–Fri")

    response = console.get(page_of(ticket))

    [(reply, text)] = response.context["canned_replies"]
    assert reply == ships
    assert f"Package {package.tracking_number} ships Thursday" in text
    assert "+66 2 555 0142" in text
    assert "Bangkok time" in text
    assertNotContains(response, "NordParcel hours")


def test_putting_a_reply_in_without_script_fills_the_reply_box(
    console, ticket, package, ships, django_assert_num_queries
):
    console.get(page_of(ticket))  # sessions, permissions and content types cached
    # The plain page's 9: the chosen reply is taken from the replies the page lists
    # (10 when it was read again).
    with django_assert_num_queries(9):
        response = console.get(page_of(ticket), {"canned": ships.pk})

    body = response.context["reply_form"]["body"].value()
    assert body.startswith(f"Package {package.tracking_number} ships Thursday.")
    assert "{" not in body


def test_another_providers_canned_reply_is_a_404(console, ticket, provider_y):
    theirs = CannedReply.objects.create(provider=provider_y, title="Theirs", body="Hello")

    assert console.get(page_of(ticket), {"canned": theirs.pk}).status_code == 404
    assert console.get(page_of(ticket), {"canned": "nonsense"}).status_code == 404
    assert console.get(f"{CANNED}{theirs.pk}/change/").status_code == 404


def test_staff_write_a_canned_reply_for_their_own_provider(console, provider_x):
    response = console.post(
        f"{CANNED}add/", {"title": "Picked up", "body": "Collected, tracking {tracking_number}."}
    )

    assertRedirects(response, CANNED, fetch_redirect_response=False)
    reply = CannedReply.objects.get()
    assert (reply.provider, reply.title) == (provider_x, "Picked up")


def test_staff_edit_their_providers_canned_reply(console, ships):
    response = console.post(
        f"{CANNED}{ships.pk}/change/", {"title": "Ships Friday", "body": "Friday, {deadline}."}
    )

    assertRedirects(response, CANNED, fetch_redirect_response=False)
    ships.refresh_from_db()
    assert ships.title == "Ships Friday"


def test_an_unknown_placeholder_is_a_clear_form_error_and_saves_nothing(console):
    response = console.post(
        f"{CANNED}add/", {"title": "Typo", "body": "Your parcel {tracking} ships {day}."}
    )

    assert response.status_code == 200
    assertContains(
        response,
        "{tracking}, {day} are not placeholders. Use {tracking_number}, {deadline}, "
        "{provider_phone}.",
    )
    assert not CannedReply.objects.exists()


def test_a_second_reply_with_the_same_title_is_refused_in_words(console, ships):
    response = console.post(f"{CANNED}add/", {"title": "Ships Thursday", "body": "Again"})

    assertContains(response, "You already have a canned reply with this title.")
    assert CannedReply.objects.count() == 1


def test_the_canned_list_shows_only_the_providers_own(console, ships, provider_y):
    CannedReply.objects.create(provider=provider_y, title="NordParcel hours", body="Mon–Fri")

    response = console.get(CANNED)

    assertContains(response, "Ships Thursday")
    assertNotContains(response, "NordParcel hours")


def test_the_package_page_shows_where_a_claimed_package_goes_back(
    client_for, alice, xavier, staff, package
):
    file_ticket(client_for(alice), package)
    ticket = Ticket.objects.get(package=package, category=Ticket.Category.SEND_BACK)

    page = client_for(xavier).get(f"/admin/returns/failedpackage/{package.pk}/change/")

    assertContains(page, "12 Sukhumvit Soi 11, Bangkok 10110")
    assertContains(page, 'href="tel:+66 81 555 0199"')
    assertContains(page, f'href="/admin/tickets/ticket/{ticket.pk}/change/"')


def test_the_package_page_has_no_address_without_a_send_back_ticket(
    client_for, xavier, ticket, package
):
    page = client_for(xavier).get(f"/admin/returns/failedpackage/{package.pk}/change/")

    assertContains(page, package.tracking_number)
    assertNotContains(page, 'id="send-back-heading"')
