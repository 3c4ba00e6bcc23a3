"""One-click links: the rate limit, and the token kept out of logs, referers and pages."""

import logging
from pathlib import Path

import pytest
from django.test import Client
from django.urls import reverse

from returns import services
from returns.models import ActionLink, Channel, FailedPackage, PackageEvent
from tests.tickets.one_click_helpers import LET_GO, SEND_BACK, act, send_back, url_of
from tickets.models import Ticket

Status = FailedPackage.Status

pytestmark = pytest.mark.django_db


# --- rate limit and leaks ---------------------------------------------------------------


def test_posts_over_the_limit_are_refused(package, tokens, client, settings):
    settings.ACTION_LINK_ADDRESS_LIMIT = 2
    for _ in range(2):
        act(client, "0" * 64, package, LET_GO)

    response = act(client, tokens[LET_GO], package, LET_GO)

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
        send_back(client, tokens[SEND_BACK], package)
        send_back(client, tokens[SEND_BACK], package)  # refused: logged as a 409
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
    send_back(client, tokens[SEND_BACK], package)
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
    act(client, tokens[LET_GO], package, LET_GO)

    used = ActionLink.objects.get(used_at__isnull=False)
    assert used.action == LET_GO
    assert PackageEvent.objects.filter(package=package, action="released").count() == 1


def test_the_confirmation_posts_from_a_page_that_sends_no_referer(package, tokens):
    # With `Referrer-Policy: no-referrer` a browser posts `Origin: null`; the token in the
    # form, not a CSRF cookie, is what authorises the post.
    browser = Client(enforce_csrf_checks=True, headers={"Origin": "null"})

    response = act(browser, tokens[LET_GO], package, LET_GO)

    assert response.status_code == 200
    package.refresh_from_db()
    assert package.status == Status.DESTRUCTION_PENDING
