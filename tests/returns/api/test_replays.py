"""A replayed event id gets its first answer and changes nothing."""

from returns.models import (
    DeliveryAttempt,
    FailedPackage,
    IntakeEvent,
    Notification,
    PackageEvent,
)
from tests.returns.api.carrier import attempt_failed, problem, registered, row_counts


def test_a_replayed_event_gets_the_first_answer_and_changes_nothing(carrier_x):
    carrier_x.send(registered())
    carrier_x.send(attempt_failed(1))
    carrier_x.send(attempt_failed(2))
    first = carrier_x.send(attempt_failed(3))

    again = carrier_x.send(attempt_failed(3))

    assert again.status_code == first.status_code == 200
    assert again.content == first.content
    assert IntakeEvent.objects.filter(event_id="attempt-3").count() == 1
    assert DeliveryAttempt.objects.count() == 3
    assert PackageEvent.objects.filter(action="delivery_failed").count() == 1
    assert Notification.objects.filter(kind="destruction_notice").count() == 1


def test_a_replayed_registration_answers_201_again(carrier_x):
    first = carrier_x.send(registered())

    again = carrier_x.send(registered())

    assert again.status_code == 201
    assert again.content == first.content
    assert FailedPackage.objects.count() == 1


def test_an_event_id_reused_for_another_kind_of_event_is_refused(carrier_x):
    carrier_x.send(registered())
    before = row_counts()

    response = carrier_x.send(attempt_failed(1, event_id="reg-1"))

    assert response.status_code == 422
    assert problem(response) == (
        "event_id",
        "Event id reg-1 was already used for a return_registered event.",
    )
    assert row_counts() == before


def test_two_providers_may_use_the_same_event_id(carrier_x, carrier_y):
    carrier_x.send(registered(event_id="e-1"))

    response = carrier_y.send(registered(event_id="e-1"))

    assert response.status_code == 201
    assert FailedPackage.objects.count() == 2


def test_a_refused_event_can_be_corrected_and_sent_again_under_the_same_id(carrier_x):
    assert carrier_x.send(registered(shop_code="SHOP-TYPO")).status_code == 422

    response = carrier_x.send(registered())

    assert response.status_code == 201
    assert FailedPackage.objects.get().seller.shop_code == "SHOP-A"
