from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from portal.jobs import run_job
from portal.models import User
from returns.models import FailedPackage, Notification, PackageEvent
from tickets.models import Ticket


def seed(**options) -> str:
    out = StringIO()
    call_command("seed_demo", stdout=out, **options)
    return out.getvalue()


def test_seed_demo_builds_every_state_and_prints_the_logins(db, settings):
    settings.DEBUG = True

    output = seed(password="open sesame")

    assert "seller@siamgadgets.example" in output
    assert "password: open sesame" in output
    assert set(FailedPackage.objects.values_list("status", flat=True)) == set(
        FailedPackage.Status.values
    )
    assert User.objects.get(email="operator@returns.example").check_password("open sesame")
    assert Notification.objects.filter(status="sent").exists()
    assert Notification.objects.filter(status="pending").exists()


def test_seed_demo_leaves_windows_for_the_worker_to_close(db, settings):
    settings.DEBUG = True
    seed()

    awaiting = FailedPackage.objects.filter(status="awaiting_seller")
    assert awaiting.filter(claim_deadline__lt=timezone.now()).count() == 2


def test_seed_demo_twice_changes_nothing(db, settings):
    settings.DEBUG = True
    seed()
    counts = (FailedPackage.objects.count(), PackageEvent.objects.count(), User.objects.count())

    seed()

    assert (FailedPackage.objects.count(), PackageEvent.objects.count(), User.objects.count()) == (
        counts
    )


def test_seed_demo_refuses_with_debug_off_unless_forced(db, settings):
    settings.DEBUG = False

    with pytest.raises(CommandError, match="--force"):
        seed()
    seed(force=True)

    assert User.objects.filter(email="operator@returns.example").exists()


def test_seed_demo_leaves_an_unanswered_ticket_for_the_worker_to_escalate(db, settings):
    settings.DEBUG = True
    seed()

    [overdue] = Ticket.objects.overdue()
    assert overdue.subject == "Can you hold it until Monday?"
    assert overdue.package.failed_at < overdue.created_at
    assert not Notification.objects.filter(ticket_reference=overdue.reference, status="pending")

    assert run_job("escalate_overdue_tickets").done == 1
    assert Notification.objects.get(kind="ticket_overdue").ticket_reference == overdue.reference
