"""The nav is rendered once per kind of page and kept (portal.templatetags.nav): what a
reader gets must be what templates/portal/_nav.html gives for that very request."""

import re

import pytest
from django.template.loader import get_template
from django.utils import translation

from returns import selectors
from tests.factories import NotificationFactory, PackageFactory, UserFactory

pytestmark = pytest.mark.django_db

NAV = re.compile(r'<ul class="navbar-nav portal-nav[^"]*">\s*(.*?)\s*</ul>', re.S)


def nav_of(response) -> str:
    [nav] = NAV.findall(response.content.decode())
    return nav


def nav_rendered_directly(response) -> str:
    """_nav.html rendered from the request's own objects, not from the cache's stand-ins."""
    request = response.wsgi_request
    user = request.user
    seller = getattr(user, "seller", None)
    count = selectors.unread_count(request) if seller else 0
    shown = {"unread": count, "cap": selectors.UNREAD_CAP}
    badge = get_template("portal/_unread_badge.html").render(shown) if count else ""
    with translation.override(response.headers["Content-Language"]):
        return (
            get_template("portal/_nav.html")
            .render(
                {"request": request, "user": user, "current_seller": seller, "unread_badge": badge}
            )
            .strip()
        )


PAGES = ["/", "/packages/", "/tickets/", "/notifications/", "/team/", "/account/"]


@pytest.mark.parametrize(
    ("role", "path"),
    # Settings are the owner's alone: a member's nav has no link to them.
    [("owner", path) for path in [*PAGES, "/settings/"]] + [("member", path) for path in PAGES],
)
@pytest.mark.parametrize("language", ["en", "th"])
def test_the_kept_nav_is_the_nav_of_the_page(client_for, seller_a, path, role, language):
    user = UserFactory(seller=seller_a, seller_role=role, language=language)
    NotificationFactory(
        package=PackageFactory(seller=seller_a)
    )  # an unread notice: the badge goes in per reader
    response = client_for(user).get(path, follow=True)

    assert response.status_code == 200
    assert nav_of(response) == nav_rendered_directly(response)


def test_staff_and_sellers_do_not_share_a_kept_nav(client_for, alice, xavier):
    seller_nav = nav_of(client_for(alice).get("/account/"))
    staff_nav = nav_of(client_for(xavier).get("/account/"))

    assert "Provider console" in staff_nav and "Provider console" not in seller_nav
    assert "Packages" in seller_nav and "Packages" not in staff_nav
