"""Helpers more than one test module needs: one home each (tests/README.md says which to use)."""

import importlib
from datetime import datetime, timedelta
from types import SimpleNamespace
from typing import Any

from django.apps import apps
from django.contrib.auth.models import Group
from django.db import connection
from django.db.models import Model
from django.http import HttpResponse
from django.utils import timezone

from portal.models import LogisticsProvider, Seller
from portal.tenancy import PROVIDER_STAFF_GROUP
from returns.models import FailedPackage, Notification, PackageEvent
from returns.outbox import rendering
from tests.factories import PackageFactory


def messages_on(response: HttpResponse) -> list[str]:
    """The flash messages a page shows, as text."""
    return [str(message) for message in response.context["messages"]]


def snapshot(*models: type[Model]) -> tuple[list[dict[str, Any]], ...]:
    """Every row of these models, to compare before and after a job runs again."""
    return tuple(list(model._default_manager.order_by("pk").values()) for model in models)


def provider_staff_group(*users: Any) -> Group:
    """The provider staff group as the migrations make it, with `users` in it.

    A transactional test's flush empties every table, the rows data migrations wrote
    included; the migrations' own functions put the group and its permissions back
    (returns 0002 for packages; tickets 0006, which runs 0003's grant of the tickets
    first, for the canned replies).
    """
    packages = importlib.import_module("returns.migrations.0002_provider_staff_group")
    packages.create_group(apps, SimpleNamespace(connection=connection))
    tickets = importlib.import_module("tickets.migrations.0006_canned_replies_for_staff")
    tickets.grant(apps, SimpleNamespace(connection=connection))
    group = Group.objects.get(name=PROVIDER_STAFF_GROUP)
    for user in users:
        user.groups.add(group)
    return group


def expired_packages(
    count: int, *, seller: Seller, provider: LogisticsProvider, deadline: datetime | None = None
) -> list[FailedPackage]:
    """`count` packages whose claim window closed at `deadline` (five minutes ago), written
    in one INSERT: the finalize job's work, by the thousand if need be."""
    deadline = deadline or timezone.now() - timedelta(minutes=5)
    return FailedPackage.objects.bulk_create(
        PackageFactory.build(
            seller=seller,
            provider=provider,
            awaiting=True,
            failed_at=deadline - timedelta(days=7),
            claim_deadline=deadline,
        )
        for _ in range(count)
    )


def kinds_for(package: FailedPackage) -> list[str]:
    """The kinds of the package's notices, sorted."""
    return sorted(Notification.objects.filter(package=package).values_list("kind", flat=True))


def actions_for(package: FailedPackage) -> list[str]:
    """The actions of the package's events, in the order written."""
    return list(PackageEvent.objects.filter(package=package).values_list("action", flat=True))


def as_sent(notification: Notification) -> Notification:
    """A notice written unrendered, with the subject and bodies the outbox renders as it
    sends it (unsaved; `returns.outbox.rendering.render_unsent`)."""
    rendering.render_unsent([notification])
    return notification
