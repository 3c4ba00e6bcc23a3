"""A refusal names the provider's phone: on a phone, one tap calls it."""

import re
from datetime import timedelta

from django.urls import reverse
from pytest_django.asserts import assertContains

from returns.models import FailedPackage
from returns.templatetags.returns_tags import tel_links
from tests.builders import awaiting_package

CALL = '<a class="alert-link" href="tel:+6625550142">+66 2 555 0142</a>'


def closed_window(seller, provider) -> FailedPackage:
    package = awaiting_package(seller, provider)
    FailedPackage.objects.filter(pk=package.pk).update(
        claim_deadline=package.claim_deadline - timedelta(days=30)
    )
    return package


def test_the_refusal_on_the_package_page_links_the_phone(client_for, alice, seller_a, provider_x):
    package = closed_window(seller_a, provider_x)

    response = client_for(alice).get(reverse("returns:package_detail", args=[package.public_id]))

    assertContains(response, "if you still need it")
    assertContains(response, CALL, html=True)


def test_a_refused_release_links_the_phone_in_its_message(client_for, alice, seller_a, provider_x):
    package = closed_window(seller_a, provider_x)

    response = client_for(alice).post(
        reverse("returns:release", args=[package.public_id]), follow=True
    )

    message = re.search(r'alert-danger" role="alert">(.*?)</div>', response.content.decode())[1]
    assert CALL in message


def test_only_phone_numbers_become_links_and_the_rest_stays_escaped():
    text = (
        "Package TH0000000004 (order ORD-00004) closed on 2026-12-09; call <X> on +49 30 5557 2210."
    )

    linked = tel_links(text)

    assert linked == (
        "Package TH0000000004 (order ORD-00004) closed on 2026-12-09; call &lt;X&gt; on "
        '<a class="alert-link" href="tel:+493055572210">+49 30 5557 2210</a>.'
    )
