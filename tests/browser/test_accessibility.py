"""Every seller page passes axe-core with no serious or critical violation, at 1280 and 375 px,
and the claim flow works from the keyboard alone."""

import re
from collections.abc import Callable

import pytest
from playwright.sync_api import Page

from portal.models import SellerRole
from portal.team import services as team_services
from tests.browser.axe import serious_violations
from tests.browser.signin import sign_in
from tests.builders import awaiting_package, destroyed_package, question_ticket
from tests.factories import UserFactory
from tickets.services import reply_as_staff

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

VIEWPORTS = {"desktop": {"width": 1280, "height": 900}, "phone": {"width": 375, "height": 812}}

# Every page a seller sees: (name, path, who opens it). The path's {fields} come from the
# shop built below. A new seller page gets a row here.
SELLER, VISITOR = "seller", "visitor"
PAGES = [
    ("dashboard", "/", SELLER),
    ("package list", "/packages/", SELLER),
    ("package list, filtered", "/packages/?status=awaiting_seller&q=TH", SELLER),
    ("package page", "/packages/{package}/", SELLER),
    ("destroyed package page", "/packages/{destroyed}/", SELLER),
    ("let-go confirmation", "/packages/{package}/release/", SELLER),
    ("destruction certificate", "/packages/{destroyed}/certificate/", SELLER),
    ("ticket list", "/tickets/", SELLER),
    ("new ticket, first step", "/tickets/new/", SELLER),
    ("send-back ticket form", "/tickets/new/?package={package}&category=send_back", SELLER),
    ("question ticket form", "/tickets/new/?package={package}&category=question", SELLER),
    ("ticket thread", "/tickets/{ticket}/", SELLER),
    ("notifications", "/notifications/", SELLER),
    ("team", "/team/", SELLER),
    ("remove from the team", "/team/members/{member}/remove/", SELLER),
    ("account", "/account/", SELLER),
    ("settings", "/settings/", SELLER),
    ("new return address", "/settings/return-addresses/new/", SELLER),
    ("not found", "/no-such-page/", SELLER),
    ("sign in", "/accounts/login/", VISITOR),
    ("password reset", "/accounts/password_reset/", VISITOR),
    ("join the team", "{join}", VISITOR),
]


@pytest.fixture
def shop(alice, xavier, seller_a, provider_x) -> dict[str, str]:
    package = awaiting_package(seller_a, provider_x, description="Mechanical keyboard")
    awaiting_package(seller_a, provider_x, description="Wireless earbuds, white")
    destroyed = destroyed_package(seller_a, provider_x, staff=xavier)
    ticket = question_ticket(package, alice)
    reply_as_staff(ticket=ticket, author=xavier, body="It is on shelf B-07.")
    member = UserFactory(
        email="carol@shop-a.example", seller=seller_a, seller_role=SellerRole.MEMBER
    )
    invite = team_services.invite_colleague(
        seller=seller_a, email="dana@shop-a.example", role="member", invited_by=alice, language="en"
    )
    body = invite.seller.notifications.model.objects.get(kind="team_invite").body_text
    return {
        "package": package.public_id,
        "destroyed": destroyed.public_id,
        "ticket": ticket.reference,
        "member": str(member.pk),
        "join": re.search(r"https://returns\.example(/team/join/\S+/)", body).group(1),
    }


@pytest.mark.parametrize("viewport", VIEWPORTS, ids=str)
def test_no_seller_page_has_a_serious_accessibility_violation(
    live_server, browser, screenshots, alice, shop, viewport
):
    found = {}
    for who in (SELLER, VISITOR):
        context = browser.new_context(viewport=VIEWPORTS[viewport])
        page = context.new_page()
        page.set_default_timeout(10_000)
        if who == SELLER:
            sign_in(page, live_server, alice)
        for name, path, opener in PAGES:
            if opener != who:
                continue
            response = page.goto(live_server.url + path.format(**shop))
            assert response.status == (404 if name == "not found" else 200), name
            if violations := serious_violations(page):
                found[name] = violations
                slug = re.sub(r"\W+", "-", name)
                page.screenshot(path=screenshots / f"axe-{viewport}-{slug}.png", full_page=True)
        context.close()

    assert not found, "\n".join(
        f"{name}: {line}" for name, lines in found.items() for line in lines
    )


# Where the keyboard is: the focused element, whether its focus shows, and its place in the
# page (a number that grows in document order).
FOCUSED = """() => {
  const el = document.activeElement;
  if (!el || el === document.body) return null;
  const style = getComputedStyle(el);
  const ring = (style.outlineStyle !== 'none' && parseFloat(style.outlineWidth) > 0)
    || style.boxShadow !== 'none';
  const all = [...document.querySelectorAll('*')];
  return {
    label: (el.innerText || el.value || el.name || el.id || el.tagName).trim().slice(0, 50),
    tag: el.tagName, name: el.name || '', visible: ring, place: all.indexOf(el),
  };
}"""


def _tab_through(
    page: Page, *, stop: Callable[[dict], bool] | None = None, limit: int = 80
) -> list[dict]:
    """Press Tab until `stop(focused)` holds, or else until the focus comes round to the top
    again (so it is not trapped). A date field takes a Tab for each of its parts."""
    seen = []
    for _ in range(limit):
        page.keyboard.press("Tab")
        focused = page.evaluate(FOCUSED)
        if focused is None or (seen and focused["place"] < seen[-1]["place"]):
            assert stop is None, f"Tab went round the page without reaching it: {seen}"
            return seen
        assert focused["visible"], f"no visible focus on {focused['label']!r}"
        if not seen or focused["place"] != seen[-1]["place"]:
            seen.append(focused)
        if stop and stop(focused):
            return seen
    raise AssertionError(f"the focus never left the page's last part: {seen[-5:]}")


def test_the_claim_flow_works_from_the_keyboard_alone(
    live_server, browser, screenshots, alice, seller_a, provider_x
):
    package = awaiting_package(seller_a, provider_x, description="Bluetooth speaker, black")
    # Without motion, so a focus ring is read as it stays, not halfway through its transition.
    context = browser.new_context(viewport=VIEWPORTS["desktop"], reduced_motion="reduce")
    page = context.new_page()
    page.set_default_timeout(10_000)
    sign_in(page, live_server, alice)
    page.goto(f"{live_server.url}/packages/{package.public_id}/")

    # The first stop is the skip link; it takes the keyboard past the nav to the page.
    page.keyboard.press("Tab")
    assert page.evaluate(FOCUSED)["label"] == "Skip to content"
    page.keyboard.press("Enter")
    order = _tab_through(page, stop=lambda f: f["label"] == "Get it back")
    main = page.evaluate(
        "() => [...document.querySelectorAll('*')].indexOf(document.getElementById('main'))"
    )
    assert order[0]["place"] > main, "the skip link did not move the focus into the page"
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"/tickets/new/\?package="))

    # Every stop on the form in document order, each with a visible focus, and out again.
    whole_form = _tab_through(page)
    names = [f["name"] for f in whole_form]
    assert names.index("delivery_address") < names.index("contact_phone")
    # From the top again, by Tab alone, to the address.
    _tab_through(page, stop=lambda f: f["name"] == "delivery_address")
    page.keyboard.type("Siam Gadgets, 12 Sukhumvit Soi 11, Bangkok 10110")
    _tab_through(page, stop=lambda f: f["name"] == "contact_phone")
    page.keyboard.type("+66 81 555 0199")
    _tab_through(page, stop=lambda f: f["label"] == "Send the ticket and keep the package")
    page.screenshot(path=screenshots / "keyboard-claim-submit.png", full_page=True)
    page.keyboard.press("Enter")

    page.wait_for_url(re.compile(r"/tickets/RT-[A-Z0-9]{6}/$"))
    package.refresh_from_db()
    assert package.status == "claimed"
    context.close()
