"""The "Provider staff" group writes its provider's canned replies (tickets.admin_canned)."""

import importlib

from django.db import migrations

GROUP = "Provider staff"  # portal.tenancy.PROVIDER_STAFF_GROUP
ACTIONS = ["view", "add", "change", "delete"]


def grant(apps, schema_editor) -> None:
    # The ticket grants' own step first: it creates the permissions and resets the group's
    # ticket permissions to its list, which this then extends.
    earlier = importlib.import_module("tickets.migrations.0003_provider_staff_permissions")
    earlier.grant_ticket_permissions(apps, schema_editor)
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    group, _ = Group.objects.get_or_create(name=GROUP)
    group.permissions.add(
        *Permission.objects.filter(
            content_type__app_label="tickets",
            content_type__model="cannedreply",
            codename__in=[f"{action}_cannedreply" for action in ACTIONS],
        )
    )


def revoke(apps, schema_editor) -> None:
    Group = apps.get_model("auth", "Group")
    for group in Group.objects.filter(name=GROUP):
        group.permissions.remove(*group.permissions.filter(content_type__model="cannedreply"))


class Migration(migrations.Migration):
    dependencies = [("tickets", "0005_canned_replies")]

    operations = [migrations.RunPython(grant, revoke)]
