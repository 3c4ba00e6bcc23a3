"""The one-click buttons of a notice: one package, one action, once, until the deadline."""

import logging
from datetime import timedelta
from pathlib import Path

import pytest
import time_machine
from django.core import mail
from django.test import Client
from django.urls import reverse

from portal.models import ReturnAddress
from returns import action_links, outbox, services
from returns.models import ActionLink, Channel, FailedPackage, Notification, PackageEvent
from tests.builders import awaiting_package
from tests.tickets.one_click_helpers import (
    LET_GO,
    SEND_BACK,
    destruction_notice,
    row_counts,
    tokens_of,
    url_of,
)
from tickets.models import Ticket

Status = FailedPackage.Status
ADDRESS = {
    "contact_name": "Somchai Jaidee",
    "phone": "+66 81 555 0199",
    "address": "12 Sukhumvit Soi 11\nBangkok 10110",
}

pytestmark = pytest.mark.django_db


@pytest.fixture
def package(seller_a, provider_x):
    return awaiting_package(seller_a, provider_x)


@pytest.fixture
def tokens(package) -> dict[str, str]:
    return tokens_of(destruction_notice(package))


@pytest.fixture
def saved_address(seller_a):
    return ReturnAddress.objects.create(
        seller=seller_a,
        label="Main warehouse",
        contact_name="Somchai Jaidee",
        phone="+66 81 555 0199",
        address="12 Sukhumvit Soi 11\nBangkok 10110",
        is_default=True,
    )


def _post(client: Client, token: str, package: FailedPackage, action: str, **fields):
    data = {"t": token, "action": action, "package": package.public_id, **fields}
    return client.post(reverse("tickets:act"), data)


def _send_back(client: Client, token: str, package: FailedPackage, **fields):
    return _post(client, token, package, SEND_BACK, **{**ADDRESS, **fields})


# --- the notice and its links -----------------------------------------------------------


def test_the_notice_carries_both_actions_and_the_database_keeps_only_digests(package, tokens):
    notice = destruction_notice(package)

    assert set(tokens) == {SEND_BACK, LET_GO}
    links = ActionLink.objects.filter(notification=notice)
    assert {link.action for link in links} == {SEND_BACK, LET_GO}
    assert {link.expires_at for link in links} == {package.claim_deadline}
    stored = " ".join([notice.body_text, notice.body_html, *links.values_list("digest", flat=True)])
    assert not [token for token in tokens.values() if token in stored]
    assert {link.digest for link in links} == {
        action_links.digest_of(token) for token in tokens.values()
    }


def test_the_sent_email_has_the_buttons_and_the_row_keeps_only_their_marks(package, tokens):
    outbox.deliver_notifications()

    [email] = [m for m in mail.outbox if m.to == [package.seller.contact_email]]
    html = email.alternatives[0][0]
    for token in tokens.values():
        assert f"https://returns.example/act/?t={token}&amp;lang=en" in html
        assert f"https://returns.example/act/?t={token}&lang=en" in email.body
    notice = destruction_notice(package)
    assert notice.status == Notification.Status.SENT
    assert "/act/" not in notice.body_text + notice.body_html


def test_each_reminder_carries_links_of_its_own(package):
    services.send_deadline_reminder(
        package=package, now=package.claim_deadline - timedelta(hours=20)
    )

    reminder = Notification.objects.get(package=package, kind=Notification.Kind.DEADLINE_REMINDER)
    assert set(tokens_of(reminder)) == {SEND_BACK, LET_GO}
    assert ActionLink.objects.filter(package=package).count() == 4


def test_the_portal_copy_of_the_notice_links_to_the_package_page(package, client_for, alice):
    page = client_for(alice).get(reverse("returns:notification_list")).content.decode()

    assert "[[act:" not in page
    assert f"/packages/{package.public_id}/" in page


# --- GET: a confirm page that changes nothing -------------------------------------------


def test_get_shows_the_package_deadline_time_left_and_default_address(
    package, tokens, saved_address, client, django_assert_num_queries
):
    before = row_counts()
    with django_assert_num_queries(2):  # the link with its package, the default address
        response = client.get(url_of(tokens[SEND_BACK]))

    assert response.status_code == 200
    assert response["Referrer-Policy"] == "no-referrer"
    page = response.content.decode()
    assert package.tracking_number in page
    assert "Deadline" in page and "left" in page
    assert "Somchai Jaidee" in page and "Sukhumvit Soi 11" in page
    assert "Yes, send it back to me" in page
    assert row_counts() == before


def test_get_of_every_kind_of_link_changes_no_table(package, tokens, client):
    before = row_counts()
    for token in [*tokens.values(), "0" * 64, "not-a-token"]:
        client.get(url_of(token))
        client.head(url_of(token))
    assert row_counts() == {**before, "portal.RequestCount": row_counts()["portal.RequestCount"]}
    # Only guesses are counted against the limit; a real link's page writes nothing at all.
    assert row_counts()["portal.RequestCount"] <= 1
    package.refresh_from_db()
    assert package.status == Status.AWAITING_SELLER
    assert ActionLink.objects.filter(used_at__isnull=False).count() == 0


def test_without_a_default_address_the_page_asks_for_one(package, tokens, client):
    page = client.get(url_of(tokens[SEND_BACK])).content.decode()

    assert "You have no default return address saved" in page
    assert 'name="contact_name"' in page and 'name="address"' in page


def test_the_let_go_page_says_it_cannot_be_undone(package, tokens, client):
    page = client.get(url_of(tokens[LET_GO])).content.decode()

    assert "This cannot be undone" in page
    assert 'name="address"' not in page


# --- POST: the action, through the services --------------------------------------------


def test_send_it_back_claims_the_package_with_a_ticket_to_the_address_typed(
    package, tokens, client
):
    response = _send_back(client, tokens[SEND_BACK], package, address="99 Silom Road\nBangkok")

    assert response.status_code == 200
    assert response["Referrer-Policy"] == "no-referrer"
    package.refresh_from_db()
    assert package.status == Status.CLAIMED
    ticket = Ticket.objects.get(package=package)
    assert ticket.category == Ticket.Category.SEND_BACK
    assert ticket.delivery_address == "Somchai Jaidee\n99 Silom Road\nBangkok"
    assert ticket.contact_phone == "+66 81 555 0199"
    [message] = ticket.messages.all()
    assert message.from_seller and message.author is None
    event = package.events.get(action="claimed")
    assert (event.channel, event.actor, event.facts) == (
        Channel.EMAIL,
        None,
        {"ticket": ticket.reference},
    )
    page = response.content.decode()
    assert ticket.reference in page
    assert f"/accounts/login/?next=%2Fpackages%2F{package.public_id}%2F" in page
    kinds = set(Notification.objects.filter(package=package).values_list("kind", flat=True))
    assert {"claim_confirmed", "claim_received", "ticket_created"} <= kinds


def test_i_dont_need_it_releases_the_package(package, tokens, client):
    response = _post(client, tokens[LET_GO], package, LET_GO)

    assert response.status_code == 200
    package.refresh_from_db()
    assert package.status == Status.DESTRUCTION_PENDING and package.released_at
    assert package.events.get(action="released").channel == Channel.EMAIL
    assert not Ticket.objects.filter(package=package).exists()


def test_the_link_grants_nothing_else(package, tokens, client):
    _send_back(client, tokens[SEND_BACK], package)

    for path in ["/", f"/packages/{package.public_id}/", "/tickets/", "/notifications/"]:
        response = client.get(path)
        assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_a_missing_address_is_refused_and_changes_nothing(package, tokens, client):
    before = row_counts()
    response = _send_back(client, tokens[SEND_BACK], package, address="", phone="")

    assert response.status_code == 400
    assert "This field is required" in response.content.decode()
    assert {k: v for k, v in row_counts().items() if k != "portal.RequestCount"} == {
        k: v for k, v in before.items() if k != "portal.RequestCount"
    }


# --- what a link cannot do ---------------------------------------------------------------


def test_a_link_does_not_act_on_another_package(package, tokens, client, seller_a, provider_x):
    other = awaiting_package(seller_a, provider_x)

    response = _send_back(client, tokens[SEND_BACK], other)

    assert response.status_code == 400
    for each in (package, other):
        each.refresh_from_db()
        assert each.status == Status.AWAITING_SELLER
    assert not Ticket.objects.exists()


def test_a_link_does_not_take_another_action(package, tokens, client):
    response = _post(client, tokens[SEND_BACK], package, LET_GO)

    assert response.status_code == 400
    package.refresh_from_db()
    assert package.status == Status.AWAITING_SELLER
    assert ActionLink.objects.filter(used_at__isnull=False).count() == 0


@pytest.mark.parametrize("change", ["last", "first", "cut", "long"])
def test_a_tampered_token_is_not_valid(package, tokens, client, change):
    token = tokens[SEND_BACK]
    tampered = {
        "last": token[:-1] + ("0" if token[-1] != "0" else "1"),
        "first": ("0" if token[0] != "0" else "1") + token[1:],
        "cut": token[:40],
        "long": token * 3,
    }[change]

    get = client.get(url_of(tampered))
    post = _send_back(client, tampered, package)

    assert get.status_code == post.status_code == 404
    assert "This link is not valid" in get.content.decode()
    assert "/accounts/login/" in get.content.decode()
    package.refresh_from_db()
    assert package.status == Status.AWAITING_SELLER


def test_an_expired_link_says_the_window_closed(package, tokens, client):
    with time_machine.travel(package.claim_deadline + timedelta(seconds=1), tick=False):
        get = client.get(url_of(tokens[SEND_BACK]))
        post = _send_back(client, tokens[SEND_BACK], package)

    assert get.status_code == 410 and post.status_code == 409
    for response in (get, post):
        page = response.content.decode()
        assert "window for package" in page and "closed on" in page
        assert "+66 2 555 0142" in page and "/accounts/login/" in page
    package.refresh_from_db()
    assert package.status == Status.AWAITING_SELLER


def test_a_link_works_until_the_last_second_of_the_deadline(package, tokens, client):
    with time_machine.travel(package.claim_deadline, tick=False):
        response = _post(client, tokens[LET_GO], package, LET_GO)

    assert response.status_code == 200
    package.refresh_from_db()
    assert package.status == Status.DESTRUCTION_PENDING


def test_a_replayed_link_is_refused_with_the_package_state(package, tokens, client):
    _send_back(client, tokens[SEND_BACK], package)

    again = _send_back(client, tokens[SEND_BACK], package)
    opened = client.get(url_of(tokens[SEND_BACK]))

    assert again.status_code == 409 and opened.status_code == 410
    for response in (again, opened):
        assert "is already on its way back to you" in response.content.decode()
    assert Ticket.objects.filter(package=package).count() == 1
    assert package.events.filter(action="claimed").count() == 1


def test_the_other_button_is_void_once_the_package_changed_state(package, tokens, client):
    _post(client, tokens[LET_GO], package, LET_GO)

    response = _send_back(client, tokens[SEND_BACK], package)

    assert response.status_code == 409
    assert "because you told us you no longer need it" in response.content.decode()
    package.refresh_from_db()
    assert package.status == Status.DESTRUCTION_PENDING
    assert not Ticket.objects.exists()


def test_a_staff_phone_claim_voids_the_links(package, tokens, client, xavier):
    services.claim_package(package=package, actor=xavier, channel=Channel.ADMIN, note="Phoned")

    opened = client.get(url_of(tokens[LET_GO]))
    posted = _post(client, tokens[LET_GO], package, LET_GO)

    assert opened.status_code == 410 and posted.status_code == 409
    assert "is already on its way back to you" in posted.content.decode()
    package.refresh_from_db()
    assert package.status == Status.CLAIMED


def test_a_package_with_an_open_claim_ticket_is_refused_as_a_second_claim(package, tokens, client):
    # A claim ticket on a package that is still awaiting: only a staff fix-up makes one.
    Ticket.objects.create(
        seller=package.seller,
        provider=package.provider,
        package=package,
        category=Ticket.Category.SEND_BACK,
        subject="Earlier",
    )

    response = _send_back(client, tokens[SEND_BACK], package)

    assert response.status_code == 409
    assert "already has an open ticket" in response.content.decode()
    package.refresh_from_db()
    assert package.status == Status.AWAITING_SELLER
    assert ActionLink.objects.filter(used_at__isnull=False).count() == 0


# --- rate limit and leaks ---------------------------------------------------------------


def test_posts_over_the_limit_are_refused(package, tokens, client, settings):
    settings.ACTION_LINK_ADDRESS_LIMIT = 2
    for _ in range(2):
        _post(client, "0" * 64, package, LET_GO)

    response = _post(client, tokens[LET_GO], package, LET_GO)

    assert response.status_code == 429
    assert "Too many requests" in response.content.decode()
    package.refresh_from_db()
    assert package.status == Status.AWAITING_SELLER


def test_guesses_over_the_limit_are_refused_but_a_real_link_still_opens(
    package, tokens, client, settings
):
    settings.ACTION_LINK_ADDRESS_LIMIT = 2
    for _ in range(2):
        client.get(url_of("0" * 64))

    assert client.get(url_of("1" * 64)).status_code == 429
    assert client.get(url_of(tokens[LET_GO])).status_code == 200


def test_no_log_line_carries_the_token(package, tokens, client, caplog):
    with caplog.at_level(logging.DEBUG):
        _send_back(client, tokens[SEND_BACK], package)
        _send_back(client, tokens[SEND_BACK], package)  # refused: logged as a 409
        client.get(url_of(tokens[SEND_BACK]))  # used: logged as a 410
        client.get(url_of(tokens[SEND_BACK][:-2]))  # unknown: logged as a 404

    assert "/act/" in caplog.text  # the refusals are logged, by path
    assert tokens[SEND_BACK] not in caplog.text
    assert tokens[SEND_BACK][:-2] not in caplog.text


def test_the_access_log_prints_paths_without_query_strings(settings):
    procfile = (Path(settings.BASE_DIR) / "Procfile").read_text()
    web = next(line for line in procfile.splitlines() if line.startswith("web:"))
    assert "%(U)s" in web and "%(r)s" not in web and "%(q)s" not in web


def test_the_ticket_thread_names_the_seller_for_a_message_from_the_email(
    package, tokens, client, client_for, alice
):
    _send_back(client, tokens[SEND_BACK], package)
    ticket = Ticket.objects.get(package=package)

    page = client_for(alice).get(reverse("tickets:detail", args=[ticket.reference]))

    assert '<span class="fw-semibold me-auto">Shop A</span>' in page.content.decode()


def test_a_seller_page_queries_stay_in_budget_for_the_refusal(
    package, tokens, client, django_assert_num_queries
):
    services.release_package(package=package, channel=Channel.WEB)

    with django_assert_num_queries(1):  # the link with its package, seller and provider
        response = client.get(url_of(tokens[SEND_BACK]))

    assert response.status_code == 410


def test_a_used_link_row_is_kept_as_a_record(package, tokens, client):
    _post(client, tokens[LET_GO], package, LET_GO)

    used = ActionLink.objects.get(used_at__isnull=False)
    assert used.action == LET_GO
    assert PackageEvent.objects.filter(package=package, action="released").count() == 1


def test_the_confirmation_posts_from_a_page_that_sends_no_referer(package, tokens):
    # With `Referrer-Policy: no-referrer` a browser posts `Origin: null`; the token in the
    # form, not a CSRF cookie, is what authorises the post.
    browser = Client(enforce_csrf_checks=True, headers={"Origin": "null"})

    response = _post(browser, tokens[LET_GO], package, LET_GO)

    assert response.status_code == 200
    package.refresh_from_db()
    assert package.status == Status.DESTRUCTION_PENDING
