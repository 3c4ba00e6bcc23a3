"""The "Provider staff" group: what a warehouse or support agent may do in the console.

View and change packages (their contents; the status changes only through the
console's actions), retry failed notifications, and read the attempts, the
events and the outbox. No add, no delete: packages arrive through the intake
API or the CSV import, and the audit trail is never deleted.
"""

from django.contrib.auth.management import create_permissions
from django.db import migrations

GROUP = "Provider staff"  # portal.tenancy.PROVIDER_STAFF_GROUP

GRANTS = {
    "failedpackage": ["view", "change"],
    "deliveryattempt": ["view"],
    "packageevent": ["view"],
    "notification": ["view", "change"],
}


def create_group(apps, schema_editor) -> None:
    """Create the group, or put its returns permissions back to exactly these."""
    # Permissions are normally created after `migrate` finishes; the group needs
    # them now. create_permissions skips an app without a models module, which a
    # migration's historical app config lacks, hence the temporary flag.
    app_config = apps.get_app_config("returns")
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
            content_type__app_label="returns",
            content_type__model=model,
            codename=f"{action}_{model}",
        )
        for model, actions in GRANTS.items()
        for action in actions
    ]
    others = group.permissions.exclude(content_type__app_label="returns")
    group.permissions.set([*others, *wanted])


def remove_group(apps, schema_editor) -> None:
    apps.get_model("auth", "Group").objects.filter(name=GROUP).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("returns", "0001_initial"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(create_group, remove_group)]
