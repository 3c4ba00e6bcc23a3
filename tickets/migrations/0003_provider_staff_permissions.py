"""The "Provider staff" group may work the ticket inbox.

View and change tickets (the assignee and the package on the page; status,
replies and notes through the console's buttons, which call the services),
and read the messages and attachments of their thread. No add, no delete.
The returns app's migration makes the same group for packages; each uses
get_or_create, so either may run first.
"""

from django.contrib.auth.management import create_permissions
from django.db import migrations

GROUP = "Provider staff"  # portal.tenancy.PROVIDER_STAFF_GROUP

GRANTS = {
    "ticket": ["view", "change"],
    "ticketmessage": ["view"],
    "attachment": ["view"],
}


def grant_ticket_permissions(apps, schema_editor) -> None:
    # Permissions are normally created after `migrate` finishes; the group needs
    # them now. create_permissions skips an app without a models module, which a
    # migration's historical app config lacks, hence the temporary flag.
    app_config = apps.get_app_config("tickets")
    models_module = getattr(app_config, "models_module", None)
    app_config.models_module = models_module or True
    try:
        create_permissions(app_config, apps=apps, verbosity=0, using=schema_editor.connection.alias)
    finally:
        app_config.models_module = models_module

    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    group, _ = Group.objects.get_or_create(name=GROUP)
    wanted = [
        Permission.objects.get(
            content_type__app_label="tickets",
            content_type__model=model,
            codename=f"{action}_{model}",
        )
        for model, actions in GRANTS.items()
        for action in actions
    ]
    others = group.permissions.exclude(content_type__app_label="tickets")
    group.permissions.set([*others, *wanted])


def revoke_ticket_permissions(apps, schema_editor) -> None:
    Group = apps.get_model("auth", "Group")
    for group in Group.objects.filter(name=GROUP):
        group.permissions.remove(*group.permissions.filter(content_type__app_label="tickets"))


class Migration(migrations.Migration):
    dependencies = [("tickets", "0002_inbox_order")]

    operations = [migrations.RunPython(grant_ticket_permissions, revoke_ticket_permissions)]
