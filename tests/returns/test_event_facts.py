"""A package's history reads in its reader's language: the services store facts, not English."""

import importlib
from datetime import timedelta

import pytest
from django.apps import apps
from django.utils import timezone, translation

from returns import delivery
from returns.models import PackageEvent
from tests.factories import PackageFactory

facts_migration = importlib.import_module("returns.migrations.0012_event_facts")


@pytest.fixture
def in_delivery(provider_x, seller_a):
    return PackageFactory(provider=provider_x, seller=seller_a)


def test_an_attempt_is_stored_as_facts_and_worded_when_read(in_delivery):
    delivery.record_failed_attempt(
        package=in_delivery,
        attempted_at=timezone.now() - timedelta(hours=1),
        failure_reason="Nobody at the address",
        channel="api",
    )

    event = in_delivery.events.get(action="attempt_failed")
    assert (event.detail, event.facts) == ("", {"attempt": 1, "reason": "Nobody at the address"})
    assert event.description() == "Attempt 1 failed: Nobody at the address"


def test_a_staff_note_is_kept_as_typed_before_the_ticket_it_came_with(provider_x, seller_a):
    event = PackageEvent(action="claimed", detail="The seller phoned", facts={"ticket": "RT-AB"})
    assert event.description() == "The seller phoned"
    assert PackageEvent(action="claimed", facts={"ticket": "RT-AB"}).description() == "Ticket RT-AB"


@pytest.mark.parametrize(
    ("facts", "english"),
    [
        ({"attempt": 3, "reason": "Closed"}, "Attempt 3 failed: Closed"),
        (
            {"method": "shredded", "destruction_reference": "DX-1"},
            "Shredded, reference DX-1",
        ),
        (
            {"overdue_days": 3},
            "Not destroyed 3 days after the instruction; the provider was reminded.",
        ),
    ],
)
def test_each_fact_reads_in_the_active_language(facts, english):
    event = PackageEvent(action="destroyed", facts=facts)
    assert event.description() == english
    with translation.override("th"):
        thai = event.description()
    assert thai and thai != english
    for value in facts.values():
        if isinstance(value, int) or value.startswith("DX"):
            assert str(value) in thai


@pytest.mark.parametrize(
    ("action", "detail", "facts"),
    [
        (
            "attempt_failed",
            "Attempt 2 failed: Gate locked",
            {"attempt": 2, "reason": "Gate locked"},
        ),
        (
            "destroyed",
            "Incinerated, reference DX-7",
            {"method": "incinerated", "destruction_reference": "DX-7"},
        ),
        (
            "destruction_overdue",
            "Not destroyed 3 days after the instruction; the provider was reminded.",
            {"overdue_days": 3},
        ),
        ("claimed", "Ticket RT-7K3F9Q", {"ticket": "RT-7K3F9Q"}),
        ("reminder_sent", "Deadline reminder emailed to the seller.", {}),
    ],
)
def test_old_english_details_become_facts_and_go_back(action, detail, facts):
    assert facts_migration.facts_of(action, detail) == facts
    assert facts_migration.english_of(action, facts) == detail


def test_a_persons_words_stay_words():
    assert facts_migration.facts_of("claimed", "Seller called, wants it Tuesday") is None
    assert facts_migration.facts_of("claim_withdrawn", "Attempt 1 failed: no") is None


def test_the_migration_rewrites_old_rows(in_delivery):
    old = PackageEvent.objects.create(
        package=in_delivery,
        action="attempt_failed",
        to_status="in_delivery",
        channel="api",
        detail="Attempt 1 failed: Gate locked",
    )
    typed = PackageEvent.objects.create(
        package=in_delivery,
        action="claimed",
        to_status="claimed",
        channel="admin",
        detail="Seller called",
    )

    facts_migration.words_to_facts(apps, None)

    old.refresh_from_db()
    typed.refresh_from_db()
    assert (old.detail, old.facts) == ("", {"attempt": 1, "reason": "Gate locked"})
    assert (typed.detail, typed.facts) == ("Seller called", {})
