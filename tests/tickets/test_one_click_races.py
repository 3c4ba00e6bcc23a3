"""One-click actions racing each other and the finalize job on PostgreSQL: one outcome."""

from datetime import timedelta

import pytest
import time_machine
from django.test import Client
from django.urls import reverse

from returns import tasks
from returns.models import ActionLink, FailedPackage
from tests.builders import awaiting_package
from tests.races import in_parallel
from tests.tickets.one_click_helpers import LET_GO, SEND_BACK, destruction_notice, tokens_of
from tickets.models import Ticket

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

Status = FailedPackage.Status
ADDRESS = {"contact_name": "Somchai Jaidee", "phone": "+66 81 555 0199", "address": "12 Soi 11"}


def _click(token: str, package: FailedPackage, action: str):
    """A fresh browser confirming the page: its own client, its own connection."""
    data = {"t": token, "action": action, "package": package.public_id}
    if action == SEND_BACK:
        data |= ADDRESS
    return lambda: Client().post(reverse("tickets:act"), data).status_code


def test_two_clicks_of_the_same_link_at_once_claim_once(seller_a, provider_x):
    for _ in range(5):
        package = awaiting_package(seller_a, provider_x)
        token = tokens_of(destruction_notice(package))[SEND_BACK]

        answers = in_parallel(*[_click(token, package, SEND_BACK)] * 2)

        assert sorted(answers) == [200, 409], answers
        package.refresh_from_db()
        assert package.status == Status.CLAIMED
        assert list(package.events.values_list("action", flat=True)).count("claimed") == 1
        assert Ticket.objects.filter(package=package).count() == 1
        assert ActionLink.objects.filter(package=package, used_at__isnull=False).count() == 1


def test_both_buttons_at_once_give_one_outcome(seller_a, provider_x):
    for _ in range(5):
        package = awaiting_package(seller_a, provider_x)
        tokens = tokens_of(destruction_notice(package))

        answers = in_parallel(
            _click(tokens[SEND_BACK], package, SEND_BACK), _click(tokens[LET_GO], package, LET_GO)
        )

        assert sorted(answers) == [200, 409], answers
        package.refresh_from_db()
        decisions = package.events.filter(action__in=["claimed", "released"]).count()
        assert decisions == 1
        assert Ticket.objects.filter(package=package).count() == (
            1 if package.status == Status.CLAIMED else 0
        )


def test_a_click_racing_the_finalize_at_the_deadline_second_has_one_winner(seller_a, provider_x):
    wins = {"click": 0, "finalize": 0}
    for _ in range(8):
        package = awaiting_package(seller_a, provider_x)
        token = tokens_of(destruction_notice(package))[SEND_BACK]
        deadline = package.claim_deadline

        with time_machine.travel(deadline, tick=False):  # the last moment a click is accepted
            click, finalize = in_parallel(
                _click(token, package, SEND_BACK),
                lambda deadline=deadline: tasks.finalize_expired_windows(
                    now=deadline + timedelta(microseconds=1)
                ),
            )

        package.refresh_from_db()
        actions = [
            action
            for action in package.events.values_list("action", flat=True)
            if action in {"claimed", "window_closed"}
        ]
        if package.status == Status.CLAIMED:
            wins["click"] += 1
            assert click == 200 and finalize.done == 0
            assert actions == ["claimed"]
            assert Ticket.objects.filter(package=package).count() == 1
        else:
            wins["finalize"] += 1
            assert package.status == Status.DESTRUCTION_PENDING
            assert click == 409 and finalize.done == 1
            assert actions == ["window_closed"]
            assert not Ticket.objects.filter(package=package).exists()
            assert not ActionLink.objects.filter(package=package, used_at__isnull=False).exists()
    assert sum(wins.values()) == 8
