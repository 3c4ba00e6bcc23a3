from math import ceil

from django.db import migrations, models


def stage_of_reminders_sent(apps, schema_editor):
    """A package reminded once (the single 48-hour stage) keeps its place: the stage of the
    reminder it had is the hours it was sent before the deadline, so no larger stage follows."""
    FailedPackage = apps.get_model("returns", "FailedPackage")
    reminded = FailedPackage.objects.filter(
        reminded_at__isnull=False, claim_deadline__isnull=False, status="awaiting_seller"
    )
    for package in reminded.only("pk", "reminded_at", "claim_deadline").iterator():
        left = (package.claim_deadline - package.reminded_at).total_seconds() / 3600
        FailedPackage.objects.filter(pk=package.pk).update(
            reminded_hours_before=max(1, min(ceil(left), 32767))
        )


class Migration(migrations.Migration):
    dependencies = [("returns", "0014_outbox_translated_names")]

    operations = [
        migrations.AddField(
            model_name="failedpackage",
            name="reminded_hours_before",
            field=models.PositiveSmallIntegerField(
                blank=True, null=True, verbose_name="last reminder, hours before the deadline"
            ),
        ),
        migrations.RunPython(stage_of_reminders_sent, migrations.RunPython.noop),
    ]
