"""Provider staff with the ticket permissions their group gets from the tickets migrations."""

import importlib
from types import SimpleNamespace

from django.apps import apps
from django.contrib.auth.models import Group
from django.db import connection

from portal.tenancy import PROVIDER_STAFF_GROUP


def join_provider_staff(*users) -> Group:
    """Put the users in the provider staff group, re-granting the ticket permissions first.

    A transactional test's flush empties every table, the rows data migrations
    wrote included; the migration's own function puts them back.
    """
    # The latest grant, which runs the first one (0003) before adding the canned replies.
    migration = importlib.import_module("tickets.migrations.0006_canned_replies_for_staff")
    migration.grant(apps, SimpleNamespace(connection=connection))
    group = Group.objects.get(name=PROVIDER_STAFF_GROUP)
    for user in users:
        user.groups.add(group)
    return group
