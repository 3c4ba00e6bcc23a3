"""The seller's dashboard, package pages, release, certificate and notifications."""

from datetime import timedelta

import time_machine
from django.urls import reverse
from pytest_django.asserts import assertContains, assertNotContains, assertRedirects

from returns.models import FailedPackage, Notification
from returns.services import claim_package
from tests.builders import awaiting_package, destroyed_package, question_ticket

Status = FailedPackage.Status


def package_url(package, name="returns:package_detail"):
    return reverse(name, args=[package.public_id])


def test_the_dashboard_counts_by_status_and_lists_decisions_soonest_first(
    client_for, alice, seller_a, provider_x
):
    later = awaiting_package(seller_a, provider_x, description="Later one")
    sooner = awaiting_package(seller_a, provider_x, description="Sooner one")
    FailedPackage.objects.filter(pk=sooner.pk).update(
        claim_deadline=later.claim_deadline - timedelta(days=3)
    )
    claimed = awaiting_package(seller_a, provider_x)
    claim_package(package=claimed, channel="web")
    ticket = question_ticket(later, alice)

    response = client_for(alice).get("/")

    counts = {status: total for status, _, total in response.context["counts"]}
    assert counts[Status.AWAITING_SELLER] == 2
    assert counts[Status.CLAIMED] == 1
    assert counts[Status.DESTROYED] == 0
    assert list(response.context["needing_action"]) == [sooner, later]
    assertContains(response, "days")  # time left next to each package
    assertContains(response, ticket.reference)
    assertContains(response, "Action needed: package")  # the latest notices
    assertContains(
        response, f"{reverse('tickets:new')}?package={sooner.public_id}&amp;category=send_back"
    )
    # Each decision links to the package and to letting it go, where the URLconf puts them.
    for package in (sooner, later):
        assertContains(response, f'href="{package_url(package)}"')
        assertContains(response, f'href="{package_url(package, "returns:release")}"')
        assertContains(response, f"Order {package.order_id}")


def test_the_package_list_filters_by_status_and_searches_tracking_and_order_id(
    client_for, alice, seller_a, provider_x
):
    waiting = awaiting_package(seller_a, provider_x)
    claimed = awaiting_package(seller_a, provider_x)
    claim_package(package=claimed, channel="web")
    client = client_for(alice)
    url = reverse("returns:package_list")

    by_status = client.get(url, {"status": "claimed"})
    by_tracking = client.get(url, {"search": waiting.tracking_number[-4:]})
    by_order = client.get(url, {"search": claimed.order_id.lower()})

    assert list(by_status.context["page"]) == [claimed]
    assert list(by_tracking.context["page"]) == [waiting]
    assert list(by_order.context["page"]) == [claimed]
    assertContains(by_status, "1 package matches your filters")


def test_the_package_list_sorts_by_deadline(client_for, alice, seller_a, provider_x):
    first = awaiting_package(seller_a, provider_x)
    second = awaiting_package(seller_a, provider_x)
    FailedPackage.objects.filter(pk=second.pk).update(
        claim_deadline=first.claim_deadline - timedelta(hours=1)
    )

    response = client_for(alice).get(reverse("returns:package_list"), {"sort": "deadline"})

    assert list(response.context["page"]) == [second, first]


def test_less_than_48_hours_left_shows_in_red(client_for, alice, seller_a, provider_x):
    package = awaiting_package(seller_a, provider_x)
    client = client_for(alice)

    relaxed = client.get(reverse("returns:package_list"))
    with time_machine.travel(package.claim_deadline - timedelta(hours=47), tick=False):
        urgent = client.get(reverse("returns:package_list"))

    assertNotContains(relaxed, "text-bg-danger")
    assertContains(urgent, "text-bg-danger")
    assertContains(urgent, "1 day 23 hours left")


def test_the_package_page_says_what_happened_and_what_the_seller_can_do(
    client_for, alice, seller_a, provider_x
):
    package = awaiting_package(seller_a, provider_x)

    client = client_for(alice)

    with time_machine.travel(package.claim_deadline - timedelta(days=2, hours=4), tick=False):
        response = client.get(package_url(package))

    assertContains(response, "Bangkok time (Asia/Bangkok)")  # the deadline in the seller's zone
    assertContains(response, "2 days 4 hours left")
    assertContains(response, "Could not be delivered")
    assertContains(response, "— Failed: Nobody at the address", count=3)  # every attempt
    assertContains(response, "Last delivery attempt failed: waiting for you")  # the timeline
    assertContains(response, 'href="tel:+6625550142"')
    assertContains(response, "Get it back")
    assertContains(response, package_url(package, "returns:release"))


def test_a_claimed_package_page_explains_the_state_and_offers_no_actions(
    client_for, alice, seller_a, provider_x
):
    package = awaiting_package(seller_a, provider_x)
    claim_package(package=package, channel="web")

    response = client_for(alice).get(package_url(package))

    assertContains(response, "is already on its way back to you")
    assertNotContains(response, "Get it back")
    assertNotContains(response, package_url(package, "returns:release"))


def test_releasing_asks_for_confirmation_then_releases(client_for, alice, seller_a, provider_x):
    package = awaiting_package(seller_a, provider_x)
    client = client_for(alice)
    url = package_url(package, "returns:release")

    confirm = client.get(url)
    package.refresh_from_db()
    assert package.status == Status.AWAITING_SELLER
    assertContains(confirm, "This cannot be undone.")

    response = client.post(url, follow=True)

    assertRedirects(response, package_url(package))
    assertContains(response, "has been told to destroy package")
    package.refresh_from_db()
    assert package.status == Status.DESTRUCTION_PENDING
    assert package.events.get(action="released").actor == alice


def test_releasing_after_the_deadline_is_refused_with_the_reason(
    client_for, alice, seller_a, provider_x
):
    package = awaiting_package(seller_a, provider_x)
    client = client_for(alice)

    with time_machine.travel(package.claim_deadline + timedelta(seconds=1), tick=False):
        confirm = client.get(package_url(package, "returns:release"))
        response = client.post(package_url(package, "returns:release"), follow=True)

    assertNotContains(confirm, "Yes, destroy it")
    assertContains(  # the phone in the refusal, one tap to call
        response,
        'call SwiftLane on <a class="alert-link" href="tel:+6625550142">+66 2 555 0142</a>',
    )
    package.refresh_from_db()
    assert package.status == Status.AWAITING_SELLER


def test_a_destroyed_package_has_a_printable_certificate(
    client_for, alice, xavier, seller_a, provider_x
):
    package = destroyed_package(seller_a, provider_x, staff=xavier)

    page = client_for(alice).get(package_url(package))
    certificate = client_for(alice).get(package_url(package, "returns:certificate"))

    assertContains(page, package_url(package, "returns:certificate"))
    assertContains(certificate, "Certificate of destruction")
    assertContains(certificate, "DX-2041")
    assertContains(certificate, "Shredded")
    assertContains(certificate, "SwiftLane")
    assertContains(certificate, "data-print")


def test_a_package_not_destroyed_has_no_certificate(client_for, alice, seller_a, provider_x):
    package = awaiting_package(seller_a, provider_x)

    response = client_for(alice).get(package_url(package, "returns:certificate"))

    assert response.status_code == 404


def test_notifications_list_unread_first_and_can_be_marked_read(
    client_for, alice, seller_a, provider_x
):
    older = awaiting_package(seller_a, provider_x)
    awaiting_package(seller_a, provider_x)
    notices = Notification.objects.for_user(alice)
    older_notice = notices.get(package=older)
    client = client_for(alice)

    client.post(reverse("returns:notification_read", args=[older_notice.pk]))
    response = client.get(reverse("returns:notification_list"))

    shown = list(response.context["page"])
    assert shown[-1] == older_notice
    assert shown[0].read_at is None
    assertContains(response, "1 unread")

    client.post(reverse("returns:notification_read_all"))
    assert not notices.filter(read_at__isnull=True).exists()


def test_notifications_never_show_the_providers_copies(client_for, alice, seller_a, provider_x):
    package = awaiting_package(seller_a, provider_x)
    claim_package(package=package, channel="web")  # also instructs the provider

    response = client_for(alice).get(reverse("returns:notification_list"))

    assert Notification.objects.filter(audience="provider").exists()
    assert {n.audience for n in response.context["page"]} == {"seller"}
    assertNotContains(response, "ops@swiftlane.example")
