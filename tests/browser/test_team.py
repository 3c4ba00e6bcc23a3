"""An owner invites a colleague, who joins from the email, files a send-back ticket and is
removed: their next request is signed out. Screenshots of the team pages for a person."""

import re

import pytest
from django.core import mail
from playwright.sync_api import expect

from returns.models import FailedPackage
from returns.outbox import deliver_notifications
from tests.browser.signin import sign_in
from tests.browser.test_tap_targets import TAP, TOO_SMALL
from tests.builders import awaiting_package
from tickets.models import Ticket

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 375, "height": 812}
PASSWORD = "a long and unusual passphrase"


def test_an_invited_colleague_joins_files_a_ticket_and_is_removed(
    live_server, browser, screenshots, alice, seller_a, provider_x
):
    package = awaiting_package(seller_a, provider_x, description="Bluetooth speaker, black")
    owner = browser.new_context(viewport={"width": 1280, "height": 900})
    owners_page = owner.new_page()
    owners_page.set_default_timeout(10_000)
    sign_in(owners_page, live_server, alice)

    owners_page.get_by_role("link", name="Team").click()
    owners_page.get_by_label("Email address").fill("dana@shop-a.example")
    owners_page.get_by_role("button", name="Send invitation").click()
    expect(owners_page.get_by_role("alert").filter(has_text="Invitation sent")).to_be_visible()
    owners_page.screenshot(path=screenshots / "team-owner-desktop.png", full_page=True)
    owners_page.set_viewport_size(PHONE)
    assert owners_page.evaluate(TOO_SMALL, TAP) == []
    owners_page.screenshot(path=screenshots / "team-owner-phone.png", full_page=True)
    owners_page.set_viewport_size({"width": 1280, "height": 900})

    deliver_notifications()
    [email] = [m for m in mail.outbox if m.to == ["dana@shop-a.example"]]
    (html, _type) = email.alternatives[0]
    join = re.search(r'href="https://returns\.example(/team/join/[^"]+)"', html).group(1)
    (screenshots / "team-invite-email.html").write_text(html, encoding="utf-8")

    # The colleague, on a phone, from the email's button.
    colleague = browser.new_context(viewport=PHONE)
    page = colleague.new_page()
    page.set_default_timeout(10_000)
    page.goto(live_server.url + join.replace("&amp;", "&"))
    page.screenshot(path=screenshots / "team-join-phone.png", full_page=True)
    page.get_by_label("Your name").fill("Dana")
    page.locator("[name=new_password1]").fill(PASSWORD)
    page.locator("[name=new_password2]").fill(PASSWORD)
    page.get_by_role("button", name="Join the team").click()
    page.wait_for_url(f"{live_server.url}/")
    expect(
        page.get_by_role("alert").filter(has_text="Welcome to the team of Shop A")
    ).to_be_visible()

    page.goto(f"{live_server.url}/packages/{package.public_id}/")
    page.get_by_role("link", name="Get it back").click()
    # No saved address on this branch to pre-fill (the settings work brings it): typed here.
    page.get_by_label("Deliver it to").fill("Siam Gadgets, 12 Sukhumvit Soi 11, Bangkok 10110")
    page.get_by_label("Contact phone").fill("+66 81 555 0199")
    page.get_by_role("button", name="Send the ticket and keep the package").click()
    page.wait_for_url(re.compile(r"/tickets/RT-[A-Z0-9]{6}/$"))
    ticket = Ticket.objects.get(package=package)
    assert ticket.created_by.email == "dana@shop-a.example"
    package.refresh_from_db()
    assert package.status == FailedPackage.Status.CLAIMED

    for path in ("/team/", "/account/"):
        page.goto(live_server.url + path)
        small = page.evaluate(TOO_SMALL, TAP)
        assert small == [], f"{path}: " + "; ".join(small)
        assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
        page.screenshot(path=screenshots / f"team-member{path.replace('/', '-')}phone.png")

    # The owner removes her; her very next request is signed out.
    owners_page.goto(f"{live_server.url}/team/")
    owners_page.get_by_role("link", name="Remove dana@shop-a.example").click()
    owners_page.screenshot(path=screenshots / "team-remove-desktop.png", full_page=True)
    owners_page.get_by_role("button", name="Remove and sign out").click()
    expect(
        owners_page.get_by_role("alert").filter(has_text="signed out everywhere")
    ).to_be_visible()

    page.goto(f"{live_server.url}/tickets/{ticket.reference}/")
    assert "/accounts/login/" in page.url
    owner.close()
    colleague.close()
