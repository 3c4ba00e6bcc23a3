"""The links in emails lead the seller where they should, through the sign-in page."""

import re
from urllib.parse import urlsplit

from django.urls import reverse
from pytest_django.asserts import assertContains, assertRedirects

from returns import links
from returns.models import Notification
from tests.builders import awaiting_package, file_ticket
from tests.factories import PASSWORD
from tests.helpers import as_sent


def test_the_notice_link_leads_through_sign_in_to_the_prefilled_form(
    client, alice, seller_a, provider_x
):
    package = awaiting_package(seller_a, provider_x)
    notice = as_sent(Notification.objects.get(kind="destruction_notice"))
    link = re.search(r"https://returns\.example(/tickets/new/\S+)", notice.body_text).group(1)
    assert f'href="https://returns.example{link.replace("&", "&amp;")}"' in notice.body_html

    to_sign_in = client.get(link)
    sign_in_page = client.get(to_sign_in["Location"])
    signed_in = client.post(
        to_sign_in["Location"],
        {"username": alice.email, "password": PASSWORD, "next": sign_in_page.context["next"]},
    )

    assert urlsplit(to_sign_in["Location"]).path == reverse("login")
    assertContains(sign_in_page, "Sign in to continue to the page your link pointed to.")
    assertRedirects(signed_in, link, fetch_redirect_response=False)
    form = client.get(signed_in["Location"])
    assertContains(form, f'<option value="{package.public_id}" selected>')


def test_a_new_ticket_tells_the_providers_operations_address(
    client_for, alice, seller_a, provider_x
):
    package = awaiting_package(seller_a, provider_x)

    file_ticket(client_for(alice), package, body="Weekday mornings only, please.")

    notice = Notification.objects.get(kind="ticket_created")
    ticket = package.tickets.get()
    assert notice.to_email == "ops@swiftlane.example"
    assert notice.audience == Notification.Audience.PROVIDER
    assert notice.ticket_reference == ticket.reference
    assert notice.subject == (
        f"New ticket {ticket.reference} from Shop A: Send it back to me: package "
        f"{package.tracking_number}"
    )
    for text in (notice.body_text, notice.body_html):
        assert "12 Sukhumvit Soi 11, Bangkok 10110" in text
        assert "Weekday mornings only, please." in text
        assert f"https://returns.example/admin/tickets/ticket/{ticket.pk}/change/" in text


def test_email_links_keep_the_paths_of_the_url_contract(seller_a, provider_x):
    package = awaiting_package(seller_a, provider_x)
    site = "https://returns.example"

    # Each link carries the language its email is written in (here Thai).
    id_ = package.public_id
    assert links.package_url(package, language="th") == f"{site}/packages/{id_}/?lang=th"
    assert (
        links.certificate_url(package, language="th")
        == f"{site}/packages/{id_}/certificate/?lang=th"
    )
    assert (
        links.new_ticket_url(package, language="th") == f"{site}/tickets/new/?package={id_}&lang=th"
    )
    assert links.ticket_url("RT-7K3F9Q", language="th") == f"{site}/tickets/RT-7K3F9Q/?lang=th"
